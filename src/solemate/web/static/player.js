// The player: keeps the Timeline's time, fires its cues, draws the screen, records the journal.
//
// Deadlines are absolute, as in the terminal guide: one anchor says "session position P was at
// monotonic time T" (performance.now()), and every position and deadline is computed from it.
// Nothing accumulates, so a timer that fires late (a busy phone, a tab in the background for a
// few seconds) makes the screen catch up instead of the session drifting. The state that lets a
// reloaded page resume (position, paused, when) is kept in localStorage on every change.

import { outbox } from "./api.js";

const KEY = "solemate.session.";
export const CURRENT = "solemate.current";
const AWAY_LIMIT_S = 60; // back after longer than this: resume paused, where it was
const LATE_S = 1.5; // cues this late are skipped (only the newest is said)
const MAX_WAIT_MS = 250;

export const epochNow = () => performance.timeOrigin + performance.now();

export function saveDoc(doc) {
  try {
    localStorage.setItem(`${KEY}${doc.session.id}.doc`, JSON.stringify(doc));
  } catch {
    /* storage full or off: the server still has it */
  }
}

export function loadDoc(id) {
  try {
    return JSON.parse(localStorage.getItem(`${KEY}${id}.doc`) || "null");
  } catch {
    return null;
  }
}

function loadState(id) {
  try {
    return JSON.parse(localStorage.getItem(`${KEY}${id}`) || "null");
  } catch {
    return null;
  }
}

export function sessionInProgress() {
  const id = localStorage.getItem(CURRENT);
  if (!id) return null;
  const state = loadState(id);
  return state && !state.finished ? id : null;
}

const stepKey = (seg) => `${seg.kind}|${seg.foot}|${seg.step}`;

function clockText(seconds) {
  const s = Math.max(0, Math.ceil(seconds - 1e-6));
  const m = Math.floor(s / 60);
  return `${m}:${String(s % 60).padStart(2, "0")}`;
}

function lowerBound(values, x) {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid] < x - 1e-9) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function upperBound(values, x) {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid] <= x + 1e-9) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// Where a reloaded page picks up: this device's own record first, else the journal's last step.
// The played time a reloaded page had counted, so it goes on from there.
function savedPlayed(id) {
  try {
    const saved = JSON.parse(localStorage.getItem(`${KEY}${id}`) || "null");
    return saved && Number.isFinite(saved.played) ? saved.played : 0;
  } catch {
    return 0;
  }
}

export function resumePoint(id, session, timeline, speed) {
  const saved = loadState(id);
  if (saved) {
    if (saved.finished) return { finished: true, status: saved.status, rated: saved.rated };
    if (saved.paused) return { position: saved.pos, paused: true };
    const away = (epochNow() - saved.epoch) / 1000;
    if (away >= 0 && away <= AWAY_LIMIT_S) {
      return { position: Math.min(saved.pos + away * speed, timeline.total), paused: false };
    }
    return { position: saved.pos, paused: true, away: true };
  }
  if (session.status !== "in_progress") {
    return { finished: true, status: session.status, rated: session.after_stress !== null };
  }
  const seg = timeline.segments.find(
    (s) => s.kind === "action" && s.foot === session.foot && s.step === session.step,
  );
  return { position: seg ? seg.start : 0, paused: true, away: true };
}

export class Player {
  constructor({ doc, sound, speed = 1, log = null }) {
    this.doc = doc;
    this.id = doc.session.id;
    this.timeline = doc.timeline;
    this.segments = this.timeline.segments;
    this.total = this.timeline.total;
    this.cues = this.segments.flatMap((seg) => seg.cues.map((cue) => ({ cue, seg })));
    this.times = this.cues.map((c) => c.cue.at);
    this.starts = this.segments.map((s) => s.start);
    this.groups = [];
    for (const seg of this.segments) {
      const last = this.groups[this.groups.length - 1];
      if (last && last.key === stepKey(seg)) {
        last.end = seg.end;
      } else {
        this.groups.push({ key: stepKey(seg), start: seg.start, end: seg.end, first: seg });
      }
      seg.group = this.groups.length - 1;
    }
    this.stepCount = Math.max(0, ...this.segments.map((s) => s.step || 0));
    this.sound = sound;
    this.speed = speed;
    this.log = log;
    this.anchorPos = 0;
    this.anchorT = performance.now();
    this.paused = false;
    this.playedBefore = 0; // seconds played (not paused, not skipped) before the current stretch
    this.playingSince = null; // performance.now() when the current stretch of play began
    this.next = 0;
    this.current = null;
    this.finished = false;
    this.timer = null;
    this.lastSave = 0;
    this.listeners = { finish: [], change: [] };
    this.view = new View(this);
  }

