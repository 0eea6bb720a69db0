// The player a person uses: a sandboxed stage, the pointer and click marks drawn over
// it, and controls (play/pause, a timeline to click and drag with markers, speeds,
// skipping inactivity, time). It drives the wasm `Replay` with the browser's clock.

/* global Applier, CanvasPainter, applierSelfCheck, wasm_bindgen */
/* exported Player, PLAYER_CSS, CSP_BLOCK, CSP_ALLOW */

// What a replayed page may load. By default nothing from the network: the recorded
// page's servers never learn who watches (and a recording cannot call home); inline
// styles and data: images still render. `resources: 'allow'` lets images, fonts and
// media load over http(s), for pages whose look depends on them.
const CSP_BLOCK = "default-src 'none'; script-src 'none'; style-src 'unsafe-inline' data:; img-src data: blob:; font-src data:; media-src data: blob:; form-action 'none'; base-uri 'none'; frame-src 'none'; object-src 'none'";
const CSP_ALLOW = "default-src 'none'; script-src 'none'; style-src 'unsafe-inline' data: http: https:; img-src data: blob: http: https:; font-src data: http: https:; media-src data: blob: http: https:; form-action 'none'; base-uri 'none'; frame-src 'none'; object-src 'none'";

const PLAYER_CSS = `
.srp{position:relative;display:flex;flex-direction:column;width:100%;height:100%;min-height:240px;background:#111;color:#eee;font:13px/1.3 system-ui,sans-serif;outline:none}
.srp-stage{position:relative;flex:1;overflow:hidden;background:#222}
.srp-wrap{position:absolute;left:0;top:0;transform-origin:0 0}
.srp-wrap iframe{border:0;display:block;background:#fff;pointer-events:none}
.srp-overlay{position:absolute;left:0;top:0;right:0;bottom:0;pointer-events:none}
.srp-pointer{position:absolute;width:14px;height:14px;margin:-2px 0 0 -2px;display:none;background:no-repeat url("data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 14 20'%3E%3Cpath d='M1 1v16l4-4 3 6 2-1-3-6h6z' fill='%23000' stroke='%23fff' stroke-width='1.2'/%3E%3C/svg%3E");background-size:14px 20px;height:20px}
.srp-click{position:absolute;width:24px;height:24px;margin:-12px 0 0 -12px;border-radius:50%;border:3px solid #e5484d;box-sizing:border-box;animation:srp-click .6s ease-out forwards}
@keyframes srp-click{from{transform:scale(.3);opacity:1}to{transform:scale(1.6);opacity:0}}
.srp-bar{display:flex;align-items:center;gap:8px;padding:6px 8px;background:#1b1b1b}
.srp-bar button,.srp-bar select{background:#333;color:#eee;border:1px solid #444;border-radius:4px;padding:3px 8px;font:inherit;cursor:pointer}
.srp-time{font-variant-numeric:tabular-nums;white-space:nowrap}
.srp-line{position:relative;flex:1;height:22px;cursor:pointer;touch-action:none}
.srp-track{position:absolute;left:0;right:0;top:9px;height:4px;background:#444;border-radius:2px}
.srp-done{position:absolute;left:0;top:9px;height:4px;background:#4f8cff;border-radius:2px}
.srp-knob{position:absolute;top:5px;width:12px;height:12px;margin-left:-6px;border-radius:50%;background:#fff}
.srp-marks{position:absolute;left:0;right:0;top:0;bottom:0;contain:strict;pointer-events:none}
.srp-mark{position:absolute;top:2px;width:3px;height:6px;margin-left:-1px;background:#aaa;cursor:pointer;pointer-events:auto}
.srp-mark[data-kind=navigation]{background:#4fd1c5}
.srp-mark[data-kind=input]{background:#f6c343}
.srp-mark.srp-signal{top:14px;height:8px;width:5px;margin-left:-2px;background:#e5484d}
.srp-skip{white-space:nowrap}
.srp-note{padding:6px 8px;background:#4a1d1d;color:#ffd7d7;display:none;white-space:pre-wrap}
`;

