// Installs the service worker that keeps the app shell and tonight's audio for offline use.
// Service workers exist only in a secure context (https, or http on 127.0.0.1 / localhost).

if ("serviceWorker" in navigator && window.isSecureContext) {
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch((error) => {
    console.warn("solemate: offline use is not available:", error);
  });
}
