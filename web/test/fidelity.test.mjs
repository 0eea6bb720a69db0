// Fidelity: at every checkpoint of every corpus stream, the player's document equals the
// live page (tests/data/corpus/*.checkpoints.json), after seeking forward, backward and
// at random; and the end of each session looks like Chromium's end screenshot.
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

for (const name of ['login', 'todo', 'feed']) {
  test(`${name}: every checkpoint matches the live page, in any seek order`, async () => {
    const out = await page.evaluate(async (name) => {
      const get = async (p) => new Uint8Array(await (await fetch(p)).arrayBuffer());
      const bytes = await get(`/data/corpus/${name}.raw.json`);
      const cps = JSON.parse(new TextDecoder().decode(await get(`/data/corpus/${name}.checkpoints.json`)));
      const box = document.getElementById('box');
      box.textContent = '';
      const player = new SessionReplay.Player(box, { bytes });
      window.player = player;
      const start = player.replay.startTime;
      const problems = [];
      const orders = {
        forward: cps.map((_, i) => i),
        backward: cps.map((_, i) => cps.length - 1 - i),
        jumping: cps.map((_, i) => (i * 7) % cps.length),
      };
      for (const [order, idx] of Object.entries(orders)) {
        for (const i of idx) {
          const cp = cps[i];
          player.seek(cp.t - start);
          for (const p of compareWithCheckpoint(player, cp)) problems.push(`${order}: ${p}`);
        }
      }
      return { problems, checkpoints: cps.length };
    }, name);
    assert.ok(out.checkpoints > 0);
    assert.deepEqual(out.problems, [], out.problems.join('\n'));
    assert.deepEqual(page.errors, []);
  });
}

// The end of each session, as the player shows it, against Chromium's screenshot of the
// live page at the end of the recording. Images load from the recorded origin
// (127.0.0.1:8765, served here from a copy of the corpus assets), with resources: 'allow'.
test('the end of each session looks like the live page (end.png)', async () => {
  const site = await serve(8765, { '/assets/': new URL('./data/corpus-site/assets/', import.meta.url).pathname });
  const diffs = {};
  try {
    for (const name of ['login', 'todo', 'feed']) {
      await page.evaluate(async (name) => {
        const bytes = new Uint8Array(await (await fetch(`/data/corpus/${name}.raw.json`)).arrayBuffer());
        const box = document.getElementById('box');
        box.textContent = '';
        const player = new SessionReplay.Player(box, { bytes }, { resources: 'allow', maxScale: 1, pointer: false });
        window.player = player;
        player.seek(player.duration);
        // Images load asynchronously: wait for every one the page holds.
        const imgs = [...player.iframe.contentDocument.images];
        await Promise.all(imgs.map((i) => (i.complete ? null : new Promise((ok) => { i.onload = ok; i.onerror = ok; }))));
        await new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok)));
      }, name);
      const shot = await (await page.$('#box iframe')).screenshot();
      if (process.env.SHOTS) (await import('node:fs')).writeFileSync(`${process.env.SHOTS}/${name}.png`, shot);
      const d = await page.evaluate(async ([name, b64]) => {
        const load = (src) => new Promise((ok, err) => { const i = new Image(); i.onload = () => ok(i); i.onerror = err; i.src = src; });
        const [a, b] = await Promise.all([load(`/web-data/${name}.end.png`), load(`data:image/png;base64,${b64}`)]);
        const px = (img) => {
          const c = document.createElement('canvas');
          c.width = a.width; c.height = a.height;
          const g = c.getContext('2d');
          g.drawImage(img, 0, 0);
          return g.getImageData(0, 0, a.width, a.height).data;
        };
        const pa = px(a), pb = px(b);
        let differ = 0;
        for (let i = 0; i < pa.length; i += 4) {
          if (Math.abs(pa[i] - pb[i]) > 24 || Math.abs(pa[i + 1] - pb[i + 1]) > 24 || Math.abs(pa[i + 2] - pb[i + 2]) > 24) differ++;
        }
        return { size: [a.width, a.height, b.width, b.height], differ: differ / (pa.length / 4) };
      }, [name, shot.toString('base64')]);
      diffs[name] = d;
    }
  } finally {
    await site.close();
  }
  console.log('end.png comparison (share of pixels that differ):', JSON.stringify(diffs));
  for (const [name, d] of Object.entries(diffs)) {
    assert.equal(d.size[0], d.size[2], `${name}: width`);
    assert.equal(d.size[1], d.size[3], `${name}: height`);
    assert.ok(d.differ < 0.001, `${name}: ${(100 * d.differ).toFixed(2)}% of pixels differ`);
  }
});
