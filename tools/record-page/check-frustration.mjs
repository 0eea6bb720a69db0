#!/usr/bin/env node
// Checks a recording of tests/pages/frustration against its ground-truth file: that the
// person's steps left what they were meant to leave, read straight off the rrweb events
// (clicks mapped to element ids through each document's full snapshot, mutations,
// scrolls, Meta hrefs, custom "error" events, pointer positions). Not a detector: it
// looks for each expected signal where the steps put it, with the steps' own bounds,
// and then checks that nothing else in the recording looks like one.
//
//   node check-frustration.mjs REC.rrweb.json EXPECTED.json [--print]
//
// --print writes the measured windows as JSON (what the expected file's "window" and
// "clicks" fields hold), for updating the expected file after a re-recording. Exit 1
// when a check fails.
import fs from 'node:fs';

const [recPath, expPath, ...rest] = process.argv.slice(2);
if (!recPath || !expPath) {
  console.error('usage: node check-frustration.mjs REC.rrweb.json EXPECTED.json [--print]');
  process.exit(2);
}
const print = rest.includes('--print');
const events = JSON.parse(fs.readFileSync(recPath, 'utf8'));
const expected = JSON.parse(fs.readFileSync(expPath, 'utf8'));
const failures = [];
const check = (ok, msg) => { if (!ok) failures.push(msg); console.log(`${ok ? 'ok  ' : 'FAIL'} ${msg}`); };

// ---- read the events -------------------------------------------------------------
const docs = []; // { href, path, meta, nodes: Map(id -> element id or tag) }
const clicks = []; // { t, x, y, target, doc }
const mutations = []; // timestamps
const scrolls = [];
const errorsSeen = []; // { t, payload }
const moves = []; // { t, x, y }
let doc = null;
function label(n) { return n.attributes && n.attributes.id ? '#' + n.attributes.id : n.tagName; }
function walk(n, nodes) {
  if (n.type === 2) nodes.set(n.id, label(n));
  for (const c of n.childNodes || []) walk(c, nodes);
}
let last = -Infinity, ordered = true;
for (const e of events) {
  if (e.timestamp < last) ordered = false;
  last = e.timestamp;
  if (e.type === 4) {
    doc = { href: e.data.href, path: new URL(e.data.href).pathname, meta: e.timestamp, nodes: new Map() };
    docs.push(doc);
  } else if (e.type === 2) walk(e.data.node, doc.nodes);
  else if (e.type === 5 && e.data.tag === 'error') errorsSeen.push({ t: e.timestamp, payload: e.data.payload });
  else if (e.type === 6 && e.data.plugin === 'rrweb/console@1' && e.data.payload.level === 'error') errorsSeen.push({ t: e.timestamp, payload: e.data.payload });
  else if (e.type === 3) {
    const d = e.data;
    if (d.source === 0) {
      mutations.push(e.timestamp);
      for (const a of d.adds) walk(a.node, doc.nodes);
    } else if (d.source === 3) scrolls.push(e.timestamp);
    else if (d.source === 1 || d.source === 6) for (const p of d.positions) moves.push({ t: e.timestamp + p.timeOffset, x: p.x, y: p.y });
    else if (d.source === 2 && d.type === 2) clicks.push({ t: e.timestamp, x: d.x, y: d.y, target: doc.nodes.get(d.id) || `node ${d.id}`, doc });
  }
}
moves.sort((a, b) => a.t - b.t);
const start = events[0].timestamp, end = events[events.length - 1].timestamp;
const rel = (t) => `${((t - start) / 1000).toFixed(3)} s`;
const within = (list, a, b) => list.filter((t) => t > a && t <= b);
const metaAfter = (a, b) => docs.filter((d) => d.meta > a && d.meta <= b);
// A click is answered when the DOM changes, the page scrolls or a new document starts
// within 1 s after it.
const answered = (c) => within(mutations, c.t - 1, c.t + 1000).length + within(scrolls, c.t - 1, c.t + 1000).length + metaAfter(c.t, c.t + 1000).length > 0;

check(ordered, 'timestamps never go backwards');
console.log(`     ${events.length} events, ${((end - start) / 1000).toFixed(1)} s, documents: ${docs.map((d) => `${d.path} at ${rel(d.meta)}`).join(', ')}`);
check(events.every((e) => e.type !== 4 || e.data.href), 'every Meta event has an href');