// How many steps the timeline's markers are merged into (see drawMarkers).
const MARK_STEPS = 600;

function fmtTime(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const m = Math.floor(s / 60);
  return `${m}:${String(s % 60).padStart(2, '0')}`;
}

function toBytes(source) {
  if (source.bytes) {
    const b = source.bytes;
    return b instanceof Uint8Array ? b : new Uint8Array(b);
  }
  if (source.events) return new TextEncoder().encode(JSON.stringify(source.events));
  if (source.json) return new TextEncoder().encode(source.json);
  throw new TypeError('SessionReplay.Player: give { events }, { bytes } or { json }');
}

let cssAdded = false;

class Player {
  // `container`: an element the player fills. `source`: { events } (rrweb events),
  // { bytes } (rrweb JSON or the crate's binary format), or { json }.
  // Options: speed, skipInactivity (ms, 0 to play it; default 10 s), resources
  // ('block' or 'allow'), autoplay, controls (default true), pointer (default true),
  // maxScale (the page is scaled to fit the stage, at most this much).
  constructor(container, source, options = {}) {
    if (!(container instanceof Element)) throw new TypeError('SessionReplay.Player: container must be an element');
    const replay = wasm_bindgen.Replay.fromBytes(toBytes(source));
    this.replay = replay;
    this.options = options;
    this.container = container;
    this.duration = replay.duration;
    this.speed = 1;
    this.raf = 0;
    this.lastClickAt = null;
    this.listeners = new Set();
    this.problems = replay.problems();
    this.markers = JSON.parse(replay.markers());
    this.buildDom(options);
    this.applier = new Applier(this.iframe, { onViewport: (w, h) => this.fit(w, h) });
    // 2D canvases, drawn from the recorded commands (web/js/canvas.js).
    this.painter = new CanvasPainter(this.applier.nodes, { resources: options.resources, onIdle: () => this.emit('canvas') });
    this.setSpeed(options.speed || 1);
    this.setSkipInactivity(options.skipInactivity === undefined ? 10000 : options.skipInactivity);
    this.resizeObserver = new ResizeObserver(() => this.refit());
    this.resizeObserver.observe(this.stage);
    // The first frame: where the page first exists (its full snapshot).
    this.seek(replay.firstFrame);
    if (options.autoplay) this.play();
  }

