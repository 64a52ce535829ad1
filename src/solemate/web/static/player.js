// The player: keeps the Timeline's time, fires its cues, draws the screen, records the journal.
//
// Two clocks. The track: tonight's session rendered by the server as one audio file, played in an
// <audio> element. The browser keeps a media element playing with the screen locked (page timers
// are throttled or frozen then), over plain http and without a wake lock, so when the track is
// there the page only follows its currentTime: what it shows, the step it records, and the time
// actually played all come from it, on `timeupdate` (which media elements fire in a hidden page
// too), on becoming visible, and at the end. Pause, next and back seek within the track, and the
// lock screen's controls do the same through the Media Session API.
//
// The cue-by-cue path is the fallback, while the track is being rendered or where it cannot play:
// deadlines are absolute, as in the terminal guide: one anchor says "session position P was at
// monotonic time T" (performance.now()), and every position and deadline is computed from it.
// Nothing accumulates, so a timer that fires late (a busy phone, a tab in the background for a
// few seconds) makes the screen catch up instead of the session drifting. The state that lets a
// reloaded page resume (position, paused, when) is kept in localStorage on every change.

import { api, outbox } from "./api.js";

// What the end says, by the journal's status for the session.
const DONE_HEADINGS = {
  completed: "Session complete",
  skipped: "Skipped through",
  interrupted: "Session ended",
};

const KEY = "solemate.session.";
export const CURRENT = "solemate.current";
const AWAY_LIMIT_S = 60; // back after longer than this: resume paused, where it was
const LATE_S = 1.5; // cues this late are skipped (only the newest is said)
const MAX_WAIT_MS = 250;
const PROGRESS_EVERY_MS = 20000; // played time is sent this often while playing, besides steps
const TRACK_POLL_MS = 2000;

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

const COUNTED = new Set(["count", "tick", "release"]);
const capital = (text) => (text ? text[0].toUpperCase() + text.slice(1) : text);

// What the screen shows for a count: "Circle 2 of 5 · clockwise", "The second toe · 2 of 5",
// "Release · 1 of 3". The spoken words are short fragments ("clockwise.", "Circle 2."); the
// screen says where in the set the count is, and which way.
export function countText(seg, cue) {
  if (!COUNTED.has(cue.kind) || !cue.n || !cue.of) return null;
  if (cue.kind === "release") return `Release · ${cue.n} of ${cue.of}`;
  let before = 0;
  for (const [size, label] of seg.counts || []) {
    if (cue.n <= before + size) {
      const k = cue.n - before;
      if (size === 1) return `${capital(label)} · ${cue.n} of ${cue.of}`;
      // The noun the voice counts with ("Circle 2."), else a plain count.
      const said = (seg.cues || [])
        .map((c) => /^([A-Z][a-z]+) \d+\.?$/.exec(c.text))
        .find(Boolean);
      const noun = said ? said[1] : "Count";
      return `${noun} ${k} of ${size} · ${label}`;
    }
    before += size;
  }
  return `${cue.n} of ${cue.of}`;
}

