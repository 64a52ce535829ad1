// The tonight page: the safety check, tonight's choices, the before-rating, and Start, which
// records the session and turns this same page into the player (so the tap that started it also
// unlocks sound, which browsers allow only from a tap or a key).

import { api } from "./api.js";
import { boot, clockSpeed, loadPrefs, savePrefs, testLog } from "./boot.js";
import { runSession, sessionInProgress } from "./player.js";
import { Sound } from "./sound.js";

const $ = (id) => document.getElementById(id);
const form = $("tonight-form");
const safetyForm = $("safety-form");
const minutes = $("minutes");
const full = $("full");
const output = $("minutes-out");

function radio(name) {
  return form.querySelector(`input[name="${name}"]:checked`)?.value;
}

function setRadio(name, value) {
  const input = form.querySelector(`input[name="${name}"][value="${value}"]`);
  if (input) input.checked = true;
}

function showMinutes() {
  output.textContent = full.checked ? `${boot.fullMinutes} min` : `${minutes.value} min`;
  minutes.disabled = full.checked;
}

// Who is massaged, by name, when the journal keeps several people (else undefined).
function receiver() {
  return form.querySelector('input[name="voice"]:checked')?.dataset.receiver;
}

function stressQuestion() {
  const name = receiver();
  $("stress-legend").textContent =
    radio("voice") === "partner"
      ? `How stressed does ${name ?? "your partner"} feel right now?`
      : "How stressed do you feel right now?";
}

const prefs = loadPrefs();
if (prefs.minutes) minutes.value = prefs.minutes;
if (prefs.full) full.checked = true;
for (const name of ["voice", "first_foot", "speak", "ambient", "counts", "wording"]) {
  if (prefs[name]) setRadio(name, prefs[name]);
}

// Words: a wording chosen on this device is kept; until one is, the server's rule decides (full
// at first, brief once the routine is familiar, which the notice says). One tap on "Full
// explanations" goes back, and is remembered here.
let wordingChosen = Boolean(prefs.wording);
const briefNotice = $("brief-notice");
if (wordingChosen) briefNotice.hidden = true;
for (const input of form.querySelectorAll('input[name="wording"]')) {
  input.addEventListener("change", () => {
    wordingChosen = true;
    briefNotice.hidden = true;
    savePrefs({ ...loadPrefs(), wording: radio("wording") });
  });
}
showMinutes();
stressQuestion();
minutes.addEventListener("input", showMinutes);
full.addEventListener("change", showMinutes);
form.addEventListener("change", stressQuestion);

const resumeId = sessionInProgress();
if (resumeId) {
  $("resume").hidden = false;
  $("resume-link").href = `/play?session=${encodeURIComponent(resumeId)}`;
}

// --- the safety check ---------------------------------------------------------------------------
// Every question needs a yes or a no (none is chosen beforehand); before each session, tonight's
// short check; an answer that asks for a clinician's word first is confirmed once.

$("safety-review").addEventListener("click", (event) => {
  safetyForm.hidden = !safetyForm.hidden;
  event.target.setAttribute("aria-expanded", String(!safetyForm.hidden));
});

function showSafety(state) {
  const box = $("verdict");
  box.replaceChildren();
  const p = document.createElement("p");
  if (state.verdict) {
    p.className = `verdict ${state.verdict.level}`;
    p.textContent = state.verdict.summary;
  } else {
    p.textContent = state.why;
  }
  box.append(p);
  const stopped = !state.verdict || state.verdict.level === "do-not-massage" || state.needs_screen;
  $("tonight-check").hidden = stopped || state.checked_tonight;
  $("tonight-done").hidden = !state.checked_tonight || state.new_tonight.length > 0;
  $("confirm").hidden = stopped || !state.needs_confirm;
  $("safety-review").hidden = state.needs_screen;
  $("safety").classList.toggle("attention", !state.may_start);
  $("start").disabled = !state.may_start;
  if ($("again")) {
    $("again").disabled = !state.may_start;
    $("again-wait").hidden = state.may_start;
  }
}

async function postSafety(path, body) {
  const result = await api("POST", path, body).catch(() => null);
  if (!result || !result.ok) {
    $("safety-error").textContent = result?.data?.detail || "Could not save: is the server running?";
    safetyForm.hidden = false;
    return null;
  }
  $("safety-error").textContent = "";
  showSafety(result.data);
  return result.data;
}

safetyForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const answers = {};
  const unanswered = [];
  for (const set of safetyForm.querySelectorAll("fieldset.yesno")) {
    const chosen = set.querySelector("input:checked");
    const name = set.querySelector("input").name;
    set.toggleAttribute("aria-invalid", !chosen);
    if (chosen) answers[name] = chosen.value === "yes";
    else unanswered.push(set.querySelector("legend").textContent);
  }
  const result = await api("POST", "/api/safety", { answers }).catch(() => null);
  if (!result || !result.ok) {
    const message = unanswered.length
      ? `Please answer yes or no to every question (${unanswered.length} unanswered).`
      : result?.data?.detail || "Could not save the answers: is the server running?";
    $("safety-error").textContent = message;
    safetyForm.querySelector('fieldset[aria-invalid] input')?.focus();
    return;
  }
  $("safety-error").textContent = "";
  safetyForm.hidden = true;
  showSafety(result.data);
});

$("nothing-new").addEventListener("click", () => postSafety("/api/safety/tonight", { new: [] }));
$("something-new").addEventListener("click", (event) => {
  $("new-form").hidden = false;
  event.target.setAttribute("aria-expanded", "true");
  $("new-form").querySelector("input")?.focus();
});
$("new-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const chosen = [...$("new-form").querySelectorAll("input:checked")].map((box) => box.value);
  if (!chosen.length) {
    $("safety-error").textContent = "Tick what is new tonight, or choose Nothing new.";
    return;
  }
  postSafety("/api/safety/tonight", { new: chosen });
});
$("confirm-yes").addEventListener("click", () => postSafety("/api/safety/confirm"));

// --- start --------------------------------------------------------------------------------------

// Start records the session, then turns this page into the player. The tap that started it also
// unlocks sound, which browsers allow only from a tap or a key.
async function start(body, choice, button, error) {
  const sound = new Sound({ speak: choice.speak === "on", ambient: choice.ambient === "on" });
  sound.unlock(); // inside the tap: browsers allow sound from here on
  const stress = radio("before_stress");
  body.before_stress = stress === "" || stress === undefined ? null : Number(stress);
  button.disabled = true;
  error.textContent = "";
  const result = await api("POST", "/api/sessions", body).catch(() => null);
  if (!result || !result.ok) {
    button.disabled = false;
    error.textContent = result?.data?.detail || "Could not start: is the server running?";
    sound.stopAmbient();
    return;
  }
  const doc = result.data;
  sound.audio = doc.audio;
  const speed = clockSpeed();
  const query = speed !== 1 ? `&speed=${speed}` : "";
  history.replaceState(null, "", `/play?session=${doc.session.id}${query}`);
  document.body.classList.add("playing");
  $("setup").hidden = true;
  $("player").hidden = false;
  window.scrollTo(0, 0);
  window.solemate = { player: runSession({ doc, sound, speed, resumed: false, log: testLog() }) };
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const button = $("start");
  if (button.disabled) return;
  const choice = {
    minutes: minutes.value,
    full: full.checked,
    voice: radio("voice"),
    first_foot: radio("first_foot"),
    speak: radio("speak"),
    ambient: radio("ambient"),
    counts: radio("counts"),
  };
  if (wordingChosen) choice.wording = radio("wording");
  savePrefs(choice);
  const body = { voice: choice.voice, first_foot: choice.first_foot, counts: choice.counts };
  if (receiver()) body.receiver = receiver();
  if (choice.wording) body.wording = choice.wording; // else the server's rule, as shown
  if (choice.full) body.preset = "full";
  else body.minutes = Number(choice.minutes);
  start(body, choice, button, $("start-error"));
});

// Same as last night, in one tap: the last session's stored choices (the server sends them);
// voice and ambient sound as this device last had them.
if (boot.lastNight && $("again")) {
  $("again").addEventListener("click", () => {
    const button = $("again");
    if (button.disabled) return;
    const choice = { speak: radio("speak"), ambient: radio("ambient") };
    start({ ...boot.lastNight.body }, choice, button, $("again-error"));
  });
}
