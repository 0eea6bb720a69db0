// Where the recorder's wasm `Recording` runs: in a worker of its own (the default), or on
// the page's main thread (`worker: false`, or when the page does not allow a worker).
//
// Why a worker: masking, coalescing and writing the events is most of a recorder's
// work, and on the main thread it competes with the page (the wasm's first calls are
// compiled there too). In the worker the page pays only for observing itself and for
// handing the commands over (one message per slice). The glue still never
// emits a value the policy has not seen: events come back from the worker already
// masked.
//
// The engines take the same calls: `feed(nums, text)` with a slice's commands,
// `consent(granted)`, `withdraw()` (drop all that was not emitted, stop) and
// `stop(nums, text, t)` (feed the last commands, end the recording; returns a promise
// that resolves once the last events were handed to the owner). They hand results to
// `owner.deliver(json, chunks)` and errors to `owner.fail(e)`.
//
// The Recording's clock moves with each of the owner's slices (each ends with a tick),
// and when the Recording asks to be woken (a pointer batch, a held-back scroll, a
// keyframe). A wake must not overtake observations the page made before it but has
// not handed over yet (they wait up to a batch): a pointer batch closed at its wake,
// followed in the stream by the click that came before the wake, makes rrweb's player
// apply that click twice when it seeks. On the main thread the wake runs a slice, which
// hands over everything first. The worker cannot ask for that without costing the page
// a message and a task per wake, so it wakes `lag` later than asked (longer than a
// batch waits), by which time the slice with those observations has arrived.

/* global wasm_bindgen, sessionReplayGlue, wasmBytes, WASM_BASE64, SessionReplay */

// The worker's side: the wasm-bindgen glue, then this function. Messages in order:
// `{ init: { wasm, options, gpc, lag } }` first, then `{ feed: [nums, text] }`,
// `{ consent: bool }` and finally `{ stop: t }`. It answers `{ ready: true }`,
// `{ events, chunks }`, `{ problems }`, `{ error }` and `{ stopped: true }`.
function recordWorker(scope, glue, decode) {
  let rec = null;
  let waiting = [];
  let wakeAt = -1;
  let timer = 0;
  let lag = 0;
  const post = (m, transfer) => scope.postMessage(m, transfer || []);
  const drain = (final) => {
    const json = rec.events();
    const chunks = [];
    for (let c = rec.pollChunk(); c; c = rec.pollChunk()) chunks.push(c);
    if (json !== '[]' || chunks.length) post({ events: json, chunks }, chunks.map((c) => c.buffer));
    if (!final) arm();
  };
  const arm = () => {
    const wake = rec.nextWake();
    if (wake === wakeAt) return;
    clearTimeout(timer);
    wakeAt = wake;
    if (wake < 0) return;
    timer = setTimeout(() => {
      wakeAt = -1;
      if (!rec) return;
      rec.feed(new Float64Array([12, Math.max(wake, Date.now() - lag)]), ''); // a tick
      drain(false);
    }, Math.max(0, wake + lag - Date.now()));
  };
  const handle = (m) => {
    if (m.feed) {
      if (!rec.feed(m.feed[0], m.feed[1])) post({ problems: rec.problems() });
      drain(false);
    } else if (m.consent === true) {
      rec.grantConsent();
    } else if (m.consent === false) {
      rec.withdrawConsent();
    } else if (m.stop !== undefined) {
      clearTimeout(timer);
      rec.stop(m.stop);
      drain(true);
      rec.free();
      rec = null;
      post({ stopped: true });
      scope.close();
    }
  };
  scope.onmessage = (e) => {
    const m = e.data;
    if (!m.init) {
      if (rec) handle(m);
      else if (waiting) waiting.push(m); // (after stop, nothing more comes)
      return;
    }
    const wasm = typeof m.init.wasm === 'string' ? decode(m.init.wasm) : m.init.wasm;
    lag = m.init.lag;
    glue({ module_or_path: wasm }).then(() => {
      rec = new glue.Recording(m.init.options, m.init.gpc);
      post({ ready: true });
      const w = waiting;
      waiting = null;
      for (const x of w) if (rec) handle(x);
    }).catch((err) => post({ error: String(err && err.message || err) }));
  };
}

