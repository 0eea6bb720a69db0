// The DOM applier: applies the patches the wasm `Replay` hands out (see
// web/src/ops.rs for the words) to the replayed page inside a sandboxed iframe.
//
// Only the recorded page's nodes go into the iframe's document. Everything the player
// adds of its own lives outside it; the only attribute it sets on a page node is
// `data-rr-focused`, and recorded attributes that could run code or navigate arrive
// renamed to `data-rr-*` by the library.

/* exported Applier, OP, applierSelfCheck */

const OP = {
  RESET: 1, REMOVE: 2, ELEMENT: 3, TEXT: 4, COMMENT: 5, DOCTYPE: 6, DOCUMENT: 7,
  SET_ATTR: 8, REMOVE_ATTR: 9, SET_TEXT: 10, CHILDREN: 11, SHEET: 12, ADOPTED: 13,
  FORM: 14, SCROLL: 15, FOCUS: 16, VIEWPORT: 17, ADOPT: 18, NONE: 0xffffffff,
};

const SVG_NS = 'http://www.w3.org/2000/svg';
const XLINK_NS = 'http://www.w3.org/1999/xlink';
const XML_NS = 'http://www.w3.org/XML/1998/namespace';

// A placeholder for an iframe's content document until the iframe is placed.
class DocSlot {}

// f32 bits -> number.
const f32buf = new DataView(new ArrayBuffer(4));
function f32(bits) {
  f32buf.setUint32(0, bits);
  return f32buf.getFloat32(0);
}

// Replaces every rule of `sheet` by those of `css` (a constructed sheet parses it, so
// a rule that does not parse is dropped, as the browser would).
function replaceRules(sheet, css) {
  let parsed;
  try {
    parsed = new CSSStyleSheet();
    parsed.replaceSync(css);
  } catch (_) {
    return;
  }
  try {
    while (sheet.cssRules.length) sheet.deleteRule(sheet.cssRules.length - 1);
    for (let i = 0; i < parsed.cssRules.length; i++) {
      try { sheet.insertRule(parsed.cssRules[i].cssText, sheet.cssRules.length); } catch (_) { /* skip */ }
    }
  } catch (_) { /* a sheet from elsewhere: leave it */ }
}

// A constructed sheet for `doc`: it must come from the document's own window (a sheet
// made in another document cannot be adopted).
function constructed(doc, css) {
  const Sheet = (doc.defaultView && doc.defaultView.CSSStyleSheet) || CSSStyleSheet;
  const s = new Sheet();
  try { s.replaceSync(css); } catch (_) { /* empty */ }
  return s;
}

// Whether moving `node` would reload a frame: it is one, or holds one.
const FRAMES = 'iframe,frame,object,embed';
function holdsFrame(node) {
  if (node.nodeType !== 1) return false;
  try {
    return node.matches(FRAMES) || node.querySelector(FRAMES) !== null;
  } catch (_) {
    return false;
  }
}

// The nodes of `kids` (in their wanted order) that can stay where they are: the longest
// subsequence whose current positions (`pos`; absent: not a child yet) rise, keeping
// frames, and nodes that hold one, in it whenever it can. Usually
// all of them are in order already, which is checked first, in one pass: then `null`,
// for all of them.
function inOrder(kids, pos) {
  let last = -1;
  let sorted = true;
  for (const c of kids) {
    const p = pos.get(c);
    if (p === undefined) continue;
    if (p < last) { sorted = false; break; }
    last = p;
  }
  if (sorted) return null;
  // The heaviest rising run, a node with a frame outweighing all the rest (moving one
  // reloads the frame): a Fenwick tree over positions holds the best run ending at or
  // before each.
  const seq = kids.filter((c) => pos.has(c));
  const size = pos.size;
  const heavy = seq.length + 1;
  const bestW = new Float64Array(size + 1);
  const bestAt = new Int32Array(size + 1).fill(-1);
  const prev = new Int32Array(seq.length);
  for (let i = 0; i < seq.length; i++) {
    const p = pos.get(seq[i]);
    let w = 0, from = -1;
    for (let j = p; j > 0; j -= j & -j) {
      if (bestW[j] > w) { w = bestW[j]; from = bestAt[j]; }
    }
    prev[i] = from;
    w += holdsFrame(seq[i]) ? heavy : 1;
    for (let j = p + 1; j <= size; j += j & -j) {
      if (w > bestW[j]) { bestW[j] = w; bestAt[j] = i; }
    }
  }
  let top = 0, end = -1;
  for (let j = size; j > 0; j -= j & -j) {
    if (bestW[j] > top) { top = bestW[j]; end = bestAt[j]; }
  }
  const keep = new Set();
  for (let i = end; i >= 0; i = prev[i]) keep.add(seq[i]);
  return keep;
}

