// What the server told the page (data block, no inline script), and the test-only clock speed.

export const boot = JSON.parse(document.getElementById("boot")?.textContent || "{}");

// ?speed= makes a whole session run in seconds; honoured only by a server started for tests.
export function clockSpeed() {
  if (!boot.testClock) return 1;
  const speed = Number(new URLSearchParams(location.search).get("speed") || "1");
  return Number.isFinite(speed) && speed >= 1 && speed <= 1000 ? speed : 1;
}

export function testLog() {
  if (!boot.testClock) return null;
  window.solemateLog = window.solemateLog || [];
  return window.solemateLog;
}

const PREFS = "solemate.prefs";

export function loadPrefs() {
  try {
    return JSON.parse(localStorage.getItem(PREFS) || "{}");
  } catch {
    return {};
  }
}

export function savePrefs(prefs) {
  try {
    localStorage.setItem(PREFS, JSON.stringify(prefs));
  } catch {
    /* not kept: defaults next time */
  }
}
