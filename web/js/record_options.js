// rrweb's `record()` options, read once when recording starts. What the wasm reads
// (web/src/record_options.rs) goes to it as JSON; what JSON cannot carry is decided here,
// so that a page switching from rrweb keeps or strengthens its settings and still
// records:
// - rrweb's class options given as a RegExp (`maskTextClass`, `blockClass`,
//   `ignoreClass`, tested against each class name) become the selector they mean, when
//   there is one (see classPattern); any other pattern is refused.
// - A function option the recorder does not run (`maskTextFn`, `maskInputFn`, `hooks`)
//   is noted in `problems()`: masking stays the policy's, which never shows more.
// - `packFn`, `errorHandler` and plugins' `eventProcessor` are run by the glue, on
//   events the policy has already masked (PageRecorder.deliver and .fail).

/* global BATCH_MS */
/* exported recordOptions, batchMs */

// Options the glue reads itself.
const GLUE_OPTIONS = new Set(['emit', 'emitChunk', 'onError', 'errorHandler', 'worker', 'batchMs', 'packFn', 'plugins']);

// rrweb's class options, and the selector option each joins when given as a RegExp.
const CLASS_OPTIONS = { maskTextClass: 'mask', blockClass: 'block', ignoreClass: 'ignoreSelector' };

// What a function option the recorder does not run would have done.
const NOT_RUN = {
  maskTextFn: 'masked text is masked as the policy masks it',
  maskInputFn: 'masked values are masked as the policy masks them',
  hooks: 'no observer hook is called',
};

// rrweb options for what this recorder does not record.
const NOT_RECORDED = {
  recordCanvas: 'canvas drawing', recordCrossOriginIframes: 'cross-origin iframes',
  inlineImages: 'image pixels', collectFonts: 'web fonts',
};

// The options as { wasm: what the wasm reads, notes: what was asked and is not done }.
// Throws a TypeError for what cannot be kept or strengthened.
function recordOptions(options, chunks) {
  const wasm = {};
  const notes = [];
  const extra = { mask: [], block: [], ignoreSelector: [] };
  for (const [k, v] of Object.entries(options)) {
    if (GLUE_OPTIONS.has(k)) continue;
    // A RegExp from any realm (another frame's too).
    if (Object.prototype.toString.call(v) === '[object RegExp]') {
      const list = CLASS_OPTIONS[k];
      const selector = list === undefined ? null : classPattern(v);
      if (selector === null) {
        throw new TypeError(`record(): option ${k} is a RegExp this recorder cannot match (it takes a class name, a class that begins, ends with or contains a name, and alternatives of those); give a CSS selector instead`);
      }
      extra[list].push(selector);
      continue;
    }
    if (typeof v === 'function' || k === 'hooks') {
      notes.push(`note: option ${k} is not run: ${NOT_RUN[k] || 'nothing calls it'}`);
      continue;
    }
    if (NOT_RECORDED[k] !== undefined && v) notes.push(`note: option ${k}: ${NOT_RECORDED[k]} not recorded`);
    wasm[k] = v;
  }
  for (const [list, selectors] of Object.entries(extra)) {
    if (!selectors.length) continue;
    const had = wasm[list] === undefined || wasm[list] === null || wasm[list] === '' ? [] : [].concat(wasm[list]);
    wasm[list] = list === 'ignoreSelector' ? [...had, ...selectors].join(', ') : [...had, ...selectors];
  }
  for (const p of Array.isArray(options.plugins) ? options.plugins : []) {
    if (p && typeof p.observer === 'function') {
      notes.push(`note: plugin ${p.name || '(unnamed)'}: its observer is not run (what it records would not pass the policy)`);
    }
  }
  if (chunks) wasm.chunks = true;
  return { wasm, notes };
}

// A RegExp that rrweb tests against each class name, as a selector: `^name$` is that
// class (`[class~="name"]`); a name anchored at one end or not at all matches where the
// class attribute contains it (`[class*="name"]`: exact for `name`, and for `^name` and
// `name$` a superset, so that more is masked or blocked, never less). Alternatives
// (`a|b`, `^(a|b)$`, `^(?:a|b)$`) become a selector list; the `i` flag is kept. Names
// are letters, digits, `-` and `_` (`\-` too). Anything else: null.
function classPattern(re) {
  if (re.flags !== '' && re.flags !== 'i') return null;
  let src = re.source;
  let whole = false;
  const group = /^\^\((?:\?:)?([^()]*)\)\$$/.exec(src);
  if (group) {
    src = group[1];
    whole = true;
  }
  const flag = re.flags === 'i' ? ' i' : '';
  const out = [];
  for (let alt of src.split('|')) {
    let start = whole, end = whole;
    if (alt.startsWith('^')) { start = true; alt = alt.slice(1); }
    if (alt.endsWith('$') && !alt.endsWith('\\$')) { end = true; alt = alt.slice(0, -1); }
    const name = alt.replace(/\\-/g, '-');
    if (!/^[A-Za-z0-9_-]+$/.test(name)) return null;
    out.push(start && end ? `[class~="${name}"${flag}]` : `[class*="${name}"${flag}]`);
  }
  return out.join(', ');
}

// The `batchMs` option: a whole number of milliseconds from 0 to 10,000 (0: a slice
// as soon as the page's own tasks let it), or BATCH_MS.
function batchMs(v) {
  if (v === undefined || v === null) return BATCH_MS;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 10000) {
    throw new TypeError('record(): option batchMs must be a number of milliseconds from 0 to 10000');
  }
  return Math.round(v);
}
