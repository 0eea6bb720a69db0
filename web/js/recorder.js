// The recorder's glue: `record(options)` observes the page (the full snapshot,
// mutations, pointer, touch, clicks, scroll, viewport, inputs, focus and selection, in
// the document, its open shadow roots and its same-origin iframes) and feeds what it
// saw to the wasm `Recording`, which assigns ids, masks, samples and coalesces. Only
// events that came back from the wasm are emitted: the glue never emits a value that
// the policy has not seen.
//
// Why it is built this way:
// - Every observation goes through one queue, in the order it happened, and is fed to
//   the wasm in slices with a time budget (SLICE_MS), so a burst of mutations (a
//   10,000-row table inserted at once) is absorbed over several tasks instead of
//   blocking the page. A subtree too big for one slice is walked across slices; the
//   nodes whose walk is pending hang under parents already sent.
// - Values are read when the queue reaches an observation, not when it happened (as
//   rrweb reads them in its observer callback): a node walked after a record was
//   queued already shows that record's effect, so the record is skipped for it
//   (`walked`), which keeps a node from being added twice.
// - The wasm runs in a worker where the page allows one (web/js/record_engine.js): the
//   page's main thread only observes and hands each slice over.
// - The wasm may not be ready when `record()` is called (the bundle is injected before
//   the page's scripts, and compiling takes a while): slices wait in the page's memory
//   only, and go to the wasm once it is ready, with their own times.
// - Observations cross the boundary as numbers in one Float64Array and strings in one
//   joined string (see web/src/recorder.rs for the command table): one copy per slice.

/* global createEngine, SVG_NS, SheetWatch, hookSheets, unhookSheets, sheetRules, recordOptions, batchMs,
   CommandBuffer, activeRecorders, hookSetters, unhookSetters, followSelection */

const REC = {
  PAGE: 1, SNAPSHOT: 2, MUTATIONS: 3, MOVE: 4, INTERACTION: 5, FOCUS: 6, BLUR: 7,
  SCROLL: 8, VIEWPORT: 9, INPUT: 10, SELECTION: 11, TICK: 12, KEYFRAME: 13, CUSTOM: 14,
  SHEET: 15, ADOPT: 16, FLUSH: 17, LOCATION: 18,
};
// rrweb's MouseInteractions codes, by DOM event type.
const INTERACTIONS = {
  mouseup: 0, mousedown: 1, click: 2, contextmenu: 3, dblclick: 4,
  touchstart: 7, touchend: 9, touchcancel: 10,
};
// Observations wait this long for others before a slice takes them (the `batchMs`
// option): one slice (one timer, one message to the worker and one answer) for two
// seconds of typing, pointer moves, mutations and selection together, instead of one
// per keystroke. The events keep the times they happened at; they only reach `emit`
// later. Each slice and its answer cost the page about 0.3-0.5 ms besides the
// observations themselves (measured: 69 fewer round trips to the worker saved 11 ms
// of a typing and pointer session). On the login session, same run, 4 rounds: 100 ms
// batches cost the page 48-51 ms of script, 500 ms 37 ms, 1,000 ms 33-37 ms; rrweb
// 58-63 ms (an earlier version); two seconds then took 2 ms more off. PostHog's
// recorder buffers two seconds and Sentry's five before sending, so this latency costs
// them little; a host that streams a visit live can ask for less. A page that is
// hidden or goes away hands over at once.
const BATCH_MS = 2000;
// Pointer moves and scrolls wait at least this long: the Recording samples and batches
// them anyway, so with a shorter `batchMs` a moving pointer still costs a slice every
// LAZY_MS, not one per sample.
const LAZY_MS = 250;
// A slice's budget. Chromium calls a task over 50 ms long; a slice (walk, wasm, emit)
// stays well under it, and the page gets the main thread between slices. The walk
// gets SLICE_MS; the wasm and the emit then cost about as much again for the nodes
// walked (about 7 µs a node, measured on a 10,000-row table), hence SLICE_NODES.
const SLICE_MS = 6;
// Nodes walked per slice at most: the wasm's share of a slice grows with them.
const SLICE_NODES = 1000;
// Values per held observation (PageRecorder.held): code, time and four more.
const HELD = 6;

// A sheet's CSS (its rules read by sheetRules, record_sheets.js); null when unreadable.
function cssText(sheet) {
  const rules = sheetRules(sheet);
  return rules === null ? null : rules.join('');
}

// The page's URL and viewport (a Meta event).
function writePage(buf, t) {
  buf.n(REC.PAGE); buf.n(t); buf.n(innerWidth); buf.n(innerHeight); buf.s(location.href);
}

