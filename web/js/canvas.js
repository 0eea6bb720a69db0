// Draws the replayed page's 2D canvases from rrweb's recorded canvas commands: the work
// web/src/canvas.rs hands out with each patch (what to redraw after a seek, what is new
// while playing).
//
// A recording is untrusted, and these commands are calls on a real context. So only
// an allow-list of CanvasRenderingContext2D methods and properties runs; arguments are
// rebuilt only into plain values, typed arrays, ImageData, Blobs and images decoded
// from data: URLs (http(s) images only with `resources: 'allow'`); anything else
// (gradients and patterns, which rrweb does not record, a `filter` with a url(), an
// unknown type) skips the command. Nothing is evaluated and nothing else is touched.
//
// Images decode asynchronously. A canvas's draws stay in order: one that needs an
// image waits for it, and later draws on that canvas wait behind it. Decoded images
// are kept (a few dozen) so that seeking back and forth draws at once. A restart (a
// seek) drops the canvas's waiting draws.

/* exported CanvasPainter */

const CANVAS_METHODS = new Set([
  'arc', 'arcTo', 'beginPath', 'bezierCurveTo', 'clearRect', 'clip', 'closePath', 'drawImage',
  'ellipse', 'fill', 'fillRect', 'fillText', 'lineTo', 'moveTo', 'putImageData', 'quadraticCurveTo',
  'rect', 'reset', 'resetTransform', 'restore', 'rotate', 'roundRect', 'save', 'scale', 'setLineDash',
  'setTransform', 'stroke', 'strokeRect', 'strokeText', 'transform', 'translate',
]);
const CANVAS_PROPS = new Set([
  'direction', 'fillStyle', 'filter', 'font', 'fontKerning', 'fontStretch', 'fontVariantCaps',
  'globalAlpha', 'globalCompositeOperation', 'imageSmoothingEnabled', 'imageSmoothingQuality',
  'letterSpacing', 'lineCap', 'lineDashOffset', 'lineJoin', 'lineWidth', 'miterLimit', 'shadowBlur',
  'shadowColor', 'shadowOffsetX', 'shadowOffsetY', 'strokeStyle', 'textAlign', 'textBaseline',
  'textRendering', 'wordSpacing',
]);
const TYPED_ARRAYS = {
  Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
  Float32Array, Float64Array,
};
// Bounds on what a recording may make us allocate or decode.
const MAX_IMAGE_PIXELS = 1 << 26;
const MAX_ARG_DEPTH = 8;
const IMAGE_CACHE = 48;
const HTML_NS = 'http://www.w3.org/1999/xhtml';

// A command that may not run, or whose arguments cannot be rebuilt.
const REFUSED = new Error('refused');