  buildDom(options) {
    if (!cssAdded) {
      const style = document.createElement('style');
      style.textContent = PLAYER_CSS;
      document.head.appendChild(style);
      cssAdded = true;
    }
    const root = document.createElement('div');
    root.className = 'srp';
    root.tabIndex = 0;
    root.innerHTML = `
      <div class="srp-stage"><div class="srp-wrap"></div><div class="srp-overlay"><div class="srp-pointer"></div></div></div>
      <div class="srp-note" role="status"></div>
      <div class="srp-bar">
        <button class="srp-play" type="button" title="Play (space)">Play</button>
        <span class="srp-time">0:00 / 0:00</span>
        <div class="srp-line" role="slider" aria-label="Position"><div class="srp-track"></div><div class="srp-done"></div><div class="srp-marks"></div><div class="srp-knob"></div></div>
        <select class="srp-speed" title="Speed"><option value="1">1x</option><option value="2">2x</option><option value="4">4x</option><option value="8">8x</option></select>
        <label class="srp-skip"><input type="checkbox" class="srp-skipbox" checked> skip inactivity</label>
      </div>`;
    this.container.appendChild(root);
    this.root = root;
    this.stage = root.querySelector('.srp-stage');
    this.wrap = root.querySelector('.srp-wrap');
    this.overlay = root.querySelector('.srp-overlay');
    this.pointer = root.querySelector('.srp-pointer');
    this.note = root.querySelector('.srp-note');
    this.playButton = root.querySelector('.srp-play');
    this.timeLabel = root.querySelector('.srp-time');
    this.line = root.querySelector('.srp-line');
    this.done = root.querySelector('.srp-done');
    this.knob = root.querySelector('.srp-knob');
    if (options.controls === false) root.querySelector('.srp-bar').style.display = 'none';
    if (options.pointer === false) this.overlay.style.display = 'none';

    // The stage: a sandboxed iframe (no allow-scripts: nothing recorded runs; no
    // allow-forms, allow-popups or allow-top-navigation: nothing navigates), same-origin
    // only so that the applier can build the page inside it.
    const iframe = document.createElement('iframe');
    iframe.setAttribute('sandbox', 'allow-same-origin');
    iframe.setAttribute('referrerpolicy', 'no-referrer');
    iframe.setAttribute('title', 'Replayed page');
    iframe.setAttribute('tabindex', '-1');
    // Nothing in the replayed page takes focus or input (Tab would reach its links).
    iframe.inert = true;
    this.wrap.appendChild(iframe);
    this.iframe = iframe;
    // A content security policy for the replayed document, set before any recorded
    // node exists: delivered by a <meta> that the first patch removes again (a policy
    // stays in force once a document has read it), so the document ends up holding only
    // the recorded page's nodes.
    const doc = iframe.contentDocument;
    const csp = options.resources === 'allow' ? CSP_ALLOW : CSP_BLOCK;
    doc.open();
    doc.write(`<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="${csp}"></head><body></body></html>`);
    doc.close();

    if (this.problems.length) {
      this.note.style.display = 'block';
      this.note.textContent = `Parts of this recording could not be read and are skipped:\n${this.problems.join('\n')}`;
    }
    this.drawMarkers(root.querySelector('.srp-marks'));
    // The time label keeps its width as the time changes, so that the timeline (and
    // its markers) is not laid out again at every seek and frame.
    this.timeLabel.style.minWidth = `${2 * fmtTime(this.duration).length + 3}ch`;

    this.playButton.addEventListener('click', () => (this.playing ? this.pause() : this.play()));
    root.querySelector('.srp-speed').addEventListener('change', (e) => this.setSpeed(Number(e.target.value)));
    root.querySelector('.srp-skipbox').addEventListener('change', (e) => this.setSkipInactivity(e.target.checked ? 10000 : 0));
    root.addEventListener('keydown', (e) => this.onKey(e));
    let dragging = false;
    let pendingSeek = null;
    const at = (e) => {
      const r = this.line.getBoundingClientRect();
      return Math.min(1, Math.max(0, (e.clientX - r.left) / Math.max(1, r.width))) * this.duration;
    };
    this.line.addEventListener('pointerdown', (e) => {
      dragging = true;
      this.line.setPointerCapture(e.pointerId);
      this.seek(at(e));
    });
    this.line.addEventListener('pointermove', (e) => {
      if (!dragging) return;
      // One seek per frame while dragging, to the latest position.
      if (pendingSeek === null) {
        requestAnimationFrame(() => {
          if (!this.destroyed) this.seek(pendingSeek);
          pendingSeek = null;
        });
      }
      pendingSeek = at(e);
    });
    this.line.addEventListener('pointerup', () => { dragging = false; });
    this.line.addEventListener('pointercancel', () => { dragging = false; });
  }