// One recording session: its observers, listeners, queue and wasm Recording.
class PageRecorder {
  constructor(options) {
    this.options = options;
    this.emit = options.emit;
    this.emitChunk = typeof options.emitChunk === 'function' ? options.emitChunk : null;
    const read = recordOptions(options, !!this.emitChunk);
    this.wasmOptions = read.wasm;
    // Run on each event the policy has masked, as rrweb runs them: plugins'
    // eventProcessor, then packFn.
    this.processors = (Array.isArray(options.plugins) ? options.plugins : [])
      .filter((p) => p && typeof p.eventProcessor === 'function')
      .map((p) => (e) => p.eventProcessor(e));
    if (typeof options.packFn === 'function') this.processors.push(options.packFn);
    // A full snapshot went out (the next ones are rrweb's checkouts).
    this.snapshotOut = false;
    // The URL the wasm was last told.
    this.href = location.href;
    this.batchMs = batchMs(options.batchMs);
    this.keys = new WeakMap();
    this.nextKey = 1;
    // node -> the slice number it was last walked in.
    this.walked = new WeakMap();
    this.slice = 0;
    this.queue = [];
    this.buf = new CommandBuffer();
    this.engine = null;
    this.stopped = false;
    this.withdrawn = false;
    this.scheduled = false;
    this.batchTimer = 0;
    this.wakeTimer = 0;
    this.wake = -1;
    this.observers = [];
    this.unlisten = [];
    this.docs = new Set();
    // Documents and shadow roots observed already (kept here, not marked on the page's
    // own objects).
    this.observedRoots = new WeakSet();
    this.frames = new WeakSet();
    this.frameDocs = new WeakMap();
    this.lastMove = -Infinity;
    // Pointer moves and input values, held as plain values (HELD entries of code, time
    // and four values) until a slice or the next queued observation writes them.
    this.held = [];
    this.moveEvery = this.wasmOptions.sampling && typeof this.wasmOptions.sampling.mousemove === 'number'
      ? this.wasmOptions.sampling.mousemove : 50;
    // Scroll positions are read at most this often per target (the Recording keeps one
    // per `sampling.scroll` anyway); see the scroll listener.
    this.scrollEvery = this.wasmOptions.sampling && typeof this.wasmOptions.sampling.scroll === 'number'
      ? this.wasmOptions.sampling.scroll : 100;
    // Per scrolled target: { read, timer, trailing } (when its position was last read,
    // and the timer and callback of the read owed at the end of the wait); the targets
    // with a read owed, so that a page going away has them read at once.
    this.scrolls = new WeakMap();
    this.scrollsOwed = new Set();
    this.consentWanted = null;
    // Reads the selection at a slice when its changes are not followed (followSelection).
    this.checkSelection = null;
    const channel = new MessageChannel();
    channel.port1.onmessage = () => this.run();
    this.port = channel.port2;
    this.errors = read.notes;
    // Stylesheet edits and adoptions (web/js/record_sheets.js).
    this.sheets = new SheetWatch(this);
  }

  key(node) {
    let k = this.keys.get(node);
    if (k === undefined) {
      k = this.nextKey++;
      this.keys.set(node, k);
    }
    return k;
  }

  // ---- starting ----

  start() {
    const begin = () => {
      if (this.stopped) return;
      this.started = true;
      activeRecorders.add(this);
      hookSetters();
      hookSheets(window);
      this.push(writePage);
      this.push((buf, t) => this.snapshot(buf, t));
      this.observeDocument(document, true);
    };
    if (document.readyState === 'loading') {
      document.addEventListener('DOMContentLoaded', begin, { once: true });
      this.unlisten.push(() => document.removeEventListener('DOMContentLoaded', begin));
    } else {
      begin();
    }
    this.engine = createEngine(this, JSON.stringify(this.wasmOptions), navigator.globalPrivacyControl === true,
      this.options.worker !== false, this.batchMs);
  }

  fail(e) {
    // Kept to the first hundred (a packFn that throws on every event).
    if (this.errors.length < 100) this.errors.push(String(e && e.message || e));
    if (typeof this.options.onError === 'function') this.options.onError(e);
    // rrweb's name for it.
    if (typeof this.options.errorHandler === 'function') this.options.errorHandler(e);
  }

  // What the engine's Recording handed out: masked events (as JSON) and binary chunks.
  deliver(json, chunks) {
    if (this.withdrawn) return;
    if (json !== '[]') {
      const events = JSON.parse(json);
      for (let e of events) {
        // A withdrawal from the page's own callbacks stops the rest of the batch too.
        if (this.withdrawn) return;
        // rrweb's second argument: true with the Meta event and full snapshot of each
        // keyframe after the first (its checkouts, where a pipeline may cut), false
        // with the first, absent otherwise.
        let checkout;
        if (e.type === 4 || e.type === 2) checkout = this.snapshotOut;
        if (e.type === 2) this.snapshotOut = true;
        // One event the page's own code fails on is reported, not the rest of the batch.
        try {
          for (const p of this.processors) e = p(e);
          this.emit(e, checkout);
        } catch (err) {
          try { this.fail(err); } catch (_) { /* the page's error callback threw too */ }
        }
      }
    }
    if (this.emitChunk) for (const c of chunks) this.emitChunk(c);
  }

  // The worker died after it was ready, with what it held: said, and the recording
  // resynchronises on the main thread with a new snapshot.
  lost(e) {
    this.fail(e);
    if (this.stopped || !this.started) return;
    this.sheets.reset();
    this.push(writePage);
    this.push((buf, t) => this.snapshot(buf, t));
  }