// The source of the worker's script: the same glue and code as this bundle's, so that
// the worker runs exactly what was shipped (from a blob: URL; nothing is fetched).
let workerUrl = null;
function recordWorkerUrl() {
  if (!workerUrl) {
    const src = `'use strict';\n(${recordWorker})(self, (${sessionReplayGlue})(), ${wasmBytes});\n`;
    workerUrl = URL.createObjectURL(new Blob([src], { type: 'text/javascript' }));
  }
  return workerUrl;
}

// The Recording on the page's main thread.
class InlineEngine {
  constructor(owner, optionsJson, gpc, pending) {
    this.owner = owner;
    this.rec = null;
    this.pending = pending || []; // slices fed before the wasm was ready
    this.consentWanted = null;
    this.done = false;
    this.started = SessionReplay.ready.then(() => {
      if (this.done) return;
      try {
        this.rec = new wasm_bindgen.Recording(optionsJson, gpc);
      } catch (e) {
        owner.fail(e);
        return;
      }
      if (this.consentWanted === true) this.rec.grantConsent();
      const pending = this.pending;
      this.pending = [];
      for (const [nums, text] of pending) this.feedNow(nums, text);
      this.drain(false);
    }, (e) => owner.fail(e));
  }

  where() {
    return 'main';
  }

  feed(nums, text) {
    if (this.done) return;
    if (!this.rec) this.pending.push([nums, text]);
    else {
      this.feedNow(nums, text);
      this.drain(false);
    }
  }

  feedNow(nums, text) {
    if (!this.rec.feed(nums, text)) this.owner.fail(new Error(this.rec.problems().join('; ')));
  }

  // Hands out what the Recording has, and when it next wants to be called.
  drain(final) {
    const json = this.rec.events();
    const chunks = [];
    for (let c = this.rec.pollChunk(); c; c = this.rec.pollChunk()) chunks.push(c);
    if (json !== '[]' || chunks.length) this.owner.deliver(json, chunks);
    if (!final) this.owner.wakeAt(this.rec.nextWake());
  }

  consent(granted) {
    this.consentWanted = granted;
    if (this.rec && granted) this.rec.grantConsent();
  }

  withdraw() {
    this.pending = [];
    if (this.rec) this.rec.withdrawConsent();
    this.end();
  }

  // Synchronous once the wasm is ready (the last events are emitted before stop()
  // returns, as rrweb's are); before, once it is.
  stop(nums, text, t) {
    const now = () => {
      if (!this.done && this.rec) {
        this.feedNow(nums, text);
        this.rec.stop(t);
        this.drain(true);
      }
      this.end();
    };
    if (this.rec || this.done) {
      now();
      return Promise.resolve();
    }
    return this.started.then(now, now);
  }

  end() {
    this.done = true;
    if (this.rec) {
      this.rec.free();
      this.rec = null;
    }
  }
}

// The Recording in a worker. Slices wait in the page until the worker said it is
// ready, so that a worker the page refuses (a content security policy without blob:
// workers) loses nothing: the engine falls back to the main thread with them.
class WorkerEngine {
  // `batchMs`: how long the owner's observations may wait before a slice hands them
  // over (the worker's wakes wait longer, see above).
  constructor(owner, optionsJson, gpc, batchMs) {
    this.owner = owner;
    this.optionsJson = optionsJson;
    this.gpc = gpc;
    this.pending = [];
    this.consentWanted = null;
    this.ready = false;
    this.done = false;
    this.inline = null;
    this.stopPromise = null; // stop()'s answer, once asked
    this.worker = new Worker(recordWorkerUrl());
    this.worker.onmessage = (e) => this.receive(e.data);
    this.worker.onerror = (e) => {
      e.preventDefault();
      this.lost(new Error(`recorder worker: ${e.message || 'failed to start'}`));
    };
    // The wasm goes as its base64 text, which the worker decodes: copying the text
    // costs the page well under a millisecond, where decoding it here (even natively,
    // with Uint8Array.fromBase64) cost 7-13 ms of the login session's main thread.
    this.worker.postMessage({ init: { wasm: WASM_BASE64, options: optionsJson, gpc, lag: batchMs + 50 } });
  }