  on(event, fn) {
    this.listeners[event].push(fn);
  }

  emit(event, value) {
    for (const fn of this.listeners[event]) fn(value);
  }

  position() {
    if (this.paused) return this.anchorPos;
    return this.anchorPos + ((performance.now() - this.anchorT) / 1000) * this.speed;
  }

  // Seconds of the session actually played: clock time not paused; a skip plays nothing.
  played() {
    const running = this.playingSince === null ? 0 : ((performance.now() - this.playingSince) / 1000) * this.speed;
    return Math.min(this.playedBefore + running, 86400);
  }

  playing(on) {
    this.playedBefore = this.played();
    this.playingSince = on ? performance.now() : null;
  }

  anchor(position) {
    this.anchorPos = position;
    this.anchorT = performance.now();
  }

  segmentAt(position) {
    const i = Math.max(0, upperBound(this.starts, position) - 1);
    return this.segments[Math.min(i, this.segments.length - 1)];
  }

  start({ position = 0, paused = false, resumed = false } = {}) {
    this.anchor(Math.max(0, Math.min(position, this.total)));
    this.paused = paused;
    if (resumed) this.playedBefore = savedPlayed(this.id);
    this.playing(!paused);
    this.next = lowerBound(this.times, this.anchorPos);
    if (resumed && this.anchorPos > 0) {
      const seg = this.segmentAt(this.anchorPos);
      this.current = seg.index;
      const said = this.cues.slice(0, this.next).filter((c) => c.seg.index === seg.index);
      if (said.length) {
        const last = said[said.length - 1];
        this.view.cue(last.cue.kind === "instruction" ? last.seg.instruction : last.cue.text);
      }
      this.log?.push({ event: "resume", index: seg.index, title: seg.title, position: this.anchorPos });
      this.record(seg.index);
    }
    this.save();
    this.loop();
  }

  loop() {
    clearTimeout(this.timer);
    if (this.finished) return;
    this.fireDue();
    const position = this.position();
    if (position >= this.total) {
      this.finish("completed");
      return;
    }
    this.view.draw(position);
    if (performance.now() - this.lastSave > 1000) this.save();
    if (this.paused) return;
    const nextCue = this.next < this.times.length ? this.times[this.next] : Infinity;
    const nextStart = this.segmentAt(position).end;
    const wait = ((Math.min(nextCue, nextStart, this.total) - position) / this.speed) * 1000;
    this.timer = setTimeout(() => this.loop(), Math.max(0, Math.min(wait, MAX_WAIT_MS)));
  }

  fireDue() {
    const position = this.position();
    const due = [];
    while (this.next < this.cues.length && this.times[this.next] <= position + 1e-6) {
      due.push(this.cues[this.next]);
      this.next += 1;
    }
    let chimed = false;
    for (const item of due) {
      if (item.seg.index !== this.current) chimed = this.enter(item.seg, chimed) || chimed;
    }
    // A segment begins at its start (chime and journal), even when its first words come a
    // moment later, after the chime.
    if (position < this.total) {
      const here = this.segmentAt(position);
      if (here.index !== this.current) this.enter(here, chimed);
    }
    if (!due.length) return;
    const newest = due[due.length - 1].cue.at;
    const late = (position - newest) / this.speed > LATE_S;
    for (const item of due) {
      if (late && item.cue.at !== newest) continue;
      // A ticked count is shown, and marked by the tick; its words are never said.
      if (item.cue.kind === "tick") this.sound.tick();
      else this.sound.say(item.cue.text);
      this.log?.push({ event: item.cue.kind === "tick" ? "tick" : "say", text: item.cue.text });
    }
    // The screen shows an action's whole description, even when a short session only names it.
    const last = due[due.length - 1];
    this.view.cue(last.cue.kind === "instruction" ? last.seg.instruction : last.cue.text);
  }