  // ---- the queue ----

  // Queues one observation: `write(buf, t)` writes its command when the queue reaches
  // it. `t` is when it happened.
  // When nothing waits, the command is written at once (its values were read when it
  // happened, so nothing is lost by writing it early, and nothing queues); a walk that
  // outgrows the slice's budget queues the rest.
  push(write, t = Date.now(), lazy = false) {
    if (this.held.length) this.takeHeld(); // they were observed first
    this.enqueue(write, t, lazy);
  }

  // Pointer moves and input values are most of what a page's listeners see (every
  // sampled move, every keystroke), and each listener call runs cold: the page did
  // other work since the last one. So they are only stored, as values, with no closure,
  // queue item or command written per event; they become one queue item when the next
  // observation or slice comes. Measured on the login page, 400 moves in a row: 24-26
  // against 35-43 µs of the page's script per move, where an empty listener costs
  // 10-14.
  holdMove(t, source, target, x, y) {
    this.held.push(REC.MOVE, t, source, target, x, y);
    if (!this.scheduled) this.schedule(false, true);
  }

  holdInput(el, checked, value) {
    this.held.push(REC.INPUT, Date.now(), el, checked, value, 0);
    if (!this.scheduled || this.dueWait > this.batchMs) this.schedule(false, false);
  }

  takeHeld() {
    const held = this.held;
    this.held = [];
    this.enqueue((buf) => {
      for (let i = 0; i < held.length; i += HELD) {
        const code = held[i];
        buf.n(code); buf.n(held[i + 1]);
        if (code === REC.MOVE) {
          buf.n(held[i + 2]); buf.n(this.key(held[i + 3])); buf.n(held[i + 4]); buf.n(held[i + 5]);
        } else {
          this.writeInputValues(buf, held[i + 2], held[i + 3], held[i + 4]);
        }
      }
    }, held[1], true);
  }

  enqueue(write, t, lazy) {
    const item = { write, t, q: this.slice };
    if (!this.queue.length) {
      this.slice++; // walks from here on come after the item was observed
      this.nodeBudget = SLICE_NODES;
      if (write(this.buf, t, item, performance.now() + SLICE_MS) !== false) {
        this.schedule(false, lazy);
        return;
      }
    }
    this.queue.push(item);
    this.schedule(false, lazy);
  }

  // The next slice: soon after the first observation that waits (later for a lazy
  // one), or at once (after the page's own tasks) when a slice left work.
  schedule(now, lazy) {
    if (this.stopped) return;
    const due = now ? 0 : lazy ? Math.max(this.batchMs, LAZY_MS) : this.batchMs;
    // A slice set for a wait no longer than this one comes soon enough; this is the
    // common case (every observation of a batch asks), and it reads no clock.
    if (this.scheduled && !now && this.dueWait <= due) return;
    const at = performance.now() + due;
    if (this.scheduled) {
      if (at >= this.dueAt) return; // the slice set for it comes soon enough
      clearTimeout(this.batchTimer);
    }
    this.scheduled = true;
    this.dueWait = due;
    if (now) {
      this.dueAt = 0;
      this.port.postMessage(0);
    } else {
      this.dueAt = at;
      this.batchTimer = setTimeout(() => this.run(), due);
    }
  }

  // One slice: queued observations, within the budget, then the wasm.
  run() {
    this.scheduled = false;
    clearTimeout(this.batchTimer);
    if (this.stopped) return;
    if (this.checkSelection) this.checkSelection();
    this.gather();
    this.slice++;
    const deadline = performance.now() + SLICE_MS;
    this.nodeBudget = SLICE_NODES;
    while (this.queue.length && performance.now() < deadline && this.nodeBudget > 0) {
      const item = this.queue[0];
      const done = item.write(this.buf, item.t, item, deadline);
      if (done !== false) this.queue.shift();
    }
    this.flush();
    if (this.queue.length) this.schedule(true);
  }

  // The page is going away or hidden: everything observed goes to the wasm now,
  // unsliced (no later task may run), then FLUSH, so that the pointer batch and the
  // held-back scrolls the wasm keeps go out with it.
  runAll() {
    this.scheduled = false;
    clearTimeout(this.batchTimer);
    if (this.stopped) return;
    this.readScrolls();
    this.gather();
    this.drainQueue();
    this.buf.n(REC.FLUSH);
    this.buf.n(Date.now());
    this.flush();
  }

  // Queues what was observed but not queued yet, in the order it happened: held moves
  // and inputs, mutation records, edits only a look finds (sheets adopted in place, a
  // URL moved). Every slice does this, and so do a flush and the stop.
  gather() {
    if (this.held.length) this.takeHeld();
    this.takeRecords();
    this.sheets.check();
    this.noteLocation();
  }

  // The URL changed within the document since the last slice (the history API, a
  // fragment): the wasm is told, so that the next keyframe's Meta says it, as rrweb's
  // checkouts read it; no event, as in rrweb.
  noteLocation(buf = this.buf) {
    const href = location.href;
    if (href === this.href) return;
    this.href = href;
    buf.n(REC.LOCATION); buf.n(Date.now()); buf.s(href);
  }

