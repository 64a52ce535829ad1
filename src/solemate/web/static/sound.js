// Everything the player says and rings: speech, chimes, the soft tick of a count that is not said,
// and the ambient bed.
//
// Speech is the server's own recordings in its natural offline voice (the one the terminal guide
// and the rendered files use), fetched ahead of time so they are there when due and stay cached
// for offline use. The browser's speech synthesis is the fallback, when the server offers no
// recordings or the first one cannot be fetched in time. Chimes are synthesised with Web Audio, so they
// need no files. Browsers allow sound only after a tap or a key: unlock() is called from one.

const SPEECH_WAIT_MS = 2500;
const FIRST_FILE_WAIT_MS = 8000;

// The promise's value, or null when it takes longer than ms.
function within(promise, ms) {
  return Promise.race([promise, new Promise((resolve) => setTimeout(() => resolve(null), ms))]);
}

export class Sound {
  constructor({ speak = true, ambient = false, audio = {} } = {}) {
    this.speakOn = speak;
    this.ambientOn = ambient;
    this.audio = audio; // cue text -> digest of the server-rendered file
    this.ctx = null;
    this.mode = speak ? "pending" : "off"; // "speech" | "files" | "off"
    this.voice = null;
    this.files = new Map(); // digest -> Promise<ArrayBuffer|null>
    this.buffers = new Map(); // digest -> Promise<AudioBuffer|null>
    this.sources = new Set();
    this.queueEnd = 0;
    this.chain = Promise.resolve();
    this.generation = 0;
    this.ambientNode = null;
    this.format = new Audio().canPlayType('audio/ogg; codecs="vorbis"') ? "ogg" : "wav";
    this.unlocked = false;
    this.waiting = null;
  }

  // Must run inside a user gesture: creates and resumes the audio context, primes speech.
  unlock() {
    if (!this.ctx) {
      const Context = window.AudioContext || window.webkitAudioContext;
      if (Context) this.ctx = new Context();
    }
    if (this.ctx && this.ctx.state !== "running") this.ctx.resume().catch(() => {});
    if (this.speakOn && window.speechSynthesis && window.SpeechSynthesisUtterance) {
      try {
        const hush = new SpeechSynthesisUtterance("");
        hush.volume = 0;
        window.speechSynthesis.speak(hush);
      } catch {
        /* speech synthesis refused: the files will do */
      }
    }
    // The session's track element too: a phone lets a media element play later (when the track
    // is rendered, after this tap) only if the element was touched inside a tap.
    const track = document.getElementById("p-track");
    if (track && !track.getAttribute("src")) {
      try {
        track.load();
      } catch {
        /* nothing to prime */
      }
    }
    this.unlocked = true;
    if (this.ambientOn) this.startAmbient();
  }

  // Decides between the server's files (preferred) and the browser's voice.
  async choose() {
    if (!this.speakOn) {
      this.mode = "off";
      return this.mode;
    }
    const first = Object.values(this.audio)[0];
    const served = first ? await within(this.fetchFile(first), FIRST_FILE_WAIT_MS) : null;
    const voice = served ? null : await englishVoice();
    if (voice) {
      this.voice = voice;
      this.mode = "speech";
    } else {
      this.useFiles();
    }
    // Say what was due while the voices were still loading (only the latest: it is current).
    const waiting = this.waiting;
    this.waiting = null;
    if (waiting) this.say(waiting);
    return this.mode;
  }

  useFiles() {
    if (this.mode === "files") return;
    this.mode = "files";
    this.prefetch(Object.keys(this.audio));
  }

  // Fetches every cue's file, two at a time, so tonight's session can run without the server.
  prefetch(texts) {
    const digests = [...new Set(texts.map((t) => this.audio[t]).filter(Boolean))];
    let next = 0;
    const worker = async () => {
      while (next < digests.length) {
        const digest = digests[next++];
        await this.buffer(digest);
      }
    };
    this.prefetched = Promise.all([worker(), worker()]).then(() => digests.length);
    return this.prefetched;
  }

  // The file's bytes are fetched as soon as the mode is known (no tap needed, so a reloaded page
  // can fill the offline cache at once); decoding waits for the audio context.
  fetchFile(digest) {
    if (!this.files.has(digest)) {
      const url = `/api/speech/${digest}.${this.format}`;
      const loading = fetch(url, { credentials: "same-origin" })
        .then((r) => (r.ok ? r.arrayBuffer() : Promise.reject(new Error(`${r.status}`))))
        .catch(() => {
          this.files.delete(digest); // try again next time
          return null;
        });
      this.files.set(digest, loading);
    }
    return this.files.get(digest);
  }

  buffer(digest) {
    if (!this.ctx) return this.fetchFile(digest).then(() => null);
    if (!this.buffers.has(digest)) {
      const decoding = this.fetchFile(digest)
        .then((data) => (data ? decode(this.ctx, data.slice(0)) : null))
        .catch(() => null)
        .then((buffer) => {
          if (!buffer) this.buffers.delete(digest);
          return buffer;
        });
      this.buffers.set(digest, decoding);
    }
    return this.buffers.get(digest);
  }

  say(text) {
    if (this.mode === "pending") this.waiting = text;
    if (this.mode === "speech") return this.speakWithBrowser(text);
    if (this.mode === "files") return this.playFile(text);
    return undefined;
  }