function base64Bytes(s) {
  if (typeof s !== 'string') throw REFUSED;
  if (typeof Uint8Array.fromBase64 === 'function') return Uint8Array.fromBase64(s);
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

class CanvasPainter {
  // `nodes`: the applier's node table (patch keys -> nodes). Options: `resources`
  // ('allow' lets http(s) images load), `onIdle()` when no draw waits any more.
  constructor(nodes, { resources, onIdle } = {}) {
    this.nodes = nodes;
    this.allowRemote = resources === 'allow';
    this.onIdle = onIdle || (() => {});
    this.images = new Map(); // source -> decoded image or bitmap (null: failed)
    this.loading = new Map(); // source -> promise
    this.queues = new WeakMap(); // canvas -> { gen, tail }
    this.waiting = 0;
    this.idle = [];
    // Commands refused by the allow-list or failing, counted (never thrown).
    this.refused = 0;
  }

  // Draws one patch's work (JSON from Replay.canvasWork; empty when none).
  apply(json) {
    if (!json) return;
    let work;
    try {
      work = JSON.parse(json);
    } catch (_) {
      return;
    }
    for (const w of work) {
      const el = this.nodes[w.key];
      if (!el || el.localName !== 'canvas' || el.namespaceURI !== HTML_NS) continue;
      this.draw(el, w);
    }
  }

  // Resolves once every waiting draw is done.
  whenIdle() {
    return this.waiting ? new Promise((ok) => this.idle.push(ok)) : Promise.resolve();
  }

  draw(el, w) {
    let q = this.queues.get(el);
    if (!q) {
      q = { gen: 0, tail: null };
      this.queues.set(el, q);
    }
    if (w.restart) {
      q.gen++; // draws still waiting on this canvas are stale now
      q.tail = null;
    }
    const gen = q.gen;
    const sources = [];
    if (w.restart && typeof w.base === 'string') sources.push(w.base);
    for (const c of w.commands) this.sourcesOf(c, sources);
    const missing = sources.filter((s) => !this.images.has(s));
    const paint = () => {
      if (q.gen === gen) this.paint(el, w);
    };
    if (!q.tail && !missing.length) {
      paint();
      return;
    }
    this.waiting++;
    const before = q.tail || Promise.resolve();
    const p = before
      .then(() => Promise.all(missing.map((s) => this.load(s))))
      .then(paint, paint)
      .finally(() => {
        if (q.tail === p) q.tail = null;
        if (--this.waiting === 0) {
          for (const ok of this.idle.splice(0)) ok();
          this.onIdle();
        }
      });
    q.tail = p;
  }

  // The images a command draws, by source: an image's URL, or a bitmap's bytes.
  sourcesOf(c, out) {
    if (c.setter || c.property !== 'drawImage' || !Array.isArray(c.args)) return;
    const a = c.args[0];
    if (typeof a === 'string') out.push(a);
    else if (a && a.rr_type === 'HTMLImageElement' && typeof a.src === 'string') out.push(a.src);
    else if (a && a.rr_type === 'ImageBitmap') out.push(JSON.stringify(a));
  }

  // Decodes one source into the cache (null when it cannot be).
  load(source) {
    if (this.images.has(source)) return Promise.resolve();
    let p = this.loading.get(source);
    if (p) return p;
    const done = (img) => {
      this.loading.delete(source);
      this.images.set(source, img);
      // Oldest first out.
      while (this.images.size > IMAGE_CACHE) this.images.delete(this.images.keys().next().value);
    };
    p = this.decode(source).then(done, () => done(null));
    this.loading.set(source, p);
    return p;
  }

  async decode(source) {
    if (source.startsWith('{')) {
      // An ImageBitmap, as rrweb records sampled frames: from a Blob of its bytes.
      const desc = JSON.parse(source);
      const args = Array.isArray(desc.args) ? desc.args.map((x) => this.arg(x, 1)) : [];
      if (!(args[0] instanceof Blob)) return null;
      return createImageBitmap(args[0]);
    }
    const remote = /^https?:/i.test(source);
    if (!/^data:image\//i.test(source) && !(remote && this.allowRemote)) return null;
    const img = new Image();
    img.referrerPolicy = 'no-referrer';
    img.src = source;
    await img.decode();
    if (img.naturalWidth * img.naturalHeight > MAX_IMAGE_PIXELS) return null;
    return img;
  }

  paint(el, w) {
    let ctx;
    try {
      ctx = el.getContext('2d');
    } catch (_) {
      return;
    }
    if (!ctx) return; // a WebGL canvas
    if (w.restart) {
      if (typeof ctx.reset === 'function') ctx.reset();
      else el.width = el.width; // eslint-disable-line no-self-assign
      const img = typeof w.base === 'string' ? this.images.get(w.base) : null;
      if (img) {
        try {
          ctx.drawImage(img, 0, 0);
        } catch (_) {
          this.refused++;
        }
      }
    }
    for (const c of w.commands) this.run(ctx, c);
  }

  // One command, if the allow-list lets it run and its arguments can be rebuilt.
  run(ctx, c) {
    const p = c.property;
    const args = Array.isArray(c.args) ? c.args : [];
    try {
      if (c.setter) {
        if (!CANVAS_PROPS.has(p)) throw REFUSED;
        const v = args[0];
        if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') throw REFUSED;
        // A filter may point at a document (url(#id) or another file): never.
        if (p === 'filter' && /url\s*\(/i.test(String(v))) throw REFUSED;
        ctx[p] = v;
        return;
      }
      if (!CANVAS_METHODS.has(p)) throw REFUSED;
      let rebuilt;
      if (p === 'drawImage') {
        const [img, ...rest] = args;
        const source = typeof img === 'string' ? img
          : img && img.rr_type === 'HTMLImageElement' ? img.src
            : img && img.rr_type === 'ImageBitmap' ? JSON.stringify(img) : null;
        const decoded = source === null ? null : this.images.get(source);
        if (!decoded) throw REFUSED;
        rebuilt = [decoded, ...rest.map((x) => this.arg(x, 1))];
      } else {
        rebuilt = args.map((x) => this.arg(x, 1));
      }
      ctx[p](...rebuilt);
    } catch (_) {
      this.refused++;
    }
  }

  // Rebuilds one of rrweb's serialized arguments (serialize-args.ts), or refuses.
  arg(v, depth) {
    if (v === null || typeof v !== 'object') return v;
    if (depth > MAX_ARG_DEPTH) throw REFUSED;
    if (Array.isArray(v)) return v.map((x) => this.arg(x, depth + 1));
    const type = v.rr_type;
    if (type === 'ArrayBuffer') return base64Bytes(v.base64).buffer;
    if (type === 'Blob') {
      const parts = Array.isArray(v.data) ? v.data.map((x) => this.arg(x, depth + 1)) : [];
      return new Blob(parts, { type: typeof v.type === 'string' ? v.type : '' });
    }
    if (type === 'ImageData') {
      const a = Array.isArray(v.args) ? v.args : [];
      const data = this.arg(a[0], depth + 1);
      const w = Number(a[1]);
      const h = a[2] === undefined ? undefined : Number(a[2]);
      if (!(data instanceof Uint8ClampedArray) || !(w > 0) || data.length > 4 * MAX_IMAGE_PIXELS) throw REFUSED;
      return h === undefined ? new ImageData(data, w) : new ImageData(data, w, h);
    }
    if (type === 'DataView') {
      const a = Array.isArray(v.args) ? v.args : [];
      const buf = this.arg(a[0], depth + 1);
      if (!(buf instanceof ArrayBuffer)) throw REFUSED;
      return new DataView(buf, ...a.slice(1, 3).map(Number));
    }
    if (Object.prototype.hasOwnProperty.call(TYPED_ARRAYS, type)) {
      // Only from values or bytes: a bare length would let a recording allocate at will.
      const a = Array.isArray(v.args) ? v.args : [];
      const src = this.arg(a[0], depth + 1);
      const Ctor = TYPED_ARRAYS[type];
      if (Array.isArray(src)) {
        if (src.length > 4 * MAX_IMAGE_PIXELS) throw REFUSED;
        return new Ctor(src.map(Number));
      }
      if (src instanceof ArrayBuffer) return new Ctor(src, ...a.slice(1, 3).map(Number));
      throw REFUSED;
    }
    // A gradient, a pattern, an element or anything unknown: not rebuilt.
    throw REFUSED;
  }
}
