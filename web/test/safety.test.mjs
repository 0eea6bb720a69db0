// Safety: a recording is untrusted. Nothing recorded runs or navigates in the player:
// scripts, on* handlers, javascript: URLs, meta refresh, form submission, <base>
// tricks, iframes with their own src or srcdoc, objects and embeds; and with the
// default `resources: 'block'`, nothing is fetched from the network either.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, browser, playerPage } from './harness.mjs';

let server, b;
before(async () => {
  server = await serve();
  b = await browser();
});
after(async () => {
  await b.close();
  await server.close();
});

// A hostile recording: every trick in the full snapshot, and again in mutations.
function hostile(origin) {
  let id = 1;
  const el = (tagName, attributes = {}, childNodes = []) => ({ type: 2, id: id++, tagName, attributes, childNodes });
  const text = (textContent) => ({ type: 3, id: id++, textContent });
  const ev = `${origin}/evil`;
  const run = 'top.__ran = (top.__ran || 0) + 1';
  const head = el('head', {}, [
    el('base', { href: `${ev}/base/`, target: '_top' }),
    el('meta', { 'http-equiv': 'refresh', content: `0;url=${ev}/refresh` }),
    el('script', {}, [text(run)]),
    el('script', { src: `${ev}/script.js` }),
    el('link', { rel: 'stylesheet', href: `${ev}/style.css` }),
    el('link', { rel: 'prefetch', href: `${ev}/prefetch` }),
    el('style', {}, [{ type: 3, id: id++, textContent: `@import url(${ev}/import.css); body { background: url(${ev}/bg.png) }`, isStyle: true }]),
  ]);
  const body = el('body', { onload: run }, [
    el('a', { id: 'js', href: `javascript:${run}` }, [text('js link')]),
    el('a', { id: 'nav', href: `${ev}/nav`, target: '_top' }, [text('link')]),
    el('a', { id: 'rel', href: 'relative' }, [text('relative')]),
    el('div', { id: 'handler', onclick: run, onmouseover: run }, [text('handler')]),
    el('img', { src: `${ev}/img.png`, onerror: run }),
    el('form', { id: 'form', action: `${ev}/form`, method: 'post' }, [el('input', { name: 'x', value: 'y' }), el('button', { id: 'submit' }, [text('go')])]),
    el('iframe', { src: `${ev}/frame` }),
    el('iframe', { srcdoc: `<script>${run}</script>` }),
    el('object', { data: `${ev}/object` }),
    el('embed', { src: `${ev}/embed` }),
    el('svg', { xmlns: 'http://www.w3.org/2000/svg' }, [{ ...el('a', { 'xlink:href': `javascript:${run}` }), isSVG: true }]),
    el('input', { id: 'auto', autofocus: '', onfocus: run }),
    // Upper-case tags are the same elements; a "tag" with markup in it is not a tag.
    el('IFRAME', { SRC: `${ev}/frame3` }),
    el('SCRIPT', { SRC: `${ev}/script2.js` }, [text(run)]),
    el(`img src=x onerror=${run}`, {}),
    el('noscript', { id: 'ns' }, [text('<iframe src="https://tags.test/ns"></iframe>')]),
    el('video', { autoplay: '', src: `${ev}/video.mp4` }),
  ]);
  const html = el('html', {}, [head, body]);
  const doc = { type: 0, id: id++, childNodes: [{ type: 1, id: id++, name: 'html', publicId: '', systemId: '' }, html] };
  const bodyId = body.id;
  const t0 = 1_700_000_000_000;
  const later = [
    el('script', {}, [text(run)]),
    el('img', { src: `${ev}/img2.png`, onload: run, onerror: run }),
    el('meta', { 'http-equiv': 'refresh', content: `0;url=${ev}/refresh2` }),
    el('iframe', { src: `${ev}/frame2` }),
  ];
  return [
    { type: 4, data: { href: 'https://victim.test/', width: 800, height: 600 }, timestamp: t0 },
    { type: 2, data: { node: doc, initialOffset: { top: 0, left: 0 } }, timestamp: t0 },
    {
      type: 3,
      data: {
        source: 0, texts: [], removes: [],
        adds: later.map((node) => ({ parentId: bodyId, nextId: null, node })),
        attributes: [{ id: 5, attributes: { onclick: run, href: `javascript:${run}` } }],
      },
      timestamp: t0 + 1000,
    },
    { type: 3, data: { source: 2, type: 2, id: 5, x: 10, y: 10 }, timestamp: t0 + 2000 },
  ];
}

