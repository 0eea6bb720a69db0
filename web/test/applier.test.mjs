// The DOM applier's own work, in Chromium: child lists reordered with the fewest moves
// (an iframe that keeps its place among the others is never moved, so it keeps its
// document), and nodes reused across a seek (the patch's ADOPT) giving exactly the page
// a rebuild gives, on the 3-hour session whose every cycle gives the list new ids.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, browser, playerPage } from './harness.mjs';

let server, b, page;
before(async () => {
  server = await serve();
  b = await browser();
  page = await playerPage(b, server);
});
after(async () => {
  await b.close();
  await server.close();
});

test('child lists are reordered with the fewest moves', async () => {
  const r = await page.evaluate(async () => {
    const bytes = new Uint8Array(await (await fetch('/data/corpus/login.raw.json')).arrayBuffer());
    const box = document.getElementById('box');
    box.textContent = '';
    const player = new SessionReplay.Player(box, { bytes }, { pointer: false });
    const a = player.applier;
    // Opcodes (web/src/ops.rs): ELEMENT k s(tag) svg; CHILDREN k shadow n k*n.
    const ELEMENT = 3, CHILDREN = 11;
    const tags = 'div,a,b,i,u,s,iframe';
    const at = (t) => tags.indexOf(t);
    const words = [ELEMENT, 900000, at('div'), 3, 0];
    const names = ['a', 'b', 'i', 'u', 's', 'iframe'];
    names.forEach((t, j) => words.push(ELEMENT, 900001 + j, at(t), t.length, 0));
    a.apply(words, tags);
    const host = a.nodes[900000];
    player.iframe.contentDocument.body.appendChild(host);
    const order = (keys) => a.apply([CHILDREN, 900000, 0, keys.length, ...keys], tags);
    const seen = () => [...host.childNodes].map((c) => c.localName).join(',');
    const moves = (keys) => {
      let n = 0;
      const obs = new MutationObserver((recs) => { for (const rec of recs) n += rec.addedNodes.length; });
      obs.observe(host, { childList: true });
      order(keys);
      for (const rec of obs.takeRecords()) n += rec.addedNodes.length;
      obs.disconnect();
      return n;
    };
    const out = {};
    order([900001, 900002, 900003, 900004, 900005, 900006]);
    const frame = a.nodes[900006].contentDocument;
    frame.__mark = true;
    out.first = seen();
    // The first to the back: one move (the old walk moved every node after it).
    out.frontToBack = { moves: moves([900002, 900003, 900004, 900005, 900006, 900001]), seen: seen() };
    // The iframe keeps its place among the others: the rest move around it.
    out.aroundFrame = { moves: moves([900001, 900002, 900003, 900006, 900004, 900005]), seen: seen() };
    out.frameKept = a.nodes[900006].contentDocument === frame && frame.__mark === true;
    // Reversed: all but one move (here the iframe is one that must).
    out.reversed = { moves: moves([900005, 900004, 900006, 900003, 900002, 900001]), seen: seen() };
    // One dropped, one added back, the rest in order: no move of those that stay.
    const frame2 = a.nodes[900006].contentDocument;
    frame2.__mark = true;
    out.dropOne = { moves: moves([900005, 900004, 900006, 900003, 900001]), seen: seen() };
    out.frameKept2 = a.nodes[900006].contentDocument === frame2 && frame2.__mark === true;
    // A child that holds an iframe stays too: [div > iframe, a, b] to [a, b, div].
    const words2 = [ELEMENT, 900010, at('div'), 3, 0, ELEMENT, 900011, at('iframe'), 6, 0];
    a.apply(words2, tags);
    order([900010, 900005, 900004]);
    a.apply([CHILDREN, 900010, 0, 1, 900011], tags);
    const inner = a.nodes[900011].contentDocument;
    inner.__mark = true;
    out.nested = { moves: moves([900005, 900004, 900010]), seen: seen() };
    out.nestedKept = a.nodes[900011].contentDocument === inner && inner.__mark === true;
    player.destroy();
    return out;
  });
  assert.equal(r.first, 'a,b,i,u,s,iframe');
  assert.deepEqual(r.frontToBack, { moves: 1, seen: 'b,i,u,s,iframe,a' });
  // Moving the iframe and a would be 2 moves; a, u and s move instead, around it.
  assert.deepEqual(r.aroundFrame, { moves: 3, seen: 'a,b,i,iframe,u,s' });
  assert.deepEqual(r.reversed, { moves: 5, seen: 's,u,iframe,i,b,a' });
  assert.deepEqual(r.dropOne, { moves: 0, seen: 's,u,iframe,i,a' });
  assert.ok(r.frameKept && r.frameKept2, `the iframe was moved and lost its document: ${JSON.stringify(r)}`);
  assert.deepEqual(r.nested, { moves: 2, seen: 's,u,div' });
  assert.ok(r.nestedKept, 'the iframe inside a moved-around child was moved and lost its document');
  assert.deepEqual(page.errors, []);
});

