// Talking to the solemate API: the CSRF header on every write, one retry with a fresh token when
// the page was loaded long ago, and an outbox that keeps writes made while the server is away
// (the player records progress offline and sends it, in order, once the server is back).

let token = document.querySelector('meta[name="csrf-token"]')?.content || "";

async function freshToken() {
  const response = await fetch("/api/csrf", { credentials: "same-origin", cache: "no-store" });
  if (response.ok) token = (await response.json()).token;
}

export async function api(method, path, body) {
  const send = () =>
    fetch(path, {
      method,
      credentials: "same-origin",
      cache: "no-store",
      headers: body === undefined
        ? { "x-csrf-token": token }
        : { "content-type": "application/json", "x-csrf-token": token },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  let response = await send();
  if (response.status === 403 && method !== "GET") {
    await freshToken();
    response = await send();
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  return { ok: response.ok, status: response.status, data };
}

const OUTBOX = "solemate.outbox";

function load() {
  try {
    return JSON.parse(localStorage.getItem(OUTBOX) || "[]");
  } catch {
    return [];
  }
}

function save(items) {
  localStorage.setItem(OUTBOX, JSON.stringify(items));
}

let flushing = null;

export const outbox = {
  push(method, path, body) {
    const items = load();
    items.push({ method, path, body, at: Date.now() });
    save(items);
    return this.flush();
  },
  pending() {
    return load().length;
  },
  // Sends what is queued, oldest first. A network failure or a 5xx stops and keeps the rest for
  // later; a 4xx is a permanent refusal (the session was closed elsewhere, say) and is dropped.
  flush() {
    if (flushing) return flushing;
    flushing = (async () => {
      try {
        for (;;) {
          const items = load();
          if (!items.length) return true;
          let result;
          try {
            result = await api(items[0].method, items[0].path, items[0].body);
          } catch {
            return false;
          }
          if (result.status >= 500) return false;
          if (!result.ok) console.warn("solemate: the server refused", items[0].path, result.data);
          save(load().slice(1));
        }
      } finally {
        flushing = null;
      }
    })();
    return flushing;
  },
};

window.addEventListener("online", () => outbox.flush());
setInterval(() => {
  if (outbox.pending()) outbox.flush();
}, 15000);