// Horizontal direction reversals of the pointer (a turn counts once the pointer has
// gone back at least `min` px from the extreme).
function reversals(ms, min = 60) {
  const out = [];
  let dir = 0, ext = ms[0];
  for (const m of ms.slice(1)) {
    if (dir === 0) {
      if (Math.abs(m.x - ext.x) >= min) { dir = Math.sign(m.x - ext.x); ext = m; }
    } else if ((m.x - ext.x) * dir > 0) ext = m;
    else if ((ext.x - m.x) * dir >= min) { out.push(ext); dir = -dir; ext = m; }
  }
  return out;
}
// Stretches of at least 4 reversals, each within 400 ms of the one before.
function thrashWindows(all) {
  const turns = reversals(all);
  const found = [];
  let i = 0;
  while (i < turns.length) {
    let j = i;
    while (j + 1 < turns.length && turns[j + 1].t - turns[j].t <= 400) j++;
    if (j - i + 1 >= 4) found.push({ turns: turns.slice(i, j + 1) });
    i = j + 1;
  }
  return found;
}

// ---- the expected signals ----------------------------------------------------------
const measured = [];
const explained = { clicks: new Set(), errors: new Set(), thrash: [], uturns: [] };
for (const s of expected.signals) {
  if (s.kind === 'rage_click') {
    const on = clicks.filter((c) => c.target === s.target);
    // The burst: consecutive clicks on the target 1 s apart at most.
    let burst = null;
    for (let i = 0; i < on.length && !burst; i++) {
      let j = i;
      while (j + 1 < on.length && on[j + 1].t - on[j].t <= 1000) j++;
      if (j > i) burst = on.slice(i, j + 1);
    }
    check(burst && burst.length === s.count, `rage_click ${s.target}: a burst of ${s.count} clicks (found ${burst ? burst.length : 0})`);
    if (!burst) continue;
    const gaps = burst.slice(1).map((c, k) => c.t - burst[k].t);
    const spread = Math.max(...burst.flatMap((a) => burst.map((b) => Math.hypot(a.x - b.x, a.y - b.y))));
    check(Math.max(...gaps) <= 300, `rage_click ${s.target}: clicks ${gaps.join(', ')} ms apart (<= 300)`);
    check(spread <= 10, `rage_click ${s.target}: all within ${spread.toFixed(1)} px of each other (<= 10)`);
    const after = within(mutations, burst[0].t - 1, burst.at(-1).t + 3000).length;
    check(after === 0, `rage_click ${s.target}: no mutation from the first click to 3 s after the last (${after})`);
    burst.forEach((c) => explained.clicks.add(c));
    measured.push({ kind: s.kind, window: { start: burst[0].t, end: burst.at(-1).t }, clicks: burst.map((c) => c.t) });
    console.log(`     rage_click at ${rel(burst[0].t)}..${rel(burst.at(-1).t)}`);
  } else if (s.kind === 'error_click') {
    const on = clicks.filter((c) => c.target === s.target);
    check(on.length === 1, `error_click ${s.target}: clicked once (${on.length})`);
    if (!on.length) continue;
    const c = on[0];
    const err = errorsSeen.filter((e) => e.t >= c.t && e.t <= c.t + 100);
    check(err.length === 1, `error_click ${s.target}: one page error within 100 ms after the click (${err.map((e) => `+${e.t - c.t} ms ${JSON.stringify(e.payload)}`).join('; ')})`);
    const idx = events.findIndex((e) => e.type === 5 && e.data.tag === 'error');
    const clickIdx = events.findIndex((e) => e.timestamp === c.t && e.type === 3 && e.data.source === 2 && e.data.type === 2);
    check(idx > clickIdx, `error_click ${s.target}: the error event comes after the click in the stream (#${idx} > #${clickIdx})`);
    const after = within(mutations, c.t - 1, c.t + 3000).length;
    check(after === 0, `error_click ${s.target}: no mutation within 3 s after the click (${after})`);
    explained.clicks.add(c);
    err.forEach((e) => explained.errors.add(e));
    measured.push({ kind: s.kind, window: { start: c.t, end: err.length ? err[0].t : c.t }, clicks: [c.t] });
    console.log(`     error_click at ${rel(c.t)}, error at ${err.length ? rel(err[0].t) : '-'}`);
  } else if (s.kind === 'dead_click') {
    // The click on the target that no other click comes near.
    const on = clicks.filter((c) => c.target === s.target && !explained.clicks.has(c)
      && !clicks.some((o) => o !== c && Math.abs(o.t - c.t) <= 3000));
    check(on.length === 1, `dead_click ${s.target}: one lone click (${on.length})`);
    if (!on.length) continue;
    const c = on[0];
    const next = clicks.find((o) => o.t > c.t);
    const quiet = (next ? next.t : end) - c.t;
    check(quiet >= 4000, `dead_click ${s.target}: ${quiet} ms to the next click (>= 4000)`);
    const m = within(mutations, c.t - 1, c.t + 3000).length, sc = within(scrolls, c.t - 1, c.t + 3000).length, nav = metaAfter(c.t, c.t + 3000).length;
    check(m + sc + nav === 0, `dead_click ${s.target}: no mutation, scroll or navigation within 3 s after (${m}, ${sc}, ${nav})`);
    const errs = errorsSeen.filter((e) => e.t >= c.t && e.t <= c.t + 3000).length;
    check(errs === 0, `dead_click ${s.target}: no page error after it (${errs})`);
    explained.clicks.add(c);
    measured.push({ kind: s.kind, window: { start: c.t, end: c.t }, clicks: [c.t] });
    console.log(`     dead_click at ${rel(c.t)}`);
  } else if (s.kind === 'thrashed_cursor') {
    const w = thrashWindows(moves);
    check(w.length === 1, `thrashed_cursor: one stretch of >= 4 quick reversals (${w.length})`);
    if (!w.length) continue;
    const turns = w[0].turns;
    const a = turns[0].t, b = turns.at(-1).t;
    const span = moves.filter((m) => m.t >= a && m.t <= b);
    const width = Math.max(...span.map((m) => m.x)) - Math.min(...span.map((m) => m.x));
    check(turns.length >= 6, `thrashed_cursor: ${turns.length} horizontal reversals (>= 6) in ${b - a} ms, ${width.toFixed(0)} px wide`);
    const c = within(clicks.map((x) => x.t), a - 1000, b + 1000).length;
    check(c === 0, `thrashed_cursor: no click within 1 s of it (${c})`);
    explained.thrash.push(w[0]);
    measured.push({ kind: s.kind, window: { start: a, end: b }, reversals: turns.length, width_px: Math.round(width) });
    console.log(`     thrashed_cursor at ${rel(a)}..${rel(b)}`);
  } else if (s.kind === 'u_turn') {
    const k = docs.findIndex((d, i) => i > 0 && d.path === s.to && docs[i - 1].path === s.from && docs[i + 1] && docs[i + 1].path === s.from);
    check(k > 0, `u_turn ${s.from} -> ${s.to} -> ${s.from}: found`);
    if (k <= 0) continue;
    const away = docs[k], back = docs[k + 1];
    const leave = clicks.filter((c) => c.doc === docs[k - 1]).at(-1);
    const ret = clicks.filter((c) => c.doc === away).at(-1);
    check(back.meta - away.meta <= 2500, `u_turn: back ${back.meta - away.meta} ms after arriving on ${s.to} (<= 2500)`);
    explained.uturns.push(k);
    measured.push({ kind: s.kind, window: { start: leave.t, end: back.meta }, leave_click: leave.t, arrive: away.meta, return_click: ret && ret.t, back: back.meta, href_from: docs[k - 1].href, href_to: away.href });
    console.log(`     u_turn: left at ${rel(leave.t)}, on ${s.to} ${rel(away.meta)}..${rel(back.meta)}`);
  } else check(false, `unknown kind ${s.kind}`);
}

