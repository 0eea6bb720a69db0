// The recorder's CSSOM observation: stylesheet edits (insertRule, deleteRule, replace,
// replaceSync, and declarations set on a rule's style) and adoptions of constructed
// sheets (adoptedStyleSheets). They change no node, so no MutationObserver sees them:
// the methods and setters are wrapped while any recorder runs, as rrweb wraps them, in
// the top window and in each same-origin iframe's. `SheetWatch`, one per PageRecorder
// (recorder.js), turns what they report into sheet-edit and adoption commands.
//
// Why it is built this way:
// - A wrapper calls the page's method first and reports only if it returned: a rule the
//   browser refused never reaches the stream. The inserted rule is read back from the
//   sheet, so its text is the browser's, as the snapshot's `_cssText` is.
// - A constructed sheet's rules cross to the wasm once (`sent`), inside its first
//   adoption; the Recording keeps them, and puts them back in the stream after each
//   keyframe. Edits of a sheet not handed over yet are not sent: the adoption that
//   hands it over reads its rules as they are by then.
// - A `<style>` with text that was edited through the CSSOM is walked as `_cssText`
//   (its sheet as the browser has it) without its text children, so that a later walk
//   (a snapshot, or the node moved) keeps the edits. rrweb's recorder loses them.
// - `document.adoptedStyleSheets.push(sheet)` changes the array in place, past any
//   setter: each slice compares the roots that adopt with what was last sent.

/* global REC, activeRecorders */

const SHEET_EDIT = { INSERT: 1, DELETE: 2, REPLACE: 3, SET: 4, REMOVE: 5 };

// window -> what undoes its wrappers.
const sheetHooks = new Map();

// The index of `item` in a CSSRuleList (an array-like, not an array).
function ruleIndex(list, item) {
  for (let i = 0; i < list.length; i++) if (list[i] === item) return i;
  return -1;
}

// Where a rule sits: its sheet, and its index there, then in each grouping rule
// (`@media`, `@supports`, ...) down to it. Null when it is in no sheet.
function rulePath(rule) {
  const path = [];
  let r = rule;
  while (r.parentRule) {
    path.push(ruleIndex(r.parentRule.cssRules, r));
    r = r.parentRule;
  }
  const sheet = r.parentStyleSheet;
  if (!sheet) return null;
  path.push(ruleIndex(sheet.cssRules, r));
  path.reverse();
  return path.includes(-1) ? null : { sheet, path };
}

// A sheet's rules as CSS texts; null when there is no sheet or its rules cannot be
// read (cross-origin).
function sheetRules(sheet) {
  try {
    const rules = sheet && sheet.cssRules;
    if (!rules) return null;
    const out = new Array(rules.length);
    for (let i = 0; i < rules.length; i++) out[i] = rules[i].cssText;
    return out;
  } catch (_) {
    return null;
  }
}

// The node an adoption is recorded on: the document itself, or a shadow root's host.
const adopter = (root) => (root.nodeType === 9 ? root : root.host);

function reportEdit(sheet, path, code, a, b, c) {
  for (const r of activeRecorders) r.sheets.onEdit(sheet, path, code, a, b, c);
}