  // Scroll positions waiting for their trailing read: read now.
  readScrolls() {
    for (const s of [...this.scrollsOwed]) {
      clearTimeout(s.timer);
      s.trailing();
    }
  }

  // Writes every waiting item, whatever the budget.
  drainQueue() {
    this.slice++;
    while (this.queue.length) {
      this.nodeBudget = Infinity;
      const item = this.queue[0];
      if (item.write(this.buf, item.t, item, Infinity) !== false) this.queue.shift();
    }
  }

  // Hands what was written to the engine, with a tick: the Recording's clock moves with
  // every slice, and batches and held-back scrolls that fell due go out with it.
  flush() {
    this.buf.n(REC.TICK);
    this.buf.n(Date.now());
    const [nums, text] = this.buf.take();
    this.engine.feed(nums, text);
  }

  // The Recording wants to be called at `wake` (epoch ms; -1: not until something
  // happens): a pointer batch, a held-back scroll, a keyframe. A slice then runs.
  wakeAt(wake) {
    if (wake === this.wake) return; // the timer set for it still stands
    clearTimeout(this.wakeTimer);
    this.wake = wake;
    if (wake < 0 || this.stopped) return;
    this.wakeTimer = setTimeout(() => {
      this.wake = -1;
      if (this.dueAt !== 0 || !this.scheduled) this.run(); // else a slice is on its way
    }, Math.max(0, wake - Date.now()));
  }

  // ---- the snapshot ----

  snapshot(buf, t) {
    buf.n(REC.SNAPSHOT); buf.n(t);
    const countAt = buf.nums.length;
    buf.n(0);
    const fields = [];
    const scrolled = [];
    const stack = [[document, -1, false]];
    let count = 0;
    while (stack.length) {
      const [node, parent, inShadow] = stack.pop();
      const index = count;
      if (!this.writeNode(buf, node, parent, inShadow)) continue;
      count++;
      this.pushChildren(stack, node, index, fields);
      if (node.nodeType === 1 && (node.scrollTop || node.scrollLeft)) scrolled.push(node);
    }
    buf.nums[countAt] = count;
    // Form state and scroll positions the markup does not hold, as the events that set
    // them: they go through the same masking as any input.
    for (const el of fields) this.writeInput(buf, el, t);
    if (scrollX || scrollY) {
      buf.n(REC.SCROLL); buf.n(t); buf.n(this.key(document)); buf.n(scrollX); buf.n(scrollY);
    }
    for (const el of scrolled) {
      buf.n(REC.SCROLL); buf.n(t); buf.n(this.key(el)); buf.n(el.scrollLeft); buf.n(el.scrollTop);
    }
    const focused = document.activeElement;
    if (focused && focused !== document.body && this.keys.has(focused)) {
      buf.n(REC.FOCUS); buf.n(t); buf.n(this.key(focused));
    }
    this.sheets.writeLater(buf, t);
  }

  // Pushes a node's children (its shadow root's and, for a same-origin iframe, its
  // document) so that they pop in document order. Form fields with state are listed.
  pushChildren(stack, node, index, fields) {
    if (node.nodeType === 1) {
      const tag = node.localName;
      if (tag === 'script') return; // its text is code, never needed to replay
      if (tag === 'style' && this.sheets.cssomOnly.has(node)) return; // walked as `_cssText`
      if (fields && (tag === 'input' || tag === 'textarea' || tag === 'select')) fields.push(node);
      if (tag === 'iframe' || tag === 'frame') {
        this.watchFrame(node);
        const doc = this.frameDocument(node);
        if (doc) {
          this.frameDocs.set(node, doc);
          stack.push([doc, index, false]);
        }
      }
      const kids = node.childNodes;
      for (let i = kids.length - 1; i >= 0; i--) stack.push([kids[i], index, false]);
      const shadow = node.shadowRoot;
      if (shadow) {
        this.observeRoot(shadow);
        this.sheets.found(shadow);
        const sk = shadow.childNodes;
        for (let i = sk.length - 1; i >= 0; i--) stack.push([sk[i], index, true]);
      }
    } else if (node.nodeType === 9) {
      if (node !== document) this.observeDocument(node, false);
      this.sheets.found(node);
      const kids = node.childNodes;
      for (let i = kids.length - 1; i >= 0; i--) stack.push([kids[i], index, false]);
    }
  }

  // A same-origin iframe that loads a new document: the old one goes, the new one is
  // walked in as the iframe's child.
  watchFrame(iframe) {
    if (this.frames.has(iframe)) return;
    this.frames.add(iframe);
    const onload = () => {
      if (this.stopped) return;
      const doc = this.frameDocument(iframe);
      const old = this.frameDocs.get(iframe);
      if (!doc || doc === old) return;
      const records = old ? [{ type: 'childList', target: iframe, removedNodes: [old], addedNodes: [] }] : [];
      const state = { records, at: 0, pending: [[doc, -1, false, iframe]] };
      this.frameDocs.set(iframe, doc);
      this.push((buf, t, item, deadline) => this.mutations(buf, t, item, deadline, state));
    };
    iframe.addEventListener('load', onload);
    this.unlisten.push(() => iframe.removeEventListener('load', onload));
  }