class Applier {
  // `iframe`: a connected iframe with `sandbox` set (no allow-scripts) whose
  // document the page is built in. `onViewport(w, h)` is told the recorded viewport.
  constructor(iframe, { onViewport } = {}) {
    this.iframe = iframe;
    this.nodes = [];
    this.onViewport = onViewport || (() => {});
    this.focused = null;
    // Per document: the constructed sheets standing for <link> CSS, and adopted ones.
    this.docSheets = new Map();
    this.viewport = null;
    this.guard(iframe.contentDocument);
  }

  // A sandbox without allow-scripts still lets a frame navigate itself (a link, a form
  // with a target): every activation in the replayed document is cancelled before it
  // can. The listeners are the player's own code, not the page's.
  guard(doc) {
    if (!doc || doc.__srGuarded) return;
    const stop = (e) => e.preventDefault();
    for (const type of ['click', 'auxclick', 'submit', 'keydown', 'dragstart']) {
      doc.addEventListener(type, stop, true);
    }
    Object.defineProperty(doc, '__srGuarded', { value: true });
  }

  get doc() {
    return this.iframe.contentDocument;
  }

  // Applies one patch: `words` (Uint32Array or array), `text` (its strings).
  apply(words, text) {
    const n = this.nodes;
    let i = 0;
    const s = () => { const a = words[i], l = words[i + 1]; i += 2; return text.substring(a, a + l); };
    const len = words.length;
    while (i < len) {
      const op = words[i++];
      switch (op) {
        case OP.RESET: {
          const root = words[i++];
          this.reset(root);
          break;
        }
        case OP.REMOVE: {
          const k = words[i++];
          const node = n[k];
          if (node && node.nodeType !== 9 && node.parentNode) node.parentNode.removeChild(node);
          if (node && node.nodeType === 1) this.dropSheet(node);
          if (node === this.focused) this.focused = null;
          n[k] = undefined;
          break;
        }
        case OP.ADOPT: {
          // Shown nodes reused for new ones of the same shape (updates follow): all
          // pairs at once, since a key can be both given up and taken.
          const count = words[i++];
          const moved = [];
          for (let j = 0; j < count; j++) {
            const from = words[i + 2 * j];
            moved.push(n[from]);
            n[from] = undefined;
          }
          for (let j = 0; j < count; j++) {
            const node = moved[j];
            n[words[i + 2 * j + 1]] = node;
            if (node && node === this.focused) this.focus(null);
          }
          i += 2 * count;
          break;
        }
        case OP.ELEMENT: {
          const k = words[i++];
          const tag = s();
          const svg = words[i++] === 1;
          n[k] = this.element(tag, svg);
          break;
        }
        case OP.TEXT: { const k = words[i++]; n[k] = this.doc.createTextNode(s()); break; }
        case OP.COMMENT: { const k = words[i++]; n[k] = this.doc.createComment(s()); break; }
        case OP.DOCTYPE: {
          const k = words[i++];
          const name = s(), pub = s(), sys = s();
          try {
            n[k] = this.doc.implementation.createDocumentType(name, pub, sys);
          } catch (_) {
            n[k] = this.doc.createComment('');
          }
          break;
        }
        case OP.DOCUMENT: { const k = words[i++]; n[k] = new DocSlot(); break; }
        case OP.SET_ATTR: {
          const k = words[i++];
          const name = s(), value = s();
          const el = n[k];
          if (el && el.nodeType === 1) this.setAttr(el, name, value);
          break;
        }
        case OP.REMOVE_ATTR: {
          const k = words[i++];
          const name = s();
          const el = n[k];
          if (el && el.nodeType === 1) {
            try { el.removeAttribute(name); } catch (_) { /* invalid name */ }
          }
          break;
        }
        case OP.SET_TEXT: {
          const k = words[i++];
          const t = s();
          const node = n[k];
          if (node && (node.nodeType === 3 || node.nodeType === 8)) node.data = t;
          break;
        }
        case OP.CHILDREN: {
          const p = words[i++], shadow = words[i++] === 1, count = words[i++];
          this.children(p, shadow, words, i, count);
          i += count;
          break;
        }
        case OP.SHEET: {
          const k = words[i++];
          const has = words[i++] === 1;
          const css = has ? s() : null;
          this.sheet(n[k], css);
          break;
        }
        case OP.ADOPTED: {
          const k = words[i++], count = words[i++];
          const list = [];
          for (let j = 0; j < count; j++) list.push(s());
          this.adopted(n[k], list);
          break;
        }
        case OP.FORM: {
          const k = words[i++];
          const value = s();
          const checked = words[i++] === 1;
          this.form(n[k], value, checked);
          break;
        }
        case OP.SCROLL: {
          const k = words[i++];
          const x = f32(words[i++]), y = f32(words[i++]);
          this.scroll(k === OP.NONE ? null : n[k], x, y);
          break;
        }
        case OP.FOCUS: {
          const k = words[i++];
          this.focus(k === OP.NONE ? null : n[k]);
          break;
        }
        case OP.VIEWPORT: {
          const w = f32(words[i++]), h = f32(words[i++]);
          this.viewport = [w, h];
          this.onViewport(w, h);
          break;
        }
        default:
          throw new Error(`session-replay: unknown patch operation ${op} at word ${i - 1}`);
      }
    }
  }