// The words on the screen for a part, from its first moment (not only once its first cue is due,
// which comes after the chime): an action's whole description, else what the part says first.
function partText(seg) {
  if (seg.kind === "action" && seg.instruction) return seg.instruction;
  const first = (seg.cues || []).find((c) => !COUNTED.has(c.kind));
  return first ? first.text : "";
}

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
export function resumePoint(id, session, timeline, speed) {
  const saved = loadState(id);
  if (saved) {
    const played = saved.played || 0;
    if (saved.finished) {
      return { finished: true, status: saved.status, rated: saved.rated, played };
    }
    if (saved.paused) return { position: saved.pos, paused: true, played };
    const away = (epochNow() - saved.epoch) / 1000;
    if (away >= 0 && away <= AWAY_LIMIT_S) {
      return { position: Math.min(saved.pos + away * speed, timeline.total), paused: false, played };
    }
    return { position: saved.pos, paused: true, away: true, played };
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
    this.next = 0;
    this.current = null;
    this.finished = false;
    this.timer = null;
    this.lastSave = 0;
    this.media = null; // the <audio> element once the track plays: the clock from then on
    this.played = 0; // seconds of the session actually played (not paused, not skipped)
    this.mediaT = null; // the track's currentTime at the last timeupdate that counted
    this.lastPost = 0;
    this.listeners = { finish: [], change: [], track: [], recorded: [] };
    this.view = new View(this);
  }

  on(event, fn) {
    this.listeners[event].push(fn);
  }

  emit(event, value) {
    for (const fn of this.listeners[event]) fn(value);
  }

  position() {
    if (this.media) return Math.min(this.media.currentTime, this.total);
    if (this.paused) return this.anchorPos;
    return this.anchorPos + ((performance.now() - this.anchorT) / 1000) * this.speed;
  }

  // Re-anchors the page's clock; the time played since the last anchor is counted first.
  anchor(position) {
    if (!this.media && !this.paused && !this.finished) {
      this.played += Math.max(0, this.position() - this.anchorPos);
    }
    this.anchorPos = position;
    this.anchorT = performance.now();
  }

  playedSeconds() {
    let played = this.played;
    if (!this.media && !this.paused && !this.finished) {
      played += Math.max(0, this.position() - this.anchorPos);
    }
    return Math.round(Math.min(played, 86400) * 10) / 10;
  }

  // The track is loaded. Playing, it must start playing before it takes over (a browser refuses
  // play() without a tap on a reloaded page: then the next tap or key hands over, and the cues
  // go on meanwhile); paused, it takes over at once and Resume plays it.
  useTrack(media) {
    if (this.finished || this.media) return;
    if (this.paused) {
      this.takeTrack(media);
      return;
    }
    const at = Math.min(this.position(), Math.max(0, this.total - 0.5));
    if (Math.abs(media.currentTime - at) > 0.25) media.currentTime = at;
    media.play().then(
      () => {
        if (this.finished || this.media) {
          if (!this.media) media.pause();
          return;
        }
        if (this.paused) media.pause();
        this.takeTrack(media);
      },
      () => {
        this.log?.push({ event: "track-refused" });
        const retry = () => {
          document.removeEventListener("pointerdown", retry, true);
          document.removeEventListener("keydown", retry, true);
          this.useTrack(media);
        };
        document.addEventListener("pointerdown", retry, true);
        document.addEventListener("keydown", retry, true);
      },
    );
  }

  // From here on the track's currentTime is the session's clock, and its sound replaces the
  // page's cues and chimes.
  takeTrack(media) {
    const position = this.position();
    this.anchor(position); // counts the cue-by-cue time played so far
    this.media = media;
    this.sound.cut();
    media.playbackRate = this.speed;
    this.mediaT = null;
    const count = () => {
      const t = media.currentTime;
      if (this.mediaT !== null && !media.seeking && !media.paused) {
        const step = t - this.mediaT;
        // Normal playback only: a seek (next, back, a lock-screen scrub) jumps, and never counts.
        if (step > 0 && step < 2 * Math.max(1, this.speed)) this.played += step;
      }
      this.mediaT = t;
    };
    media.addEventListener("timeupdate", () => {
      count();
      this.loop();
      if (!this.finished && !media.paused && performance.now() - this.lastPost > PROGRESS_EVERY_MS) {
        this.record(this.segmentAt(this.position()).index);
      }
    });
    media.addEventListener("seeked", () => {
      this.mediaT = media.currentTime;
      this.loop();
    });
    media.addEventListener("ended", () => {
      count();
      this.finish("completed");
    });
    media.addEventListener("pause", () => {
      count();
      if (!this.finished && !this.paused && !media.ended) {
        // Paused from outside the page (the lock screen, a headset, a call).
        this.paused = true;
        this.log?.push({ event: "pause" });
        this.save();
        this.emit("change");
      }
    });
    media.addEventListener("play", () => {
      this.mediaT = media.currentTime;
      if (this.paused && !this.finished) {
        this.paused = false;
        this.log?.push({ event: "resume-play" });
        this.save();
        this.emit("change");
      }
    });
    const at = Math.min(position, Math.max(0, this.total - 0.5));
    if (Math.abs(media.currentTime - at) > 0.25) media.currentTime = at;
    this.log?.push({ event: "track", position: at });
    this.emit("track", media);
    this.save();
    this.loop();
  }

  segmentAt(position) {
    const i = Math.max(0, upperBound(this.starts, position) - 1);
    return this.segments[Math.min(i, this.segments.length - 1)];
  }

  start({ position = 0, paused = false, resumed = false } = {}) {
    this.anchor(Math.max(0, Math.min(position, this.total)));
    this.paused = paused;
    this.next = lowerBound(this.times, this.anchorPos);
    if (resumed && this.anchorPos > 0) {
      const seg = this.segmentAt(this.anchorPos);
      this.current = seg.index;
      const said = this.cues.slice(0, this.next).filter((c) => c.seg.index === seg.index);
      if (said.length) this.catchUp(this.anchorPos);
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
    const quiet = Boolean(this.media); // the track says and rings everything itself
    let chimed = quiet;
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
      if (!quiet) {
        if (item.cue.kind === "tick") this.sound.tick();
        else this.sound.say(item.cue.text);
      }
      this.log?.push({ event: item.cue.kind === "tick" ? "tick" : "say", text: item.cue.text });
    }
    this.view.said(due[due.length - 1]);
  }

  // A new segment begins: chime and record when the step (or the foot) changes.
  enter(seg, alreadyChimed) {
    const previous = this.current === null ? null : this.segments[this.current];
    this.current = seg.index;
    this.log?.push({ event: "enter", index: seg.index, title: seg.title });
    if (previous && stepKey(previous) === stepKey(seg)) return false;
    if (!alreadyChimed && !this.media) {
      if (seg.kind === "between-feet") this.sound.chime("switch");
      else if (seg.kind === "action" && previous) this.sound.chime("step");
    }
    this.record(seg.index);
    return true;
  }

  record(index) {
    this.lastPost = performance.now();
    const body = { segment: index, played_seconds: this.playedSeconds() };
    outbox.push("POST", `/api/sessions/${this.id}/progress`, body).then(() => this.view.connection());
  }

  seek(position) {
    this.sound.cut();
    const to = Math.max(0, Math.min(position, this.total));
    if (this.media) {
      this.mediaT = null; // a jump is not played time
      this.media.currentTime = Math.min(to, Math.max(0, this.total - 0.05));
    }
    this.anchor(to);
    this.next = lowerBound(this.times, to);
    this.catchUp(to);
    this.save();
    this.loop();
  }

  // After a jump, the screen shows what the part has said so far: its words and its last count.
  catchUp(position) {
    if (position >= this.total) return;
    const seg = this.segmentAt(position);
    const said = this.cues.slice(0, this.next).filter((c) => c.seg.index === seg.index);
    this.view.show(seg);
    const words = said.filter((c) => !COUNTED.has(c.cue.kind)).pop();
    if (words) this.view.said(words);
    const counted = said.filter((c) => countText(c.seg, c.cue)).pop();
    if (counted) this.view.said(counted);
    else this.view.count("");
  }

  toggle() {
    if (this.paused) this.resume();
    else this.pause();
  }

  pause() {
    if (this.paused || this.finished) return;
    this.anchor(this.position());
    this.paused = true;
    this.media?.pause();
    this.sound.cut();
    this.log?.push({ event: "pause" });
    this.save();
    this.emit("change");
    this.loop();
  }

  resume() {
    if (!this.paused || this.finished) return;
    this.anchor(this.anchorPos); // while still paused: the pause is not played time
    this.paused = false;
    if (this.media) {
      this.mediaT = this.media.currentTime;
      this.media.play().catch(() => {
        this.paused = true;
        this.emit("change");
      });
    }
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
    const played = this.playedSeconds();
    this.finished = true;
    this.status = status;
    this.played = played;
    if (status === "completed") {
      this.anchor(this.total);
      if (!this.media) this.sound.chime("end"); // the track ends with its own chime
    } else {
      this.media?.pause();
    }
    this.log?.push({ event: "finish", status, played });
    const body = { status, played_seconds: played };
    // The journal decides what the session was (completed needs most of it played): once the end
    // is recorded, the page shows the journal's word for it.
    outbox
      .push("POST", `/api/sessions/${this.id}/finish`, body)
      .then((sent) => {
        this.view.connection();
        return sent ? api("GET", `/api/sessions/${this.id}`) : null;
      })
      .then((answer) => {
        if (answer?.ok) this.emit("recorded", answer.data.session.status);
      })
      .catch(() => {});
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
      finished: this.finished,
      status: this.status || null,
      rated: Boolean(this.rated),
      played: this.playedSeconds(),
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
      count: $("p-count"),
    };
    this.shown = null;
    this.offline = false;
    player.on("change", () => this.controls());
  }

  cue(text) {
    if (this.el.cue.textContent !== text) this.el.cue.textContent = text;
  }

  count(text) {
    if (this.el.count && this.el.count.textContent !== text) this.el.count.textContent = text;
  }

  // A cue came due: a count is shown as where it is in its set, beside the instruction; other
  // words replace the text (an action keeps its whole description, even when only named).
  show(seg) {
    if (this.shown !== seg.index) {
      this.shown = seg.index;
      this.segmentChanged(seg);
    }
  }

  said({ cue, seg }) {
    this.show(seg);
    const counted = countText(seg, cue);
    if (counted) {
      this.count(counted);
      return;
    }
    if (COUNTED.has(cue.kind)) return;
    this.cue(cue.kind === "instruction" ? seg.instruction : cue.text);
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
    // The words change with the title, not a chime later when the first cue is said.
    this.cue(partText(seg));
    this.count("");
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

  const summary = new Summary(doc, $("done-summary"));
  const showDone = (status, rated) => {
    done.hidden = false;
    overlay.hidden = true;
    $("done-h").textContent = DONE_HEADINGS[status] ?? DONE_HEADINGS.interrupted;
    if (rated) $("after-form").hidden = true;
    summary.show(player.playedSeconds());
    $("done-h").focus({ preventScroll: true });
    lock?.release().catch(() => {});
    if ("mediaSession" in navigator) navigator.mediaSession.playbackState = "none";
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
      if (!player.finished) player.record(player.segmentAt(player.position()).index);
    }
  });

  const media = $("p-track");
  mediaSession(player);
  if (media && doc.track && sound.speakOn !== false) followTrack(player, media, doc.track);

  $("after-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const chosen = event.target.querySelector('input[name="after_stress"]:checked');
    if (!chosen) {
      $("after-status").textContent = "Choose a number from 0 to 10, or skip.";
      return;
    }
    player.rate(Number(chosen.value));
    summary.after = Number(chosen.value);
    summary.show(player.playedSeconds());
    $("after-status").textContent = "Saved. Sleep well.";
  });
  $("after-skip").addEventListener("click", () => {
    $("after-form").hidden = true;
  });

  player.on("finish", (status) => showDone(status, false));
  player.on("recorded", (status) => {
    $("done-h").textContent = DONE_HEADINGS[status] ?? DONE_HEADINGS.interrupted;
  });

  const point = resumed
    ? resumePoint(player.id, doc.session, doc.timeline, speed)
    : { position: 0, paused: false };
  player.played = point.played || 0;
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

