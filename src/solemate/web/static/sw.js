// The service worker: the app shell and tonight's cue audio, so the player keeps going when the
// server is gone (a laptop closed, the Wi-Fi dropped) once tonight's page has been loaded.
//
// Pages: network first, this cache when the network fails (a stale page beats no page at the
// bedside). Static files and cue audio: this cache first; their URLs change whenever their content
// does. The API is never cached here: the journal stays on the server, and the player keeps its
// own copy of tonight's session and queues what it records.

const VERSION = "__VERSION__";
const SHELL = __SHELL__;
const CACHE = `solemate-${VERSION}`;
const AUDIO = "solemate-audio";

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(SHELL))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE && k !== AUDIO).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) cache.put(new URL(request.url).pathname, response.clone());
    return response;
  } catch (error) {
    const kept = await cache.match(new URL(request.url).pathname);
    if (kept) return kept;
    throw error;
  }
}

// The pages' import map sends a module's imports to the same versioned URLs this cache keeps.
// A browser without import maps asks for the plain URL: the versioned copy (same build, this
// cache is named after it) answers for it too.
async function cacheFirst(request, name, ignoreSearch = false) {
  const cache = await caches.open(name);
  const kept = (await cache.match(request)) || (ignoreSearch ? await cache.match(request, { ignoreSearch }) : undefined);
  if (kept) return kept;
  const response = await fetch(request);
  if (response.ok) cache.put(request, response.clone());
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/speech/")) {
    event.respondWith(cacheFirst(request, AUDIO));
  } else if (url.pathname.startsWith("/static/") || url.pathname === "/manifest.webmanifest") {
    event.respondWith(cacheFirst(request, CACHE, true));
  } else if (request.mode === "navigate" && (url.pathname === "/" || url.pathname === "/play")) {
    event.respondWith(networkFirst(request));
  }
});
