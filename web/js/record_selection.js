// The page's text selection, as the recorder follows it: listened to only while a
// selection may be showing (see followSelection), and written as a Selection command.

/* global REC */
/* exported followSelection */

// `selectionchange` fires at every caret move, so at every keystroke, and almost all of
// those say nothing (a collapsed caret after a collapsed one), yet each call costs
// the page a listener run. So it is listened to only while a selection may be
// showing: from `selectstart` (which mouse, keyboard and select-all selections fire
// before they change anything) or `select` (a field's text selected, also by its
// select()) until the selection is collapsed again. A selection a script makes with
// neither event is read at the next slice, and followed from there. On the login
// session this is 70 listener calls fewer (one per keystroke).
// Returns that slice's check.
function followSelection(rec, doc, on) {
  const opts = { capture: true, passive: true };
  // What was last written: no range (nothing selected) or some.
  const state = { empty: true };
  let following = false;
  const follow = () => {
    readSelection(rec, doc, state);
    if (state.empty && following) {
      following = false;
      doc.removeEventListener('selectionchange', follow, opts);
    }
  };
  const arm = () => {
    if (following || rec.stopped) return;
    following = true;
    doc.addEventListener('selectionchange', follow, opts);
  };
  on(doc, 'selectstart', arm);
  on(doc, 'select', () => {
    arm();
    follow();
  });
  rec.unlisten.push(() => doc.removeEventListener('selectionchange', follow, opts));
  return () => {
    if (following) return;
    readSelection(rec, doc, state);
    if (!state.empty) arm();
  };
}

// Queues the selection when it says something new against `state`.
function readSelection(rec, doc, state) {
  const sel = doc.getSelection();
  if (!sel) return;
  // Typing moves a collapsed caret on every key: the cheap test first.
  if (sel.isCollapsed && state.empty) return;
  const ranges = [];
  for (let i = 0; i < sel.rangeCount; i++) {
    const r = sel.getRangeAt(i);
    if (r.collapsed) continue;
    ranges.push([r.startContainer, r.startOffset, r.endContainer, r.endOffset]);
  }
  // A collapsed selection after a collapsed one says nothing new (as in rrweb).
  if (!ranges.length && state.empty) return;
  state.empty = !ranges.length;
  rec.push((buf, t) => {
    buf.n(REC.SELECTION); buf.n(t); buf.n(ranges.length);
    for (const [s, so, e, eo] of ranges) {
      buf.n(rec.key(s)); buf.n(so); buf.n(rec.key(e)); buf.n(eo);
    }
  });
}