  reset(root) {
    // Emptied in place: `apply` holds this array while it runs.
    this.nodes.length = 0;
    this.focused = null;
    this.docSheets = new Map();
    const doc = this.doc;
    while (doc.firstChild) doc.removeChild(doc.firstChild);
    this.syncAdopted(doc);
    if (root !== OP.NONE) this.nodes[root] = doc;
  }

  element(tag, svg) {
    const doc = this.doc;
    try {
      return svg ? doc.createElementNS(SVG_NS, tag) : doc.createElement(tag);
    } catch (_) {
      // A tag name the DOM refuses: an inert stand-in keeps the tree's shape.
      const el = doc.createElement('span');
      try { el.setAttribute('data-rr-tag', tag); } catch (_) { /* nothing */ }
      return el;
    }
  }

  setAttr(el, name, value) {
    try {
      if (name.startsWith('xlink:')) el.setAttributeNS(XLINK_NS, name, value);
      else if (name.startsWith('xml:')) el.setAttributeNS(XML_NS, name, value);
      else el.setAttribute(name, value);
    } catch (_) { /* a name the DOM refuses */ }
  }

  children(p, shadow, words, at, count) {
    const n = this.nodes;
    let parent = n[p];
    if (!parent || parent instanceof DocSlot) return;
    if (shadow) {
      let root = parent.shadowRoot;
      if (!root) {
        try { root = parent.attachShadow({ mode: 'open' }); } catch (_) { root = null; }
      }
      if (!root) return;
      parent = root;
    }
    // An iframe's content document: bind the placeholder to the live document.
    if (parent.nodeType === 1 && parent.localName === 'iframe') {
      for (let j = 0; j < count; j++) {
        const k = words[at + j];
        const kid = n[k];
        if (kid instanceof DocSlot || (kid && kid.nodeType === 9)) {
          const d = parent.contentDocument;
          if (d) {
            if (kid instanceof DocSlot) {
              while (d.firstChild) d.removeChild(d.firstChild);
            }
            this.guard(d);
            this.syncAdopted(d);
            n[k] = d;
          }
        }
      }
      return;
    }
    // The children already in place at the front and at the back are passed over in
    // one walk each, without sets or maps: a played step or a seek usually appends,
    // or changes a few children of a long list, and a list of 10,000 rows then costs
    // two walks, not four passes through hashed sets (2.2 ms per seek on the big page).
    let j0 = 0;
    let first = parent.firstChild;
    while (j0 < count && first !== null && n[words[at + j0]] === first) {
      j0++;
      first = first.nextSibling;
    }
    if (j0 === count && first === null) return;
    // The back run stops at the front run's last node, so the two never share one.
    const stop = first !== null ? first.previousSibling : parent.lastChild;
    let j1 = count;
    let tail = null;
    let last = parent.lastChild;
    while (j1 > j0 && last !== null && last !== stop && n[words[at + j1 - 1]] === last) {
      j1--;
      tail = last;
      last = last.previousSibling;
    }
    // Between the runs: children that leave are taken out first. Of those that stay,
    // the longest run already in order stays put and the rest move: a node moved from
    // the front to the back is one move, not one per node after it, and an iframe
    // that keeps its place among the others is never moved (moving one reloads it and
    // loses its document).
    const kids = [];
    const want = new Set();
    for (let j = j0; j < j1; j++) {
      const c = n[words[at + j]];
      if (c && !(c instanceof DocSlot) && c.nodeType !== 9 && !want.has(c)) {
        want.add(c);
        kids.push(c);
      }
    }
    const pos = new Map();
    let cur = first;
    while (cur !== null && cur !== tail) {
      const next = cur.nextSibling;
      if (want.has(cur)) pos.set(cur, pos.size);
      else parent.removeChild(cur);
      cur = next;
    }
    const keep = inOrder(kids, pos);
    let next = tail;
    for (let j = kids.length - 1; j >= 0; j--) {
      const c = kids[j];
      if (!pos.has(c) && c.parentNode === parent) {
        // Listed twice, its other place in the front run or the back run: the first
        // place wins, as when the whole list is merged. (4: DOCUMENT_POSITION_FOLLOWING.)
        const inTail = tail !== null && (c === tail || (tail.compareDocumentPosition(c) & 4) !== 0);
        if (!inTail) continue;
      }
      if (keep === null ? !pos.has(c) : !keep.has(c)) {
        try {
          parent.insertBefore(c, next);
        } catch (_) { /* a tree the DOM refuses (two root elements): skip */ }
      }
      next = c.parentNode === parent ? c : next;
    }
  }