test('any child list comes out in its order, from any list before', async () => {
  // Random lists over 12 nodes, with keys listed twice and keys of no node: the
  // children come out as the list's nodes, each at its first place, whatever the
  // children were before (the front and back runs passed over, the middle merged).
  const r = await page.evaluate(async () => {
    const bytes = new Uint8Array(await (await fetch('/data/corpus/login.raw.json')).arrayBuffer());
    const box = document.getElementById('box');
    box.textContent = '';
    const player = new SessionReplay.Player(box, { bytes }, { pointer: false });
    const a = player.applier;
    const ELEMENT = 3, CHILDREN = 11;
    const words = [ELEMENT, 910000, 0, 3, 0];
    for (let j = 0; j < 12; j++) words.push(ELEMENT, 910001 + j, 0, 3, 0);
    a.apply(words, 'div');
    const host = a.nodes[910000];
    player.iframe.contentDocument.body.appendChild(host);
    let seed = 7;
    const rand = (k) => { seed = (seed * 1103515245 + 12345) % 2147483648; return Math.floor((seed / 2147483648) * k); };
    const list = () => {
      const out = [];
      const len = rand(14);
      for (let j = 0; j < len; j++) out.push(rand(10) === 0 ? 919999 : 910001 + rand(12));
      return out;
    };
    const bad = [];
    for (let round = 0; round < 2000; round++) {
      const keys = list();
      a.apply([CHILDREN, 910000, 0, keys.length, ...keys], 'div');
      const want = [...new Set(keys.filter((k) => k !== 919999))].map((k) => a.nodes[k]);
      const got = [...host.childNodes];
      if (got.length !== want.length || got.some((c, j) => c !== want[j])) bad.push(keys.join(','));
    }
    player.destroy();
    return bad.slice(0, 5);
  });
  assert.deepEqual(r, []);
  assert.deepEqual(page.errors, []);
});

// The page as the DOM holds it: markup, and the live state markup does not show.
async function snapshots(name, targets, reuse) {
  return page.evaluate(async ([name, targets, reuse]) => {
    const bytes = new Uint8Array(await (await fetch(name)).arrayBuffer());
    const box = document.getElementById('box');
    box.textContent = '';
    const player = new SessionReplay.Player(box, { bytes }, { pointer: false });
    player.replay.setNodeReuse(reuse);
    const dur = player.duration;
    const shot = () => {
      const d = player.iframe.contentDocument;
      const live = [...d.querySelectorAll('input,textarea,select')].map((e) => `${e.value}/${e.checked}`).join('|');
      const scrolled = [...d.querySelectorAll('*')].filter((e) => e.scrollTop || e.scrollLeft).map((e) => `${e.localName}:${e.scrollTop}`).join('|');
      return `${d.documentElement ? d.documentElement.outerHTML : ''}\n${live}\n${scrolled}`;
    };
    const out = [];
    let words = 0;
    for (const f of targets) {
      player.seek(f * dur);
      words += player.lastSeek.words;
      out.push(shot());
    }
    player.destroy();
    return { out, words };
  }, [name, targets, reuse]);
}

for (const name of ['/out/synthetic-3h.bin', '/data/corpus/todo.raw.json', '/data/corpus/feed.raw.json']) {
  test(`seeking with node reuse shows the page seeking without it does: ${name}`, async () => {
    const targets = [0.5, 0.12, 0.88, 0.31, 0.99, 0.05, 0.64, 0.7, 0.5004, 0.2, 1];
    const withReuse = await snapshots(name, targets, true);
    const without = await snapshots(name, targets, false);
    for (let i = 0; i < targets.length; i++) {
      assert.equal(withReuse.out[i], without.out[i], `${name}: the page differs after seeking to ${targets[i]}`);
    }
    // Reuse happened: fewer nodes built means fewer words in the patches.
    if (name.includes('3h')) assert.ok(withReuse.words < 0.8 * without.words, `${withReuse.words} vs ${without.words} words`);
    assert.deepEqual(page.errors, []);
  });
}
