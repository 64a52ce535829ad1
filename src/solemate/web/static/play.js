// The player page on its own (a reload, or a return to a session in progress): the session comes
// from the server, or from this device's copy when the server cannot be reached.

import { api } from "./api.js";
import { clockSpeed, loadPrefs, testLog } from "./boot.js";
import { CURRENT, loadDoc, runSession } from "./player.js";
import { Sound } from "./sound.js";

function problem(text) {
  const title = document.getElementById("step-title");
  title.textContent = "No session here";
  const cue = document.getElementById("cue");
  cue.replaceChildren(text + " ");
  const link = document.createElement("a");
  link.href = "/";
  link.textContent = "Go to tonight's page.";
  cue.append(link);
  document.querySelector(".p-controls").hidden = true;
  document.getElementById("tap").hidden = true;
}

async function main() {
  const id = new URLSearchParams(location.search).get("session") || localStorage.getItem(CURRENT);
  if (!id || !/^\d{1,10}$/.test(id)) {
    problem("There is no session in progress.");
    return;
  }
  let doc = null;
  try {
    const result = await api("GET", `/api/sessions/${id}`);
    if (result.ok) doc = result.data;
    else if (result.status === 404) {
      problem("That session is not in the journal.");
      return;
    }
  } catch {
    doc = null; // offline: this device's copy below
  }
  if (!doc || !doc.timeline) doc = loadDoc(id) || doc;
  if (!doc || !doc.timeline) {
    problem(doc?.note || "This session cannot be shown here.");
    return;
  }
  const prefs = loadPrefs();
  const sound = new Sound({
    speak: prefs.speak !== "off",
    ambient: prefs.ambient === "on",
    audio: doc.audio || {},
  });
  const speed = clockSpeed();
  window.solemate = { player: runSession({ doc, sound, speed, resumed: true, log: testLog() }) };
}

main();