  receive(m) {
    if (this.inline || this.withdrawn) return;
    if (m.ready) {
      this.ready = true;
      if (this.consentWanted === true) this.worker.postMessage({ consent: true });
      for (const [nums, text] of this.pending) this.post(nums, text);
      this.pending = [];
      if (this.stopArgs) this.sendStop();
    } else if (m.events !== undefined) {
      this.owner.deliver(m.events, m.chunks);
    } else if (m.problems) {
      this.owner.fail(new Error(m.problems.join('; ')));
    } else if (m.error) {
      this.lost(new Error(`recorder worker: ${m.error}`));
    } else if (m.stopped) {
      this.finish();
    }
  }

  // The numbers' buffer is handed over, not copied: the buffer each slice takes is
  // its own (CommandBuffer.take), and nothing reads it here afterwards.
  post(nums, text) {
    this.worker.postMessage({ feed: [nums, text] }, [nums.buffer]);
  }

  // The worker failed. Before it was ready, nothing was lost: the main thread takes
  // over with every slice. After, what it held is gone: the owner is told, and
  // resynchronises with a new snapshot on the main thread.
  lost(e) {
    if (this.inline || this.done) return;
    const wasReady = this.ready;
    this.worker.terminate();
    this.inline = new InlineEngine(this.owner, this.optionsJson, this.gpc, this.pending);
    this.pending = [];
    if (this.consentWanted !== null) this.inline.consent(this.consentWanted);
    if (this.stopArgs) this.inline.stop(...this.stopArgs).then(() => this.finish());
    if (wasReady) this.owner.lost(e);
  }

  where() {
    return this.inline ? 'main' : this.ready ? 'worker' : 'starting';
  }

  feed(nums, text) {
    if (this.inline) this.inline.feed(nums, text);
    else if (this.ready) this.post(nums, text);
    else this.pending.push([nums, text]);
  }

  consent(granted) {
    this.consentWanted = granted;
    if (this.inline) this.inline.consent(granted);
    else if (this.ready && granted) this.worker.postMessage({ consent: true });
  }

  withdraw() {
    this.done = true;
    this.withdrawn = true;
    this.pending = [];
    if (this.inline) this.inline.withdraw();
    else this.worker.terminate(); // what it held is dropped with it
    this.finish();
  }

  stop(nums, text, t) {
    if (this.done && !this.stopPromise) return Promise.resolve();
    if (!this.stopPromise) {
      this.stopPromise = new Promise((resolve) => { this.resolveStop = resolve; });
      this.stopArgs = [nums, text, t];
      if (this.inline) this.inline.stop(nums, text, t).then(() => this.finish());
      else if (this.ready) this.sendStop();
    }
    return this.stopPromise;
  }

  sendStop() {
    const [nums, text, t] = this.stopArgs;
    this.post(nums, text);
    this.worker.postMessage({ stop: t });
  }

  finish() {
    this.done = true;
    if (this.resolveStop) this.resolveStop();
  }
}

// A worker where the page allows one and the options do not refuse it.
function createEngine(owner, optionsJson, gpc, useWorker, batchMs) {
  if (useWorker && typeof Worker === 'function' && typeof Blob === 'function' && typeof URL.createObjectURL === 'function') {
    try {
      return new WorkerEngine(owner, optionsJson, gpc, batchMs);
    } catch (_) {
      // refused at once (a content security policy): the main thread it is
    }
  }
  return new InlineEngine(owner, optionsJson, gpc);
}