  // A new segment begins: chime and record when the step (or the foot) changes.
  enter(seg, alreadyChimed) {
    const previous = this.current === null ? null : this.segments[this.current];
    this.current = seg.index;
    this.log?.push({ event: "enter", index: seg.index, title: seg.title });
    if (previous && stepKey(previous) === stepKey(seg)) return false;
    if (!alreadyChimed) {
      if (seg.kind === "between-feet") this.sound.chime("switch");
      else if (seg.kind === "action" && previous) this.sound.chime("step");
    }
    this.record(seg.index);
    return true;
  }

  record(index) {
    const body = { segment: index, played_seconds: this.played() };
    outbox.push("POST", `/api/sessions/${this.id}/progress`, body).then(() => this.view.connection());
  }

  seek(position) {
    this.sound.cut();
    this.anchor(Math.max(0, Math.min(position, this.total)));
    this.next = lowerBound(this.times, this.anchorPos);
    this.save();
    this.loop();
  }

  toggle() {
    if (this.paused) this.resume();
    else this.pause();
  }

  pause() {
    if (this.paused || this.finished) return;
    this.anchor(this.position());
    this.paused = true;
    this.playing(false);
    this.sound.cut();
    this.log?.push({ event: "pause" });
    this.save();
    this.emit("change");
    this.loop();
  }

  resume() {
    if (!this.paused || this.finished) return;
    this.paused = false;
    this.playing(true);
    this.anchor(this.anchorPos);
    this.log?.push({ event: "resume-play" });
    this.save();
    this.emit("change");
    this.loop();
  }

  nextStep() {
    if (this.finished) return;
    const seg = this.segmentAt(this.position());
    const later = this.segments[seg.index + 1];
    this.log?.push({ event: "next" });
    this.seek(later ? later.start : this.total);
  }

  back() {
    if (this.finished) return;
    const position = this.position();
    const seg = this.segmentAt(position);
    // A second press at the very start of a part goes one part further back (page turners).
    const justStarted = (position - seg.start) / this.speed < 2 && seg.index > 0;
    this.log?.push({ event: "back" });
    this.seek(justStarted ? this.segments[seg.index - 1].start : seg.start);
  }

  finish(status) {
    if (this.finished) return;
    clearTimeout(this.timer);
    this.finished = true;
    this.status = status;
    this.playing(false);
    if (status === "completed") {
      this.anchor(this.total);
      this.sound.chime("end");
    }
    this.log?.push({ event: "finish", status });
    const body = { status, played_seconds: this.played() };
    outbox.push("POST", `/api/sessions/${this.id}/finish`, body).then(() => this.view.connection());
    this.save();
    this.sound.stopAmbient();
    this.view.draw(Math.min(this.position(), this.total));
    this.emit("finish", status);
  }

  rate(stress) {
    outbox.push("POST", `/api/sessions/${this.id}/ratings`, { moment: "after", stress });
    this.rated = true;
    this.save();
  }

  save() {
    this.lastSave = performance.now();
    const state = {
      pos: this.finished ? this.total : this.position(),
      epoch: epochNow(),
      paused: this.paused,
      played: this.played(),
      finished: this.finished,
      status: this.status || null,
      rated: Boolean(this.rated),
    };
    try {
      localStorage.setItem(`${KEY}${this.id}`, JSON.stringify(state));
      localStorage.setItem(CURRENT, String(this.id));
    } catch {
      /* private mode without storage: resume falls back to the journal */
    }
  }
}