// Wraps the CSSOM of `win` (once per window, undone by unhookSheets).
function hookSheets(win) {
  if (!win || sheetHooks.has(win)) return;
  const undo = [];
  sheetHooks.set(win, undo);
  const method = (cls, name, after) => {
    const proto = win[cls] && win[cls].prototype;
    const d = proto && Object.getOwnPropertyDescriptor(proto, name);
    if (!d || typeof d.value !== 'function' || !d.configurable) return;
    const orig = d.value;
    Object.defineProperty(proto, name, {
      ...d,
      value: function (...args) {
        const out = orig.apply(this, args);
        // The page's call has happened: a recorder's trouble must not become the page's.
        if (activeRecorders.size) {
          try {
            after(this, args, out);
          } catch (_) { /* an unreadable rule or sheet: nothing to record */ }
        }
        return out;
      },
    });
    undo.push(() => Object.defineProperty(proto, name, d));
  };
  const inserted = (list, at) => (list[at] ? list[at].cssText : null);
  method('CSSStyleSheet', 'insertRule', (sheet, args, at) => {
    const rule = inserted(sheet.cssRules, at);
    if (rule !== null) reportEdit(sheet, [at], SHEET_EDIT.INSERT, rule);
  });
  method('CSSStyleSheet', 'deleteRule', (sheet, args) => {
    reportEdit(sheet, [args[0] >>> 0], SHEET_EDIT.DELETE);
  });
  method('CSSStyleSheet', 'replace', (sheet, args) => {
    reportEdit(sheet, [], SHEET_EDIT.REPLACE, String(args[0]), 0);
  });
  method('CSSStyleSheet', 'replaceSync', (sheet, args) => {
    reportEdit(sheet, [], SHEET_EDIT.REPLACE, String(args[0]), 1);
  });
  method('CSSGroupingRule', 'insertRule', (group, args, at) => {
    const where = rulePath(group);
    const rule = inserted(group.cssRules, at);
    if (where && rule !== null) reportEdit(where.sheet, [...where.path, at], SHEET_EDIT.INSERT, rule);
  });
  method('CSSGroupingRule', 'deleteRule', (group, args) => {
    const where = rulePath(group);
    if (where) reportEdit(where.sheet, [...where.path, args[0] >>> 0], SHEET_EDIT.DELETE);
  });
  // An element's own style (`el.style.setProperty`) has no parent rule: it shows up as
  // a `style` attribute mutation, and costs this wrapper one test.
  const declaration = (style, property) => {
    if (!style.parentRule) return;
    const where = rulePath(style.parentRule);
    if (!where) return;
    const value = style.getPropertyValue(property);
    if (value === '') reportEdit(where.sheet, where.path, SHEET_EDIT.REMOVE, property);
    else reportEdit(where.sheet, where.path, SHEET_EDIT.SET, property, value, style.getPropertyPriority(property));
  };
  method('CSSStyleDeclaration', 'setProperty', (style, args) => declaration(style, String(args[0])));
  method('CSSStyleDeclaration', 'removeProperty', (style, args) => declaration(style, String(args[0])));
  for (const cls of ['Document', 'ShadowRoot']) {
    const proto = win[cls] && win[cls].prototype;
    const d = proto && Object.getOwnPropertyDescriptor(proto, 'adoptedStyleSheets');
    if (!d || !d.set || !d.configurable) continue;
    Object.defineProperty(proto, 'adoptedStyleSheets', {
      ...d,
      set(v) {
        d.set.call(this, v);
        for (const r of activeRecorders) r.sheets.onAdopt(this);
      },
    });
    undo.push(() => Object.defineProperty(proto, 'adoptedStyleSheets', d));
  }
}

function unhookSheets() {
  for (const undo of sheetHooks.values()) for (const f of undo) f();
  sheetHooks.clear();
}

// One recorder's CSSOM state: what it handed over, and the commands it writes.
class SheetWatch {
  constructor(rec) {
    this.rec = rec;
    this.reset();
    // Sheets edited through the CSSOM while recording.
    this.edited = new WeakSet();
    // `<style>` elements walked as `_cssText` because their sheet was edited (their
    // text children are not walked).
    this.cssomOnly = new WeakSet();
    // Owner node -> the slice it was last walked as `_cssText` in (set by the walk).
    this.inlinedIn = new WeakMap();
  }

  // A new Recording (the worker was lost): it knows no sheet.
  reset() {
    this.sent = new WeakSet();
    // Documents and shadow roots that adopt sheets -> the sheets last sent for them.
    this.adopting = new Map();
    // Roots found adopting during a walk, written once the walk's command is closed.
    this.later = [];
  }