// ---- nothing else --------------------------------------------------------------------
for (const sel of expected.none_on || []) {
  const on = clicks.filter((c) => c.target === sel);
  const bad = on.filter((c) => !answered(c) || clicks.some((o) => o !== c && o.target === sel && Math.abs(o.t - c.t) <= 1000));
  check(bad.length === 0, `none_on ${sel}: ${on.length} click(s), each answered at once and alone`);
}
const unanswered = clicks.filter((c) => !answered(c) && !explained.clicks.has(c));
check(unanswered.length === 0, `no other unanswered click (${unanswered.map((c) => `${c.target} at ${rel(c.t)}`).join(', ')})`);
const stray = errorsSeen.filter((e) => !explained.errors.has(e));
check(stray.length === 0, `no other page error (${stray.length})`);
const otherThrash = thrashWindows(moves).filter((w) => !explained.thrash.some((x) => x.turns[0] === w.turns[0]));
check(otherThrash.length === 0, `no other stretch of quick reversals (${otherThrash.map((w) => rel(w.turns[0].t)).join(', ')})`);
const returns = docs.map((d, i) => i).filter((i) => i > 0 && docs[i + 1] && docs[i + 1].path === docs[i - 1].path && docs[i + 1].meta - docs[i].meta <= 10000);
check(returns.every((i) => explained.uturns.includes(i)), `no other quick return to a page (${returns.length} in all)`);
const lastDoc = docs.at(-1);
console.log(`     last page ${lastDoc.path}, ${((end - lastDoc.meta) / 1000).toFixed(1)} s on it`);

if (expected.signals.length) {
  for (let i = 0; i < measured.length; i++) {
    const want = expected.signals[i].window;
    if (want) check(want.start === measured[i].window.start && want.end === measured[i].window.end,
      `${measured[i].kind}: expected window ${want.start}..${want.end} matches the recording`);
  }
}
if (print) console.log(JSON.stringify(measured, null, 2));
if (failures.length) { console.error(`${failures.length} check(s) failed`); process.exit(1); }