class View {
  constructor(player) {
    this.player = player;
    this.doc = player.doc;
    const $ = (id) => document.getElementById(id);
    this.el = {
      title: $("step-title"),
      action: $("p-action"),
      foot: $("p-foot"),
      stepnum: $("p-stepnum"),
      left: $("p-left"),
      ring: $("ring"),
      ringTime: $("ring-time"),
      cue: $("cue"),
      sessionBar: $("session-bar"),
      stepBar: $("step-bar"),
      next: $("p-next"),
      zones: $("p-zones"),
      tradition: $("tradition"),
      status: $("p-status"),
      map: document.querySelector("#player .footmap"),
      pause: $("btn-pause"),
    };
    this.shown = null;
    this.offline = false;
    player.on("change", () => this.controls());
  }

  cue(text) {
    if (this.el.cue.textContent !== text) this.el.cue.textContent = text;
  }

  describeGroup(group) {
    if (!group) return "The end";
    const seg = group.first;
    if (seg.kind !== "action") return seg.title;
    const foot = seg.foot ? ` (${seg.foot} foot)` : "";
    return `Step ${seg.step}: ${seg.title}${foot}`;
  }

  segmentChanged(seg) {
    const p = this.player;
    this.el.title.textContent = seg.title;
    this.el.action.textContent = seg.kind === "action" ? seg.action_name || "" : "";
    this.el.foot.textContent = seg.foot ? `${seg.foot[0].toUpperCase()}${seg.foot.slice(1)} foot` : "";
    this.el.stepnum.textContent =
      seg.kind === "action" ? `Step ${seg.step} of ${p.stepCount}` : "";
    this.el.next.textContent = this.describeGroup(p.groups[seg.group + 1]);
    const zones = new Set(seg.zones || []);
    if (this.el.map) {
      this.el.map.classList.toggle("left", seg.foot === "left");
      for (const node of this.el.map.querySelectorAll("[data-zone]")) {
        node.classList.toggle("lit", zones.has(node.dataset.zone));
      }
    }
    const names = [...zones].map((z) => this.doc.zones?.[z] || z);
    this.el.zones.textContent = !names.length
      ? ""
      : names.length >= 5
        ? "The whole foot"
        : names.join(", ");
    if (seg.tradition) {
      this.el.tradition.textContent = `Reflexology tradition, not medical fact: ${seg.tradition}.`;
      this.el.tradition.hidden = false;
    } else {
      this.el.tradition.hidden = true;
    }
  }

  draw(position) {
    const p = this.player;
    const seg = p.segmentAt(Math.min(position, p.total - 1e-6));
    if (this.shown !== seg.index) {
      this.shown = seg.index;
      this.segmentChanged(seg);
    }
    const remaining = Math.max(0, seg.end - position);
    const fraction = Math.min(1, Math.max(0, (position - seg.start) / (seg.end - seg.start)));
    this.el.ring.setAttribute("stroke-dashoffset", String((fraction * 100).toFixed(2)));
    const ringText = clockText(remaining);
    if (this.el.ringTime.textContent !== ringText) this.el.ringTime.textContent = ringText;
    const left = `${clockText(p.total - position)} left`;
    if (this.el.left.textContent !== left) this.el.left.textContent = left;
    setBar(this.el.sessionBar, position / p.total);
    const group = p.groups[seg.group];
    setBar(this.el.stepBar, (position - group.start) / (group.end - group.start));
    this.controls();
  }

  controls() {
    const p = this.player;
    const label = p.paused ? "Resume" : "Pause";
    if (this.el.pause.textContent !== label) this.el.pause.textContent = label;
    let status = "";
    if (p.paused && !p.finished) status = "Paused. Tap anywhere or press Space to go on.";
    else if (this.offline) status = "Offline: progress is kept and sent when the server is back.";
    if (this.el.status.textContent !== status) this.el.status.textContent = status;
  }

  connection() {
    this.offline = outbox.pending() > 0;
    this.controls();
  }
}

function setBar(bar, fraction) {
  const value = Math.round(Math.min(1, Math.max(0, fraction)) * 100);
  if (bar.getAttribute("aria-valuenow") === String(value)) return;
  bar.setAttribute("aria-valuenow", String(value));
  bar.firstElementChild.style.width = `${value}%`;
}