  speakWithBrowser(text) {
    const utterance = new SpeechSynthesisUtterance(text);
    utterance.voice = this.voice;
    utterance.lang = this.voice?.lang || "en-US";
    utterance.rate = 0.9;
    utterance.onerror = (event) => {
      if (event.error === "interrupted" || event.error === "canceled") return;
      // The browser cannot speak after all: the server's recordings take over from here.
      this.useFiles();
      this.playFile(text);
    };
    window.speechSynthesis.speak(utterance);
  }

  playFile(text) {
    const digest = this.audio[text];
    if (!digest || !this.ctx) return;
    const generation = this.generation;
    // Chained, so cues due at the same second are said one after another, in order.
    this.chain = this.chain.then(async () => {
      const buffer = await this.buffer(digest);
      if (!buffer || generation !== this.generation) return;
      const source = this.ctx.createBufferSource();
      source.buffer = buffer;
      source.connect(this.ctx.destination);
      const at = Math.max(this.ctx.currentTime + 0.02, this.queueEnd);
      source.start(at);
      this.queueEnd = at + buffer.duration + 0.25;
      this.sources.add(source);
      source.onended = () => this.sources.delete(source);
    });
  }

  // Stops what is being said: the person skipped, went back or paused.
  cut() {
    this.generation += 1;
    window.speechSynthesis?.cancel?.();
    for (const source of this.sources) {
      try {
        source.stop();
      } catch {
        /* already stopped */
      }
    }
    this.sources.clear();
    this.queueEnd = 0;
  }

  chime(kind) {
    if (!this.ctx || this.ctx.state !== "running") return;
    const notes = { step: [659.25], switch: [523.25, 783.99], end: [783.99, 659.25, 523.25] }[kind] || [659.25];
    const t0 = this.ctx.currentTime + 0.02;
    notes.forEach((frequency, i) => bell(this.ctx, frequency, t0 + i * 0.4));
  }

  // A count marked instead of said: a muted low tap (the audio file's tick, G4, a quarter second),
  // far under the voice.
  tick() {
    if (!this.ctx || this.ctx.state !== "running") return;
    tap(this.ctx, 392, this.ctx.currentTime + 0.02);
  }

  startAmbient() {
    if (!this.ctx || this.ambientNode) return;
    // Brown noise, low-passed and quiet: a soft bed like distant surf.
    const seconds = 4;
    const buffer = this.ctx.createBuffer(1, this.ctx.sampleRate * seconds, this.ctx.sampleRate);
    const data = buffer.getChannelData(0);
    let last = 0;
    for (let i = 0; i < data.length; i++) {
      last = (last + 0.02 * (Math.random() * 2 - 1)) / 1.02;
      data[i] = last * 3.5;
    }
    const source = this.ctx.createBufferSource();
    source.buffer = buffer;
    source.loop = true;
    const filter = this.ctx.createBiquadFilter();
    filter.type = "lowpass";
    filter.frequency.value = 500;
    const gain = this.ctx.createGain();
    gain.gain.setValueAtTime(0, this.ctx.currentTime);
    gain.gain.linearRampToValueAtTime(0.06, this.ctx.currentTime + 3);
    source.connect(filter).connect(gain).connect(this.ctx.destination);
    source.start();
    this.ambientNode = { source, gain };
  }

  stopAmbient() {
    if (!this.ambientNode || !this.ctx) return;
    const { source, gain } = this.ambientNode;
    gain.gain.linearRampToValueAtTime(0, this.ctx.currentTime + 2);
    source.stop(this.ctx.currentTime + 2.1);
    this.ambientNode = null;
  }
}

function decode(ctx, data) {
  return new Promise((resolve, reject) => ctx.decodeAudioData(data, resolve, reject));
}

function bell(ctx, frequency, at) {
  // A few inharmonic partials with a soft attack and a long decay: a small singing bowl.
  const partials = [[1, 1], [2.0, 0.3], [2.76, 0.18], [5.4, 0.06]];
  for (const [ratio, level] of partials) {
    const osc = ctx.createOscillator();
    osc.type = "sine";
    osc.frequency.value = frequency * ratio;
    const gain = ctx.createGain();
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.16 * level, at + 0.015);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + 2.6 / Math.sqrt(ratio));
    osc.connect(gain).connect(ctx.destination);
    osc.start(at);
    osc.stop(at + 2.7);
  }
}

function tap(ctx, frequency, at) {
  // The partials of a struck wooden bar, damped at once: a pitch without a ring, and no click.
  const partials = [[1, 1, 0.07], [2.76, 0.22, 0.025], [5.4, 0.05, 0.01]];
  for (const [ratio, level, decay] of partials) {
    const osc = ctx.createOscillator();
    osc.type = "sine";
    osc.frequency.value = frequency * ratio;
    const gain = ctx.createGain();
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.05 * level, at + 0.008);
    gain.gain.setTargetAtTime(0.0001, at + 0.008, decay);
    osc.connect(gain).connect(ctx.destination);
    osc.start(at);
    osc.stop(at + 0.3);
  }
}

function englishVoice() {
  const synth = window.speechSynthesis;
  if (!synth || typeof synth.getVoices !== "function") return Promise.resolve(null);
  const pick = () => {
    const voices = synth.getVoices() || [];
    const english = voices.filter((v) => (v.lang || "").toLowerCase().startsWith("en"));
    return english.find((v) => v.localService) || english[0] || null;
  };
  const now = pick();
  if (now) return Promise.resolve(now);
  return new Promise((resolve) => {
    const done = () => {
      synth.removeEventListener?.("voiceschanged", onChange);
      resolve(pick());
    };
    const onChange = () => {
      if (pick()) done();
    };
    synth.addEventListener?.("voiceschanged", onChange);
    setTimeout(done, SPEECH_WAIT_MS);
  });
}
