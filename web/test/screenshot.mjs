// Writes docs/player.png: the ready-made player page (web/dist/player.html) playing a
// corpus recording, for the README. Run after web/build: node web/test/screenshot.mjs
import { serve, browser } from './harness.mjs';

const server = await serve(0, {
  '/dist/': new URL('../dist/', import.meta.url).pathname,
  '/data/': new URL('../../tests/data/', import.meta.url).pathname,
});
const site = await serve(8765, { '/assets/': new URL('./data/corpus-site/assets/', import.meta.url).pathname });
const b = await browser();
const page = await b.newPage({ viewport: { width: 1100, height: 760 }, deviceScaleFactor: 1 });
await page.goto(`${server.url}/dist/player.html?src=/data/corpus/feed.raw.json&resources=allow`);
await page.waitForFunction(() => window.player);
await page.evaluate(async () => {
  player.seek(player.duration * 0.62);
  player.play();
  await new Promise((ok) => setTimeout(ok, 1500));
  player.pause();
  const imgs = [...player.iframe.contentDocument.images];
  await Promise.all(imgs.map((i) => (i.complete ? null : new Promise((ok) => { i.onload = ok; i.onerror = ok; }))));
});
await page.screenshot({ path: new URL('../../docs/player.png', import.meta.url).pathname });
await b.close();
await server.close();
await site.close();
console.log('docs/player.png written');