// Plays the server's track once it is rendered: asks where it stands every few seconds until then
// (the cue-by-cue path plays meanwhile), loads it and hands the clock over once it can play. A
// track that fails, or a browser that cannot play it, leaves the session on the cue-by-cue path.
function followTrack(player, media, track) {
  if (!media.canPlayType || !media.canPlayType("audio/mpeg")) return;
  try {
    media.playbackRate = player.speed; // a test clock faster than media can play stays on cues
  } catch {
    return;
  }
  let tries = 0;
  const load = () => {
    if (player.finished) return;
    media.preload = "auto";
    media.addEventListener(
      "loadedmetadata",
      () => {
        if (media.duration + 0.5 < player.total) return; // not tonight's whole session
        player.useTrack(media);
      },
      { once: true },
    );
    media.addEventListener("error", () => player.log?.push({ event: "track-error" }), { once: true });
    media.src = track.url;
    media.load();
  };
  const poll = async () => {
    if (player.finished) return;
    let state = track.state;
    if (tries > 0) {
      try {
        const response = await fetch(track.status_url, { credentials: "same-origin", cache: "no-store" });
        state = response.ok ? (await response.json()).state : "failed";
      } catch {
        state = "rendering"; // the server is away for a moment
      }
    }
    tries += 1;
    if (state === "ready") load();
    else if (state === "rendering" && tries < 900) setTimeout(poll, TRACK_POLL_MS);
  };
  poll();
}