  // Whether `el`, a `<style>`, is walked as `_cssText`: when its text is empty
  // (CSS-in-JS) or its sheet was edited.
  inlines(el) {
    if (!el.sheet) return false;
    if (this.edited.has(el.sheet) && (el.textContent || '').trim()) {
      this.cssomOnly.add(el);
      return true;
    }
    return !(el.textContent || '').trim();
  }

  // A root met in a walk: its adoptions go out after the walk's command.
  found(root) {
    const sheets = root.adoptedStyleSheets;
    if (sheets && sheets.length) this.later.push(root);
  }

  writeLater(buf, t) {
    const roots = this.later;
    if (!roots.length) return;
    this.later = [];
    for (const root of roots) this.writeAdoption(buf, t, root);
  }

  writeAdoption(buf, t, root) {
    const rec = this.rec;
    const host = adopter(root);
    if (!host || !rec.keys.has(host)) return;
    const sheets = Array.from(root.adoptedStyleSheets || []);
    this.adopting.set(root, sheets);
    buf.n(REC.ADOPT); buf.n(t); buf.n(rec.key(host)); buf.n(sheets.length);
    for (const sheet of sheets) {
      buf.n(rec.key(sheet));
      const rules = this.sent.has(sheet) ? null : sheetRules(sheet);
      if (rules === null) {
        buf.n(0);
        continue;
      }
      this.sent.add(sheet);
      buf.n(1); buf.n(rules.length);
      for (const r of rules) buf.s(r);
    }
  }

  // `root.adoptedStyleSheets = [...]` was set.
  onAdopt(root) {
    const rec = this.rec;
    if (rec.stopped) return;
    rec.takeRecords(); // mutations observed before it go first
    rec.push((buf, t, item) => {
      const host = adopter(root);
      // A host walked after this was set had its adoption written by the walk.
      if (host && rec.walked.get(host) > item.q) return;
      this.writeAdoption(buf, t, root);
    });
  }

  // Adoptions changed in place (`push`) since they were last sent.
  check() {
    for (const [root, last] of this.adopting) {
      const host = adopter(root);
      if (!host || !host.isConnected) {
        this.adopting.delete(root);
        continue;
      }
      const now = root.adoptedStyleSheets || [];
      let same = now.length === last.length;
      for (let i = 0; same && i < now.length; i++) same = now[i] === last[i];
      if (!same) this.rec.push((buf, t) => this.writeAdoption(buf, t, root));
    }
  }

  // A CSSOM edit of `sheet`, reported by a wrapper after the page's call returned.
  onEdit(sheet, path, code, a, b, c) {
    const rec = this.rec;
    if (rec.stopped) return;
    const owner = sheet.ownerNode;
    if (owner) {
      if (!rec.keys.has(owner)) return; // not walked yet: the walk will show the edit
      this.edited.add(sheet);
    } else if (sheet.ownerRule || !this.sent.has(sheet)) {
      // An @import's sheet is not recorded; a constructed sheet not handed over yet
      // goes with its first adoption, edits included.
      return;
    }
    rec.takeRecords();
    rec.push((buf, t, item) => {
      if (owner) {
        // Walked as `_cssText` after the edit: the walk read the sheet with it.
        if (!rec.keys.has(owner)) return;
        const walked = rec.walked.get(owner);
        if (walked > item.q && this.inlinedIn.get(owner) === walked) return;
      }
      buf.n(REC.SHEET); buf.n(t); buf.n(owner ? 0 : 1); buf.n(rec.key(owner || sheet)); buf.n(code);
      if (code === SHEET_EDIT.REPLACE) {
        buf.n(b); buf.s(a);
        return;
      }
      buf.n(path.length);
      for (const i of path) buf.n(i);
      if (code !== SHEET_EDIT.DELETE) buf.s(a);
      if (code === SHEET_EDIT.SET) { buf.s(b); buf.s(c); }
    });
  }
}