  frameDocument(iframe) {
    try {
      const doc = iframe.contentDocument;
      return doc && doc.documentElement ? doc : null;
    } catch (_) {
      return null; // cross-origin
    }
  }

  // Writes one node of a tree; false for a node kind that is not recorded.
  writeNode(buf, node, parent, inShadow) {
    const type = node.nodeType;
    if (type !== 1 && type !== 3 && type !== 8 && type !== 9 && type !== 10 && type !== 4) return false;
    buf.n(this.key(node)); buf.n(parent); buf.n(inShadow ? 1 : 0);
    this.walked.set(node, this.slice);
    switch (type) {
      case 9: buf.n(0); break;
      case 10: buf.n(1); buf.s(node.name); break;
      case 3: case 4: buf.n(3); buf.s(node.data); break;
      case 8: buf.n(4); buf.s(node.data); break;
      default: this.writeElement(buf, node);
    }
    return true;
  }

  writeElement(buf, el) {
    buf.n(2);
    buf.s(el.namespaceURI === SVG_NS ? el.localName : el.localName.toLowerCase());
    const attrs = el.attributes;
    const countAt = buf.nums.length;
    buf.n(attrs.length);
    let extra = 0;
    const tag = el.localName;
    let inline = null;
    if (tag === 'link' && /(^|\s)stylesheet(\s|$)/i.test(el.rel || '')) {
      inline = cssText(el.sheet);
      if (inline === null && !el.sheet) this.whenLoaded(el);
    } else if (tag === 'style' && this.sheets.inlines(el)) {
      inline = cssText(el.sheet);
    }
    if (inline !== null) this.sheets.inlinedIn.set(el, this.slice);
    for (let i = 0; i < attrs.length; i++) {
      const a = attrs[i];
      // A link inlined as `_cssText` drops what would load it (as rrweb does).
      if (inline !== null && tag === 'link' && (a.name === 'href' || a.name === 'rel')) {
        extra--;
        continue;
      }
      buf.s(a.name); buf.s(a.value);
    }
    if (inline !== null) {
      buf.s('_cssText'); buf.s(inline);
      extra++;
    }
    if (extra) buf.nums[countAt] += extra;
  }

  // A stylesheet link not loaded yet: its CSS is sent as `_cssText` once it is.
  whenLoaded(link) {
    const onload = () => {
      this.push((buf, t) => {
        const css = cssText(link.sheet);
        if (css === null || !this.keys.has(link)) return;
        buf.n(REC.MUTATIONS); buf.n(t); buf.n(1);
        buf.n(2); buf.n(this.key(link)); buf.s('_cssText'); buf.n(1); buf.s(css);
      });
    };
    link.addEventListener('load', onload, { once: true });
  }

  writeInput(buf, el, t) {
    let value;
    let checked = false;
    const tag = el.localName;
    if (tag === 'input' && (el.type === 'checkbox' || el.type === 'radio')) {
      checked = el.checked;
      value = el.value;
      if (!checked && !el.defaultChecked) return;
    } else if (tag === 'select') {
      value = el.value;
    } else {
      value = el.value;
      if (value === (tag === 'textarea' ? el.defaultValue : el.getAttribute('value') || '')) return;
    }
    this.writeInputCommand(buf, t, el, checked, value);
  }

  writeInputCommand(buf, t, el, checked, value) {
    buf.n(REC.INPUT); buf.n(t);
    this.writeInputValues(buf, el, checked, value);
  }

  writeInputValues(buf, el, checked, value) {
    buf.n(this.key(el)); buf.n(checked ? 1 : 0); buf.s(value);
  }

  // ---- mutations ----

  observeDocument(doc, top) {
    if (this.docs.has(doc)) return;
    this.docs.add(doc);
    hookSheets(doc.defaultView);
    this.observeRoot(doc);
    this.listen(doc, top);
  }

  observeRoot(root) {
    if (this.observedRoots.has(root)) return;
    this.observedRoots.add(root);
    const win = (root.ownerDocument || root).defaultView || window;
    const Observer = win.MutationObserver || MutationObserver;
    const obs = new Observer((records) => this.onRecords(records));
    obs.observe(root, { childList: true, subtree: true, attributes: true, characterData: true });
    this.observers.push(obs);
  }

  takeRecords() {
    for (const obs of this.observers) {
      const records = obs.takeRecords();
      if (records.length) this.onRecords(records);
    }
  }

  // A MutationObserver batch. When nothing waits it is read now, as rrweb reads it,
  // within a slice's budget; what the budget leaves queues and goes on in slices.
  onRecords(records) {
    if (this.stopped) return;
    const state = { records, at: 0, pending: null };
    this.push((buf, t, item, deadline) => this.mutations(buf, t, item, deadline, state));
  }