for (const resources of ['block', 'allow']) {
  test(`nothing recorded runs or navigates (resources: ${resources})`, async () => {
    const page = await playerPage(b, server);
    const violations = [];
    page.on('console', (m) => violations.push(m.text()));
    const before = server.hits.size;
    const out = await page.evaluate(async ([events, resources]) => {
      const box = document.getElementById('box');
      const player = new SessionReplay.Player(box, { events }, { resources });
      const frameUrl = player.iframe.contentWindow.location.href;
      player.seek(1500);
      player.seek(0);
      player.seek(player.duration);
      player.play();
      await new Promise((ok) => setTimeout(ok, 300));
      player.pause();
      player.seek(player.duration);
      const d = player.iframe.contentDocument;
      // What a viewer or a stray script in the player page might do to the stage.
      for (const sel of ['#js', '#nav', '#rel', '#handler', '#submit', 'svg a']) {
        const e = d.querySelector(sel);
        if (e) e.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true }));
        if (e && e.click) e.click();
      }
      try { d.querySelector('#form').requestSubmit(); } catch (_) { /* refused */ }
      try { d.querySelector('#form').submit(); } catch (_) { /* refused */ }
      await new Promise((ok) => setTimeout(ok, 1000));
      const frames = [...d.querySelectorAll('iframe')].map((f) => {
        try { return f.contentWindow.location.href; } catch (_) { return 'cross-origin'; }
      });
      const ns = d.getElementById('ns');
      return {
        noscriptShown: ns ? getComputedStyle(ns).display !== 'none' : null,
        ran: window.__ran || 0,
        top: location.href,
        frameUrl,
        frameNow: player.iframe.contentWindow.location.href,
        sameDoc: player.iframe.contentDocument === d,
        sandbox: player.iframe.getAttribute('sandbox'),
        frames,
        attrs: [...d.querySelectorAll('*')].flatMap((e) => [...e.attributes].map((a) => `${a.name}=${a.value}`)),
      };
    }, [hostile(server.url), resources]);
    const evil = [...server.hits.keys()].filter((p) => p.startsWith('/evil'));
    assert.equal(out.ran, 0, 'a recorded script or handler ran');
    assert.equal(out.noscriptShown, false, '<noscript> content is shown');
    assert.match(out.top, /\/pages\/test\.html$/);
    assert.equal(out.frameNow, out.frameUrl, 'the stage navigated');
    assert.ok(out.sameDoc, 'the stage document was replaced');
    assert.equal(out.sandbox, 'allow-same-origin');
    for (const f of out.frames) assert.ok(f === 'about:blank' || f === 'about:srcdoc' || f === out.frameUrl, `a recorded iframe loaded ${f}`);
    // Event handlers, javascript: URLs, frame sources, refresh and <base> are renamed.
    for (const a of out.attrs) {
      assert.ok(!/^on/i.test(a), `${a} reached the page`);
      assert.ok(!/^(href|src|xlink:href|action)=\s*javascript:/i.test(a), `${a} reached the page`);
      assert.ok(!/^http-equiv=/i.test(a) && !/^srcdoc=/i.test(a), `${a} reached the page`);
    }
    if (resources === 'block') {
      assert.deepEqual(evil, [], `the replayed page fetched ${evil.join(', ')}`);
    } else {
      // Images, styles and fonts may load; nothing that runs, navigates or embeds.
      const bad = evil.filter((p) => !/\/evil\/(img2?\.png|bg\.png|style\.css|import\.css|video\.mp4)$/.test(p));
      assert.deepEqual(bad, [], `the replayed page fetched ${bad.join(', ')}`);
    }
    assert.ok(server.hits.size >= before);
    assert.deepEqual(page.errors, []);
    await page.close();
  });
}