  sheetsOf(doc) {
    let d = this.docSheets.get(doc);
    if (!d) {
      d = { links: new Map(), adopted: [] };
      this.docSheets.set(doc, d);
    }
    return d;
  }

  syncAdopted(doc) {
    const d = this.sheetsOf(doc);
    try { doc.adoptedStyleSheets = [...d.links.values(), ...d.adopted, this.baseSheet(doc)]; } catch (_) { /* none */ }
  }

  // The player's own rules for a replayed document: <noscript> content stays hidden,
  // as it was for the person recorded (scripting is off in the stage, so a browser
  // would show it: a tag manager's <noscript><iframe> would appear as text).
  baseSheet(doc) {
    const d = this.sheetsOf(doc);
    if (!d.base) d.base = constructed(doc, 'noscript { display: none !important; }');
    return d.base;
  }

  sheet(el, css) {
    if (!el || el.nodeType !== 1) return;
    const doc = el.ownerDocument;
    if (el.localName === 'style' && el.sheet) {
      if (css !== null) replaceRules(el.sheet, css);
      else replaceRules(el.sheet, el.textContent || '');
      return;
    }
    if (el.localName !== 'link') return;
    // A <link> whose CSS was inlined (its href is never fetched): a constructed sheet,
    // adopted by its document, stands for it, with the link's media. (It cascades after
    // the document's own sheets; a link in a shadow root counts for the document.)
    const d = this.sheetsOf(doc);
    if (css === null) {
      d.links.delete(el);
    } else {
      const sheet = constructed(doc, css);
      const media = el.getAttribute('media');
      if (media) try { sheet.media.mediaText = media; } catch (_) { /* invalid */ }
      d.links.set(el, sheet);
    }
    this.syncAdopted(doc);
  }

  // A removed <link> takes its stand-in sheet with it.
  dropSheet(node) {
    if (node.nodeType !== 1 || node.localName !== 'link') return;
    const d = this.docSheets.get(node.ownerDocument);
    if (d && d.links.delete(node)) this.syncAdopted(node.ownerDocument);
  }

  adopted(host, list) {
    if (!host) return;
    const doc = host.nodeType === 9 ? host : host.ownerDocument;
    const sheets = list.map((css) => constructed(doc, css));
    if (host.nodeType === 9) {
      this.sheetsOf(host).adopted = sheets;
      this.syncAdopted(host);
    } else if (host.nodeType === 1 && host.shadowRoot) {
      // Only a shadow root the page has: attaching one here would hide the element's
      // light children for good.
      try { host.shadowRoot.adoptedStyleSheets = sheets; } catch (_) { /* none */ }
    }
  }

  form(el, value, checked) {
    if (!el || el.nodeType !== 1) return;
    try {
      const type = (el.getAttribute('type') || '').toLowerCase();
      if (el.localName === 'input' && (type === 'checkbox' || type === 'radio')) {
        el.checked = checked;
      } else if (el.localName === 'input' && type === 'file') {
        // A file input's value cannot be set; nothing recorded is shown.
      } else if ('value' in el) {
        el.value = value;
      }
    } catch (_) { /* not settable */ }
  }

  scroll(el, x, y) {
    try {
      if (el === null) {
        const win = this.iframe.contentWindow;
        if (win) win.scrollTo({ left: x, top: y, behavior: 'instant' });
      } else if (el && el.nodeType === 9) {
        const win = el.defaultView;
        if (win) win.scrollTo({ left: x, top: y, behavior: 'instant' });
      } else if (el && el.nodeType === 1) {
        el.scrollTo({ left: x, top: y, behavior: 'instant' });
      }
    } catch (_) { /* detached */ }
  }

  focus(el) {
    // The player keeps the keyboard: focus is shown as an attribute, not moved.
    if (this.focused && this.focused.nodeType === 1) this.focused.removeAttribute('data-rr-focused');
    this.focused = el && el.nodeType === 1 ? el : null;
    if (this.focused) this.focused.setAttribute('data-rr-focused', '');
  }
}

// Checks the opcodes against the wasm's list ("NAME=code,...").
function applierSelfCheck(list) {
  for (const pair of list.split(',')) {
    const [name, code] = pair.split('=');
    if (OP[name] !== Number(code)) throw new Error(`session-replay: opcode ${name} is ${OP[name]} here, ${code} in wasm`);
  }
}
