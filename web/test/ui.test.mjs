// The player as a person uses it: timeline markers (clicks, inputs, navigations, and the
// insights signals) that seek when clicked, dragging the timeline, the keyboard, speeds
// and playing, the crate's binary format, and a damaged binary stream that plays its
// intact chunks and says what was lost.
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

async function load(url, options = {}) {
  await page.evaluate(async ([url, options]) => {
    const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
    const box = document.getElementById('box');
    if (window.player) window.player.destroy();
    box.textContent = '';
    window.player = new SessionReplay.Player(box, { bytes }, options);
  }, [url, options]);
}

test('insights signals are markers, and a click on one seeks there', async () => {
  await load('/data/pages/frustration.rrweb.json');
  const marks = await page.evaluate(() => [...document.querySelectorAll('.srp-mark')].map((m) => ({ kind: m.dataset.kind, t: Number(m.dataset.t), signal: m.classList.contains('srp-signal') })));
  const kinds = new Set(marks.map((m) => m.kind));
  for (const k of ['navigation', 'click', 'rage_click', 'dead_click', 'error_click']) assert.ok(kinds.has(k), `no ${k} marker: ${[...kinds]}`);
  assert.ok(marks.filter((m) => m.signal).every((m) => ['rage_click', 'dead_click', 'error_click', 'thrashed_cursor', 'u_turn'].includes(m.kind)));
  const rage = marks.find((m) => m.kind === 'rage_click');
  const box = await page.locator(`.srp-mark[data-kind=rage_click]`).first().boundingBox();
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  assert.equal(await page.evaluate(() => player.currentTime), rage.t);
  assert.deepEqual(page.errors, []);
});

test('dragging the timeline seeks; the keyboard plays, pauses and steps', async () => {
  await load('/data/corpus/todo.raw.json');
  const line = await page.locator('.srp-line').boundingBox();
  const y = line.y + line.height / 2;
  await page.mouse.move(line.x + line.width * 0.2, y);
  await page.mouse.down();
  await page.mouse.move(line.x + line.width * 0.5, y, { steps: 5 });
  await page.mouse.move(line.x + line.width * 0.75, y, { steps: 5 });
  await page.mouse.up();
  await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
  const { t, d } = await page.evaluate(() => ({ t: player.currentTime, d: player.duration }));
  assert.ok(Math.abs(t / d - 0.75) < 0.02, `dragged to ${t / d}`);
  await page.focus('.srp');
  await page.keyboard.press('ArrowLeft');
  assert.ok(Math.abs((await page.evaluate(() => player.currentTime)) - (t - 5000)) < 2);
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  assert.ok(Math.abs((await page.evaluate(() => player.currentTime)) - (t + 5000)) < 2);
  await page.keyboard.press(' ');
  assert.equal(await page.evaluate(() => player.playing), true);
  await page.selectOption('.srp-speed', '8');
  await page.waitForTimeout(500);
  await page.keyboard.press(' ');
  const after = await page.evaluate(() => ({ playing: player.playing, t: player.currentTime, speed: player.speed }));
  assert.equal(after.playing, false);
  assert.equal(after.speed, 8);
  // Half a second at 8x: about 4 s of recording (allowing for the first frame's delay).
  assert.ok(after.t - (t + 5000) > 2000, `played ${after.t - (t + 5000)} ms`);
  assert.match(await page.locator('.srp-time').textContent(), /^\d+:\d\d \/ 1:05$/);
  assert.deepEqual(page.errors, []);
});

test('the binary format plays the same page as the JSON', async () => {
  const html = async (url) => {
    await load(url);
    return page.evaluate(() => { player.seek(player.duration); return player.iframe.contentDocument.documentElement.outerHTML; });
  };
  assert.equal(await html('/out/login.bin'), await html('/data/corpus/login.raw.json'));
});

test('a damaged binary stream plays its intact chunks and says what was lost', async () => {
  await load('/out/login-damaged.bin');
  const r = await page.evaluate(() => {
    player.seek(0);
    player.seek(player.duration);
    const note = document.querySelector('.srp-note');
    return { problems: player.problems, shown: getComputedStyle(note).display !== 'none', note: note.textContent, nodes: player.iframe.contentDocument.getElementsByTagName('*').length, duration: player.duration };
  });
  assert.ok(r.problems.length > 0, 'no problem reported');
  assert.ok(r.shown, 'the note is hidden');
  assert.match(r.note, /could not be read/);
  assert.match(r.note, /events lost from \d+:\d\d\.\d to \d+:\d\d\.\d/);
  assert.ok(r.duration > 0);
  assert.ok(r.nodes > 10, `${r.nodes} elements shown`);
  console.log('damaged stream:', r.problems.join(' | '));
  assert.deepEqual(page.errors, []);
});