  // Writes one observer batch as a MUTATIONS command; a walk too big for this slice
  // leaves its rest in `state` and returns false, and the next slice goes on.
  mutations(buf, t, item, deadline, state) {
    buf.n(REC.MUTATIONS); buf.n(t);
    const countAt = buf.nums.length;
    buf.n(0);
    const q = item.q;
    let n = 0;
    const suspended = () => {
      buf.nums[countAt] = n;
      this.sheets.writeLater(buf, t);
      return false;
    };
    if (state.pending) {
      n += this.continueWalk(buf, state.pending, deadline);
      if (state.pending.length) return suspended();
      state.pending = null;
    }
    if (state.adding) {
      n += this.addNodes(buf, q, deadline, state);
      if (state.pending) return suspended();
    }
    const records = state.records;
    while (state.at < records.length) {
      const r = records[state.at++];
      const target = r.target;
      if (!this.keys.has(target.nodeType === 11 ? target.host : target)) continue;
      if (r.type === 'attributes') {
        if (this.walked.get(target) > q) continue;
        const name = r.attributeName;
        if (target.localName === 'link' && (name === 'href' || name === 'rel')) this.whenLoaded(target);
        const v = target.getAttribute(name);
        buf.n(2); buf.n(this.key(target)); buf.s(name);
        if (v === null) buf.n(0);
        else { buf.n(1); buf.s(v); }
        n++;
      } else if (r.type === 'characterData') {
        if (this.walked.get(target) > q) continue;
        buf.n(3); buf.n(this.key(target)); buf.s(target.data);
        n++;
      } else {
        n += this.childList(buf, r, q, deadline, state);
        if (state.pending) return suspended();
      }
    }
    buf.nums[countAt] = n;
    this.sheets.writeLater(buf, t);
    return true;
  }

  childList(buf, r, q, deadline, state) {
    const target = r.target;
    const inShadow = target.nodeType === 11;
    const parent = inShadow ? target.host : target;
    const removed = [];
    for (let i = 0; i < r.removedNodes.length; i++) {
      const node = r.removedNodes[i];
      const k = this.keys.get(node);
      // Unknown, or walked after this record: the walk already showed it gone.
      if (k === undefined || !this.walked.has(node) || this.walked.get(node) > q) continue;
      removed.push(k);
    }
    let n = 0;
    if (removed.length) {
      buf.n(1); buf.n(this.key(parent)); buf.n(-1); buf.n(0); buf.n(removed.length);
      for (const k of removed) buf.n(k);
      n++;
    }
    if (!r.addedNodes.length) return n;
    // Added nodes still under the target, in page order.
    const nodes = [];
    for (let i = 0; i < r.addedNodes.length; i++) {
      const node = r.addedNodes[i];
      if (node.parentNode === target) nodes.push(node);
    }
    state.adding = { nodes, i: 0, inShadow, parent };
    return n + this.addNodes(buf, q, deadline, state);
  }

  // Walks a record's added nodes in. Each one goes in with the run of siblings after it
  // that the recorder does not know yet (nodes added by this batch's later records, or
  // one by one): all of them go before the first sibling it knows, in page order, and
  // the later records find them walked. This keeps every placement exact and the cost
  // linear (10,000 rows appended one by one are one run).
  addNodes(buf, q, deadline, state) {
    const a = state.adding;
    let n = 0;
    while (a.i < a.nodes.length) {
      const node = a.nodes[a.i++];
      if (this.walked.get(node) > q || node.parentNode !== (a.inShadow ? a.parent.shadowRoot : a.parent)) continue;
      const run = [node];
      let next = node.nextSibling;
      while (next && !this.walked.has(next)) {
        run.push(next);
        next = next.nextSibling;
      }
      const stack = [];
      for (let i = run.length - 1; i >= 0; i--) stack.push([run[i], -1, a.inShadow, a.parent, next]);
      n += this.continueWalk(buf, stack, deadline);
      if (stack.length) {
        state.pending = stack;
        return n;
      }
    }
    state.adding = null;
    return n;
  }

  // Walks pending subtrees and writes them as ChildList records; stops at the slice's
  // budget, leaving the rest on `stack`. An entry is [node, parent index in the tree
  // being written (-1: it starts a tree of its own), in a shadow root, parent node,
  // and for a tree of its own the sibling it goes before (null: last)].
  // Returns the records written.
  continueWalk(buf, stack, deadline) {
    let records = 0;
    let countAt = -1;
    let count = 0;
    const close = () => {
      if (countAt >= 0) {
        buf.nums[countAt] = count;
        buf.n(0); // nothing removed
      }
      countAt = -1;
      count = 0;
    };
    while (stack.length) {
      if (this.nodeBudget <= 0 || ((this.nodeBudget & 127) === 0 && performance.now() > deadline)) break;
      const entry = stack.pop();
      const [node, parent, inShadow, parentNode] = entry;
      if (parent === -1) {
        // A tree of its own, under a parent already sent, before the first following
        // sibling the recorder knows (or last).
        close();
        if (!this.keys.has(parentNode)) continue;
        const next = entry[4];
        buf.n(1); buf.n(this.key(parentNode)); buf.n(next && this.keys.has(next) ? this.key(next) : -1);
        buf.n(1); // one added tree
        countAt = buf.nums.length;
        buf.n(0);
        records++;
      }
      const index = count;
      if (!this.writeNode(buf, node, parent, inShadow)) continue;
      count++;
      this.nodeBudget--;
      const before = stack.length;
      this.pushChildren(stack, node, index, null);
      for (let i = before; i < stack.length; i++) stack[i][3] = node;
    }
    // Entries left for the next slice start trees of their own there, appended to
    // parents sent by then (their earlier siblings are sent too).
    for (const e of stack) {
      e[1] = -1;
      if (e[4] === undefined) e[4] = null;
    }
    close();
    return records;
  }