// The lock screen and headset: the session's title and the part playing (its chapter), play and
// pause, and next and previous as seeks to the next or previous part.
function mediaSession(player) {
  if (!("mediaSession" in navigator) || !window.MediaMetadata) return;
  const session = navigator.mediaSession;
  const title = player.timeline.title || "Tonight's foot massage";
  let shown = null;
  const describe = () => {
    if (!player.media) return;
    const seg = player.segmentAt(Math.min(player.position(), player.total - 1e-6));
    if (seg.index !== shown) {
      shown = seg.index;
      const where = seg.kind === "action" ? `Step ${seg.step} of ${player.stepCount}` : "";
      const foot = seg.foot ? ` · ${seg.foot} foot` : "";
      session.metadata = new MediaMetadata({
        title: seg.title,
        artist: `${where}${foot}` || title,
        album: title,
        artwork: [{ src: "/static/icon-512.png", sizes: "512x512", type: "image/png" }],
      });
    }
    session.playbackState = player.finished ? "none" : player.paused ? "paused" : "playing";
    try {
      session.setPositionState({
        duration: player.total,
        playbackRate: player.speed,
        position: Math.min(player.position(), player.total),
      });
    } catch {
      /* an older browser without position state */
    }
  };
  const on = (action, handler) => {
    try {
      session.setActionHandler(action, handler);
    } catch {
      /* an action this browser does not know */
    }
  };
  on("play", () => player.resume());
  on("pause", () => player.pause());
  on("nexttrack", () => player.nextStep());
  on("previoustrack", () => player.back());
  on("seekto", (details) => {
    if (Number.isFinite(details.seekTime)) player.seek(details.seekTime);
  });
  on("stop", () => player.pause());
  player.on("track", (media) => {
    describe();
    media.addEventListener("timeupdate", describe);
    media.addEventListener("seeked", describe);
  });
  player.on("change", describe);
}