  onKey(e) {
    if (e.target instanceof HTMLSelectElement || e.target instanceof HTMLInputElement) return;
    if (e.key === ' ') {
      e.preventDefault();
      if (this.playing) this.pause(); else this.play();
    } else if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
      e.preventDefault();
      const step = e.shiftKey ? 1000 : 5000;
      this.seek(this.currentTime + (e.key === 'ArrowLeft' ? -step : step));
    } else if (e.key === 'Home') {
      e.preventDefault();
      this.seek(0);
    } else if (e.key === 'End') {
      e.preventDefault();
      this.seek(this.duration);
    }
  }

  get playing() {
    return this.replay.playing;
  }

  get currentTime() {
    return this.replay.position;
  }

  // Moves to `offsetMs` from the first event. When it returns, the iframe's DOM shows
  // that instant (and its layout is done).
  seek(offsetMs) {
    const ms = Math.min(this.duration, Math.max(0, Number(offsetMs) || 0));
    const t0 = performance.now();
    const patched = this.replay.seek(ms);
    const t1 = performance.now();
    let words = 0;
    if (patched) words = this.applyPatch();
    // The canvases as they were at that instant (drawn at once, or once their images
    // are decoded: `canvasDrawn()`).
    this.painter.apply(this.replay.canvasWork());
    const t2 = performance.now();
    // Playing goes on from here; at the end, it stops (Replay.play would rewind).
    if (this.playing) {
      if (ms >= this.duration) this.pause();
      else this.replay.play(performance.now());
    }
    // Force layout, so that the instant is on screen when seek returns.
    const el = this.iframe.contentDocument && this.iframe.contentDocument.documentElement;
    if (el) void el.offsetHeight;
    const t3 = performance.now();
    this.lastClickAt = null;
    this.drawOverlay(false);
    this.drawControls();
    // Where the time of the last seek went (ms): the state machine and patch in wasm,
    // the DOM applied, the layout forced, and the player's own overlay and controls.
    this.lastSeek = { wasm: t1 - t0, apply: t2 - t1, layout: t3 - t2, controls: performance.now() - t3, words };
    this.emit('seek');
  }

  applyPatch() {
    const words = this.replay.ops();
    this.applier.apply(words, this.replay.strings());
    return words.length;
  }

  // Resolves once every canvas shows the current instant (images in the recorded
  // drawing decode asynchronously; everything else is drawn before seek returns).
  canvasDrawn() {
    return this.painter.whenIdle();
  }

  play() {
    if (this.playing) return;
    if (this.currentTime >= this.duration) this.seek(0);
    this.replay.play(performance.now());
    this.playButton.textContent = 'Pause';
    const frame = () => {
      if (!this.playing) return;
      const flags = this.replay.tick(performance.now());
      if (flags & 4) this.applyPatch();
      if (flags & 8) this.painter.apply(this.replay.canvasWork());
      this.drawOverlay(true);
      this.drawControls();
      if (flags & 1) {
        this.pause();
        this.emit('finish');
        return;
      }
      this.raf = requestAnimationFrame(frame);
    };
    this.raf = requestAnimationFrame(frame);
    this.emit('play');
  }

  pause() {
    this.replay.pause();
    cancelAnimationFrame(this.raf);
    this.playButton.textContent = 'Play';
    this.drawControls();
    this.emit('pause');
  }

  setSpeed(x) {
    this.speed = Number(x) || 1;
    this.replay.setSpeed(this.speed);
    const sel = this.root.querySelector('.srp-speed');
    if (sel && [...sel.options].some((o) => Number(o.value) === this.speed)) sel.value = String(this.speed);
  }

  setSkipInactivity(ms) {
    this.replay.setSkipInactivity(ms);
  }

  on(event, fn) {
    this.listeners.add([event, fn]);
  }

  emit(event) {
    for (const [e, fn] of this.listeners) if (e === event) fn(this);
  }

  // Scales the recorded viewport to fit the stage.
  fit(w, h) {
    // A seek restates the viewport; the same size changes nothing (and reading the
    // stage's size would lay out the player's page for nothing).
    if (w === this.vw && h === this.vh) return;
    this.vw = w;
    this.vh = h;
    this.iframe.style.width = `${w}px`;
    this.iframe.style.height = `${h}px`;
    this.refit();
  }

  refit() {
    if (!this.vw) return;
    const sw = this.stage.clientWidth, sh = this.stage.clientHeight;
    let scale = Math.min(sw / this.vw, sh / this.vh) || 1;
    if (this.options.maxScale > 0) scale = Math.min(scale, this.options.maxScale);
    this.scale = scale;
    const left = Math.max(0, Math.round((sw - this.vw * scale) / 2));
    const top = Math.max(0, Math.round((sh - this.vh * scale) / 2));
    this.wrap.style.transform = `translate(${left}px, ${top}px) scale(${scale})`;
    this.offset = [left, top];
    this.drawOverlay(false);
  }

  drawOverlay(animate) {
    const scale = this.scale || 1;
    const [ox, oy] = this.offset || [0, 0];
    const p = this.replay.pointer();
    if (p.length === 2) {
      this.pointer.style.display = 'block';
      this.pointer.style.left = `${ox + p[0] * scale}px`;
      this.pointer.style.top = `${oy + p[1] * scale}px`;
    } else {
      this.pointer.style.display = 'none';
    }
    // A mark where each click lands: new clicks while playing, and after a seek the
    // last click if it was less than a second before.
    const c = this.replay.lastClick();
    if (c.length === 3) {
      const at = this.currentTime - c[2];
      const fresh = animate ? at !== this.lastClickAt : c[2] < 1000;
      if (fresh && this.lastClickAt !== at) {
        const mark = document.createElement('div');
        mark.className = 'srp-click';
        mark.style.left = `${ox + c[0] * scale}px`;
        mark.style.top = `${oy + c[1] * scale}px`;
        mark.addEventListener('animationend', () => mark.remove());
        this.overlay.appendChild(mark);
      }
      this.lastClickAt = at;
    }
  }

  // The timeline's markers: at most one per kind and signal per step of the timeline
  // (MARK_STEPS of them), standing for every marker in it and seeking to the first. A
  // 3-hour session has ~18,600 markers; one element each cost ~20 ms of layout at every
  // seek. The marks' box is laid out apart from the rest (`contain: strict`).
  drawMarkers(box) {
    const groups = new Map();
    const d = this.duration;
    for (const m of this.markers) {
      const step = d > 0 ? Math.min(MARK_STEPS, Math.floor((m.t / d) * MARK_STEPS)) : 0;
      const key = `${step}/${m.signal ? 1 : 0}/${m.kind}`;
      const g = groups.get(key);
      if (g) g.count++;
      else groups.set(key, { m, count: 1 });
    }
    const frag = document.createDocumentFragment();
    for (const { m, count } of groups.values()) {
      const el = document.createElement('div');
      el.className = m.signal ? 'srp-mark srp-signal' : 'srp-mark';
      el.dataset.kind = m.kind;
      el.dataset.t = String(m.t);
      if (count > 1) el.dataset.count = String(count);
      el.style.left = `${d > 0 ? (100 * m.t) / d : 0}%`;
      el.title = count > 1 ? `${m.label} at ${fmtTime(m.t)}, and ${count - 1} more just after` : `${m.label} at ${fmtTime(m.t)}`;
      frag.appendChild(el);
    }
    box.appendChild(frag);
    box.addEventListener('pointerdown', (e) => {
      const el = e.target.closest && e.target.closest('.srp-mark');
      if (!el) return;
      e.stopPropagation();
      this.seek(Number(el.dataset.t));
    });
  }

  drawControls() {
    const t = this.currentTime;
    const f = this.duration > 0 ? t / this.duration : 0;
    this.done.style.width = `${100 * f}%`;
    this.knob.style.left = `${100 * f}%`;
    this.timeLabel.textContent = `${fmtTime(t)} / ${fmtTime(this.duration)}`;
    this.line.setAttribute('aria-valuenow', String(Math.round(t)));
  }

  destroy() {
    if (this.destroyed) return;
    this.destroyed = true;
    this.pause();
    this.resizeObserver.disconnect();
    this.root.remove();
    this.replay.free();
  }
}