  // ---- listeners ----

  listen(doc, top) {
    const on = (target, type, fn, opts = { capture: true, passive: true }) => {
      target.addEventListener(type, fn, opts);
      this.unlisten.push(() => target.removeEventListener(type, fn, opts));
    };
    const win = doc.defaultView;
    const move = (source) => (e) => {
      const now = Date.now();
      if (now - this.lastMove < this.moveEvery) return;
      this.lastMove = now;
      const p = e.touches ? e.touches[0] || e.changedTouches[0] : e;
      if (!p) return;
      if (doc === document) this.holdMove(now, source, e.target, p.clientX, p.clientY);
      else {
        const [x, y] = this.offset(doc, p.clientX, p.clientY);
        this.holdMove(now, source, e.target, x, y);
      }
    };
    on(doc, 'mousemove', move(0));
    on(doc, 'touchmove', move(1));
    on(doc, 'drag', move(2));
    for (const type of Object.keys(INTERACTIONS)) {
      on(doc, type, (e) => {
        const p = e.changedTouches ? e.changedTouches[0] : e;
        const target = e.target;
        const [x, y] = p ? this.offset(doc, p.clientX, p.clientY) : [0, 0];
        this.push((buf, t) => {
          buf.n(REC.INTERACTION); buf.n(t); buf.n(INTERACTIONS[type]); buf.n(this.key(target));
          buf.n(x); buf.n(y);
        });
      });
    }
    on(doc, 'focusin', (e) => {
      const target = e.target;
      this.push((buf, t) => { buf.n(REC.FOCUS); buf.n(t); buf.n(this.key(target)); });
    });
    on(doc, 'focusout', (e) => {
      const target = e.target;
      this.push((buf, t) => { buf.n(REC.BLUR); buf.n(t); buf.n(this.key(target)); });
    });
    // Reading a scroll position makes the browser lay the page out first when anything
    // changed since its last frame, and a page that scrolls and grows (a feed loading
    // posts) fires a scroll event every frame: read each time, that was 30 ms of forced
    // layout on the feed session. So a target's position is read at most every
    // `scrollEvery`, as the Recording samples it anyway: at an event that comes that
    // long after the last read, or else by a timer at the end of that wait (the
    // trailing edge), so that where the page comes to rest is read, however soon it
    // scrolls again. (Reading it when the batch's slice runs, up to a second later,
    // lost a position the page rested at before scrolling on: a replay showed the one
    // before.)
    on(doc, 'scroll', (e) => {
      const target = e.target;
      const isDoc = target === doc || target === doc.scrollingElement;
      const node = isDoc ? doc : target;
      const now = Date.now();
      let s = this.scrolls.get(node);
      if (!s) {
        s = { read: -Infinity, timer: 0, trailing: null };
        this.scrolls.set(node, s);
      }
      const position = () => (isDoc ? [win.scrollX, win.scrollY] : [target.scrollLeft, target.scrollTop]);
      const write = (buf, t, [x, y]) => { buf.n(REC.SCROLL); buf.n(t); buf.n(this.key(node)); buf.n(x); buf.n(y); };
      const read = () => {
        s.timer = 0;
        this.scrollsOwed.delete(s);
        s.read = Date.now();
        const at = position();
        this.push((buf, t) => write(buf, t, at), s.read, true);
      };
      if (now - s.read >= this.scrollEvery) {
        if (s.timer) clearTimeout(s.timer);
        read();
        return;
      }
      if (!s.timer) {
        s.trailing = () => {
          if (!this.stopped && node.isConnected) read();
          else { s.timer = 0; this.scrollsOwed.delete(s); }
        };
        s.timer = setTimeout(s.trailing, s.read + this.scrollEvery - now);
        this.scrollsOwed.add(s);
      }
    });
    const input = (e) => this.onInput(e.target);
    on(doc, 'input', input);
    on(doc, 'change', input);
    if (top) {
      on(win, 'resize', () => {
        const w = innerWidth;
        const h = innerHeight;
        this.push((buf, t) => { buf.n(REC.VIEWPORT); buf.n(t); buf.n(w); buf.n(h); });
      });
      this.checkSelection = followSelection(this, doc, on);
      // The page is hidden or going away: what waits for its batch goes to the wasm
      // now, and so do the pointer batch and held-back scrolls the wasm keeps (FLUSH).
      // On the main thread it is emitted before the page's own pagehide handlers send
      // what they hold. A worker answers in a task of its own, so the page is told
      // when a navigation starts that may leave the document (the Navigation API's
      // `navigate`, also for ones the page then intercepts, downloads and cancelled
      // ones: an early flush costs nothing; the old page runs on until a new one
      // arrives), not only at pagehide, when no task runs any more.
      const now = () => this.runAll();
      on(win, 'pagehide', now);
      on(doc, 'visibilitychange', () => { if (doc.visibilityState === 'hidden') now(); });
      const nav = win.navigation;
      if (nav && typeof nav.addEventListener === 'function') {
        on(nav, 'navigate', (e) => {
          if (!e.destination || !e.destination.sameDocument) now();
        });
      }
      // The URL changes within the document (the history API, a fragment): queued, so
      // that a keyframe the worker takes on its own clock says the new one (every slice
      // checks too, for browsers without the Navigation API's event).
      const moved = () => this.push((buf) => this.noteLocation(buf));
      on(win, 'popstate', moved);
      on(win, 'hashchange', moved);
      if (nav && typeof nav.addEventListener === 'function') on(nav, 'currententrychange', moved);
    }
  }