// Wires a player to the page: buttons, keys (Space, arrows, Page Up/Down from pedals), the
// screen wake lock, the resume overlay and the after-rating.
export function runSession({ doc, sound, speed = 1, resumed = false, log = null }) {
  saveDoc(doc);
  const player = new Player({ doc, sound, speed, log });
  const $ = (id) => document.getElementById(id);
  const overlay = $("p-overlay");
  const done = $("p-done");
  const voice = doc.timeline.voice;
  if (voice === "partner") {
    $("after-legend").textContent = "And now, how stressed does your partner feel?";
  }

  let lock = null;
  const keepAwake = async () => {
    if (player.finished || lock || !("wakeLock" in navigator)) return;
    try {
      lock = await navigator.wakeLock.request("screen");
      lock.addEventListener("release", () => {
        lock = null;
      });
    } catch {
      lock = null; // refused (battery saver, not visible): the session runs regardless
    }
  };

  const showDone = (status, rated) => {
    done.hidden = false;
    overlay.hidden = true;
    $("done-h").textContent = status === "completed" ? "Session complete" : "Session ended";
    if (rated) $("after-form").hidden = true;
    $("done-h").focus();
    lock?.release().catch(() => {});
  };

  $("tap").addEventListener("click", () => player.toggle());
  $("btn-pause").addEventListener("click", () => player.toggle());
  $("btn-next").addEventListener("click", () => player.nextStep());
  $("btn-back").addEventListener("click", () => player.back());
  $("btn-end").addEventListener("click", () => {
    if (window.confirm("End tonight's session now? It is kept in the journal as stopped early.")) {
      player.finish("interrupted");
    }
  });

  const continueWithSound = () => {
    sound.unlock();
    overlay.hidden = true;
    keepAwake();
    $("btn-pause").focus();
  };
  $("btn-sound").addEventListener("click", continueWithSound);

  document.addEventListener("keydown", (event) => {
    if (!done.hidden || event.altKey || event.ctrlKey || event.metaKey) return;
    const target = event.target;
    if (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement) return;
    if (!overlay.hidden) {
      if (event.key === " " || event.key === "Enter") {
        if (target === $("btn-sound")) return; // the button's own click does it
        event.preventDefault();
        continueWithSound();
      }
      return;
    }
    const onButton = target instanceof HTMLButtonElement;
    if (event.key === " " || event.key === "Spacebar") {
      if (onButton) return;
      event.preventDefault();
      player.toggle();
    } else if (event.key === "ArrowRight" || event.key === "PageDown") {
      event.preventDefault();
      player.nextStep();
    } else if (event.key === "ArrowLeft" || event.key === "PageUp") {
      event.preventDefault();
      player.back();
    }
  });

  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") {
      keepAwake();
      player.loop(); // catch up at once instead of waiting for a throttled timer
    }
  });

  $("after-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const chosen = event.target.querySelector('input[name="after_stress"]:checked');
    if (!chosen) {
      $("after-status").textContent = "Choose a number from 0 to 10, or skip.";
      return;
    }
    player.rate(Number(chosen.value));
    $("after-status").textContent = "Saved. Sleep well.";
  });
  $("after-skip").addEventListener("click", () => {
    $("after-form").hidden = true;
  });

  player.on("finish", (status) => showDone(status, false));

  const point = resumed
    ? resumePoint(player.id, doc.session, doc.timeline, speed)
    : { position: 0, paused: false };
  if (point.finished) {
    player.finished = true;
    player.status = point.status;
    player.view.draw(player.total);
    showDone(point.status, point.rated);
    return player;
  }
  sound.choose();
  player.start({ position: point.position, paused: point.paused, resumed });
  if (resumed) {
    $("overlay-text").textContent = point.away
      ? "Paused where you left off."
      : "The session goes on where it was.";
    overlay.hidden = false;
    $("btn-sound").focus();
  } else {
    keepAwake();
    $("btn-pause").focus();
  }
  outbox.flush().then(() => player.view.connection());
  return player;
}
