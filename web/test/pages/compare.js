// Browser-side checks for the tests: compares the player's document with a corpus
// checkpoint of the live page, by the crate's fidelity criteria (tests/replay_fidelity.rs):
// element and class sequence, attributes, visible text, form values, window scroll and
// viewport. `src`/`href` (rrweb absolutizes them), `autocomplete`, form state attributes,
// rrweb's `rr_*`/`_*` and the player's `data-rr-*` are not compared as attributes.
// With `{ shape: true }` (a masked recording), masked values compare by shape only:
// attributes by name, text by which text nodes hold any, form values by emptiness;
// checked and selected state, which the default policy masks, are not compared.
/* exported compareWithCheckpoint */
function compareWithCheckpoint(player, cp, { shape = false } = {}) {
  const problems = [];
  const label = cp.label;
  const live = new DOMParser().parseFromString(`<!DOCTYPE html>${cp.html}`, 'text/html');
  const doc = player.iframe.contentDocument;
  const elements = (d) => [...d.documentElement.querySelectorAll('*')].concat([]).length ? [d.documentElement, ...d.documentElement.querySelectorAll('*')] : [];
  const skip = (k) => ['src', 'href', 'autocomplete', 'value', 'checked', 'selected'].includes(k) || k.startsWith('rr_') || k.startsWith('_');
  // Recorded attributes the player renamed (autofocus, on*, ...) count under their own
  // name; the player's own (data-rr-focused) do not count.
  const own = ['data-rr-focused', 'data-rr-tag'];
  const name = (k) => (k.startsWith('data-rr-') && !own.includes(k) ? k.slice(8) : k);
  const attrs = (el) => [...el.attributes].filter((a) => !own.includes(a.name)).map((a) => [name(a.name), a.value]).filter(([k]) => !skip(k)).sort().map(([k, v]) => (shape ? k : `${k}=${v}`)).join(' ');
  const a = elements(live), b = elements(doc);
  const seq = (els) => els.map((e) => `${e.localName}.${e.getAttribute('class') || ''}`);
  const sa = seq(a), sb = seq(b);
  if (sa.join('|') !== sb.join('|')) {
    let i = 0;
    while (i < sa.length && sa[i] === sb[i]) i++;
    problems.push(`${label}: element sequence differs at ${i} (live ${sa.length}, replay ${sb.length}): live ${sa[i]} vs replay ${sb[i]}`);
  } else {
    for (let i = 0; i < a.length; i++) {
      if (attrs(a[i]) !== attrs(b[i])) {
        problems.push(`${label}: attributes of element ${i} <${a[i].localName}>: live [${attrs(a[i])}] vs replay [${attrs(b[i])}]`);
        break;
      }
    }
  }
  const text = (d) => {
    if (!d.body) return '';
    const out = [];
    const walker = d.createTreeWalker(d.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      let hidden = false;
      for (let p = n.parentNode; p && p !== d; p = p.parentNode) {
        if (p.localName === 'script' || p.localName === 'style' || p.localName === 'template') hidden = true;
      }
      if (!hidden) out.push(shape ? (n.data.trim() ? 'T' : '') : n.data);
    }
    return shape ? out.filter(Boolean).join(' ') : out.join('').split(/\s+/).filter(Boolean).join(' ');
  };
  const ta = text(live), tb = text(doc);
  if (ta !== tb) {
    let i = 0;
    while (i < ta.length && ta[i] === tb[i]) i++;
    problems.push(`${label}: text differs at char ${i}: live ${JSON.stringify(ta.slice(Math.max(0, i - 30), i + 50))} vs replay ${JSON.stringify(tb.slice(Math.max(0, i - 30), i + 50))}`);
  }
  const controls = doc.querySelectorAll('input, textarea, select');
  if (controls.length !== cp.formState.length) problems.push(`${label}: ${cp.formState.length} form controls live, ${controls.length} replayed`);
  for (const f of cp.formState) {
    let el = null;
    try { el = doc.querySelector(f.path); } catch (_) { /* bad path */ }
    if (!el) {
      problems.push(`${label}: no replayed control at ${f.path}`);
      continue;
    }
    if (shape) {
      if ((el.value === '') !== (f.value === '')) problems.push(`${label}: ${f.path} value live ${f.value ? 'set' : 'empty'} vs replay ${el.value ? 'set' : 'empty'}`);
      continue;
    }
    if (el.value !== f.value) problems.push(`${label}: ${f.path} value live ${JSON.stringify(f.value)} vs replay ${JSON.stringify(el.value)}`);
    if (typeof f.checked === 'boolean' && el.checked !== f.checked) problems.push(`${label}: ${f.path} checked live ${f.checked} vs replay ${el.checked}`);
    if (typeof f.selectedIndex === 'number' && f.selectedIndex >= 0 && el.selectedIndex !== f.selectedIndex) problems.push(`${label}: ${f.path} selectedIndex live ${f.selectedIndex} vs replay ${el.selectedIndex}`);
  }
  const win = player.iframe.contentWindow;
  // Masked text hidden to `***` makes a shorter page: a scroll past its end stops at
  // the end (shape mode only).
  const maxY = win.document.documentElement.scrollHeight - win.innerHeight;
  const clamped = shape && cp.scrollY > maxY && Math.abs(win.scrollY - maxY) <= 1;
  if (Math.abs(win.scrollX - cp.scrollX) > 1 || (!clamped && Math.abs(win.scrollY - cp.scrollY) > 1)) {
    problems.push(`${label}: scroll live (${cp.scrollX}, ${cp.scrollY}) vs replay (${win.scrollX}, ${win.scrollY})`);
  }
  const vp = player.applier.viewport;
  if (!vp || vp[0] !== cp.width || vp[1] !== cp.height) problems.push(`${label}: viewport live ${cp.width}x${cp.height} vs replay ${vp}`);
  if (win.innerWidth !== cp.width || win.innerHeight !== cp.height) problems.push(`${label}: iframe is ${win.innerWidth}x${win.innerHeight}, live ${cp.width}x${cp.height}`);
  return problems;
}