  // Pointer coordinates inside an iframe, in the top page's coordinates.
  offset(doc, x, y) {
    let win = doc.defaultView;
    while (win && win !== window && win.frameElement) {
      const r = win.frameElement.getBoundingClientRect();
      x += r.left;
      y += r.top;
      win = win.parent;
    }
    return [x, y];
  }

  onInput(el) {
    if (!el || el.nodeType !== 1 || this.stopped || !this.keys.has(el)) return;
    const tag = el.localName;
    if (tag !== 'input' && tag !== 'textarea' && tag !== 'select') return;
    // The value as it is now: held in the page's memory until the wasm masks it.
    const checked = !!el.checked;
    const value = el.value;
    this.holdInput(el, checked, value);
    // A radio checked unchecks the others of its group, without events of their own.
    if (tag === 'input' && el.type === 'radio' && checked && el.name) {
      const root = el.form || el.getRootNode();
      const group = root.querySelectorAll ? root.querySelectorAll('input[type=radio]') : [];
      for (const other of group) {
        if (other !== el && other.name === el.name && this.keys.has(other)) {
          const v = other.value;
          this.holdInput(other, false, v);
        }
      }
    }
  }

  // ---- stopping and consent ----

  // Returns a promise that resolves once the last events were emitted: at once on the
  // main thread, after the worker's answer otherwise.
  stop() {
    if (this.stopPromise) return this.stopPromise;
    this.readScrolls();
    // Edits only a slice notices (sheets adopted in place, a URL moved) are looked for
    // too: with batches of seconds, the last slice may be long before the stop.
    this.gather();
    // What was observed goes out, in one last flush, unsliced.
    this.drainQueue();
    this.stopped = true;
    for (const obs of this.observers) obs.disconnect();
    for (const f of this.unlisten) f();
    activeRecorders.delete(this);
    if (!activeRecorders.size && unhookSetters) unhookSetters();
    if (!activeRecorders.size) unhookSheets();
    clearTimeout(this.batchTimer);
    clearTimeout(this.wakeTimer);
    const [nums, text] = this.buf.take();
    this.stopPromise = this.engine.stop(nums, text, Date.now());
    return this.stopPromise;
  }

  // Consent granted later: what was observed before it was never recorded, so the
  // recording starts here with the page and a fresh snapshot.
  grantConsent() {
    if (this.stopped) return false;
    if (navigator.globalPrivacyControl === true) return false;
    const first = this.consentWanted !== true;
    this.consentWanted = true;
    this.engine.consent(true);
    if (first && this.started) {
      // The Recording dropped what came before consent, constructed sheets included.
      this.sheets.reset();
      this.push(writePage);
      this.push((buf, t) => this.snapshot(buf, t));
    }
    return true;
  }

  withdrawConsent() {
    this.consentWanted = false;
    // Nothing observed and not yet emitted leaves the page.
    this.withdrawn = true;
    this.queue = [];
    this.held = [];
    this.buf = new CommandBuffer();
    this.engine.withdraw();
    this.stop();
  }
}

// rrweb's `record()`: starts at once (or, with `requireConsent`, once consent is
// granted) and returns a function that stops recording, and returns a promise that
// resolves once the last events were emitted. The function also carries
// `grantConsent()`, `withdrawConsent()`, `problems()`, `addCustomEvent()` and `where()`.
function record(options) {
  if (!options || typeof options.emit !== 'function') {
    throw new TypeError('record(): options.emit must be a function');
  }
  const r = new PageRecorder(options);
  r.start();
  const stop = () => r.stop();
  stop.grantConsent = () => r.grantConsent();
  stop.withdrawConsent = () => r.withdrawConsent();
  stop.problems = () => r.errors.slice();
  // Where the wasm runs: 'worker', 'main' (the page's main thread), or 'starting'.
  stop.where = () => r.engine.where();
  stop.addCustomEvent = (tag, payload) => {
    const json = JSON.stringify(payload === undefined ? null : payload);
    r.push((buf, t) => { buf.n(REC.CUSTOM); buf.n(t); buf.s(String(tag)); buf.s(json); });
  };
  return stop;
}