// The end: time played, stress before and after, and the nights with a session this month.
class Summary {
  constructor(doc, el) {
    this.el = el;
    this.before = doc.session.before_stress ?? null;
    this.after = doc.session.after_stress ?? null;
    this.nights = null;
    this.loading = null;
  }

  async countNights() {
    try {
      const response = await fetch("/api/sessions?last=62", { credentials: "same-origin", cache: "no-store" });
      if (!response.ok) return null;
      const sessions = await response.json();
      const now = new Date();
      const days = new Set();
      for (const s of sessions) {
        const when = new Date(s.started_at || s.created_at);
        if (when.getFullYear() === now.getFullYear() && when.getMonth() === now.getMonth()) {
          days.add(when.toDateString());
        }
      }
      return days.size;
    } catch {
      return null; // offline: said without it
    }
  }

  show(played) {
    if (!this.el) return;
    this.played = played;
    this.render();
    if (this.nights === null && !this.loading) {
      this.loading = this.countNights().then((nights) => {
        this.nights = nights;
        this.render();
      });
    }
  }

  render() {
    const parts = [`${clockText(this.played || 0)} played`];
    if (this.before !== null && this.after !== null) {
      parts.push(`stress ${this.before} → ${this.after}`);
    } else if (this.before !== null) {
      parts.push(`stress before: ${this.before}`);
    }
    if (this.nights) parts.push(`${this.nights} ${this.nights === 1 ? "night" : "nights"} this month`);
    const text = parts.join(" · ");
    if (this.el.textContent === text) return;
    // Each part on one line: a narrow screen breaks between them, never inside "1 night".
    this.el.replaceChildren(
      ...parts.flatMap((part, i) => {
        const span = document.createElement("span");
        span.textContent = part;
        return i ? [" · ", span] : [span];
      }),
    );
  }
}
