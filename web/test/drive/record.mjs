#!/usr/bin/env node
// Drives headless Chromium through the corpus pages (../corpus/pages) like a person would
// (lib/scenarios.mjs, seeded, so every run makes the same moves) while a recorder runs in
// the page, and saves what the recorder emitted beside ground truth of the live page.
//
//   node record.mjs [options] [session ...]       sessions: login todo feed todo-long
//
//   --recorder rrweb          rrweb 2.2.2's record() (the default)
//   --recorder none           no recorder: the baseline for main-thread cost
//   --recorder FILE.js        any classic script that defines a global with record(options),
//                             rrweb's shape: options.emit(event) receives each event, and
//                             record() returns a function that stops recording
//   --global NAME             that global's name (default: SessionReplay; rrweb for rrweb)
//   --options JSON            options passed to record() besides emit (default: {})
//   --out DIR                 output folder (default: ./out)
//   --long-ms MS              length of the todo-long session (default 240000)
//
// Per session NAME and recorder label L (rrweb, none, or the script's file name) it writes:
//   NAME.L.json               the emitted events, a JSON array, in order
//   NAME.L.metrics.json       main-thread cost from Chromium's own counters (Performance
//                             domain: ScriptDuration, TaskDuration, LayoutDuration, in
//                             seconds, from page load to the end of the scenario), event
//                             count, bytes of the events as JSON, wall time
//   NAME.checkpoints.json     the live page's DOM, form values, scroll and focus at each
//                             checkpoint (epoch ms `t`), as in ../corpus
//   NAME.end.png              a screenshot of the live page at the end
// The main-thread cost of a recorder is its ScriptDuration minus the `none` run's.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from './lib/server.mjs';
import { Human } from './lib/human.mjs';
import { pathToFileURL } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
// Other pages and scenarios can be driven the same way: DRIVE_PAGES (a folder of pages),
// DRIVE_SCENARIOS (a module exporting SCENARIOS) and DRIVE_SESSIONS (JSON like SESSIONS below).
// Copied from ../shared/drive (see web/test/drive/README.md): the pages are the corpus
// site's copy in web/test/data, and rrweb comes from web/test's own node_modules.
const PAGES = process.env.DRIVE_PAGES || path.join(HERE, '..', 'data', 'corpus-site');
const { SCENARIOS } = await import(pathToFileURL(process.env.DRIVE_SCENARIOS || path.join(HERE, 'lib', 'scenarios.mjs')).href);
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SESSIONS = process.env.DRIVE_SESSIONS ? JSON.parse(process.env.DRIVE_SESSIONS) : {
  login: { page: 'login.html', seed: 101 },
  todo: { page: 'todo.html', seed: 202 },
  feed: { page: 'feed.html', seed: 303 },
  'todo-long': { page: 'todo.html', seed: 707, long: true },
};

const argv = process.argv.slice(2);
const opt = (f, d) => { const i = argv.indexOf(f); return i >= 0 ? argv[i + 1] : d; };
const VALUED = ['--recorder', '--global', '--options', '--out', '--long-ms'];
const only = argv.filter((a, i) => !a.startsWith('--') && !(i > 0 && VALUED.includes(argv[i - 1])));
const RECORDER = opt('--recorder', 'rrweb');
const OUT = path.resolve(opt('--out', path.join(HERE, 'out')));
const LONG_MS = Number(opt('--long-ms', 240000));
const OPTIONS = JSON.parse(opt('--options', '{}'));

let script = '', globalName = '', label = RECORDER;
if (RECORDER === 'rrweb') {
  script = fs.readFileSync(path.join(HERE, '..', 'node_modules/rrweb/dist/rrweb.umd.cjs'), 'utf8');
  globalName = opt('--global', 'rrweb');
} else if (RECORDER !== 'none') {
  script = fs.readFileSync(RECORDER, 'utf8');
  globalName = opt('--global', 'SessionReplay');
  label = path.basename(RECORDER).replace(/\.(m?js|cjs)$/, '');
}

function initScript() {
  const start = `window.__events = []; window.__stopRecording = function () {};`;
  if (RECORDER === 'none') return `if (window.top === window) { ${start} window.__recording = true; }`;
  // Only the top-level document records; a recorder handles same-origin iframes itself.
  return `if (window.top === window) {\n${script}\n;(function () {
  ${start}
  var opts = ${JSON.stringify(OPTIONS)};
  opts.emit = function (e) { window.__events.push(e); };
  window.__stopRecording = window[${JSON.stringify(globalName)}].record(opts);
  window.__recording = true;
})();\n}`;
}

// Runs in the page: ground truth of the live DOM at this instant.
function captureCheckpoint(label) {
  const t = Date.now();
  function cssPath(el) {
    if (!el || el.nodeType !== 1) return null;
    const parts = [];
    while (el && el.nodeType === 1) {
      if (el.id) { parts.unshift('#' + el.id); break; }
      const tag = el.tagName.toLowerCase();
      const parent = el.parentNode;
      if (!parent || parent.nodeType !== 1) {
        parts.unshift(tag);
        if (parent && parent.host) { parts.unshift(cssPath(parent.host) + ' >>shadow>>'); }
        break;
      }
      const same = Array.prototype.filter.call(parent.children, (c) => c.tagName === el.tagName);
      parts.unshift(same.length > 1 ? `${tag}:nth-of-type(${same.indexOf(el) + 1})` : tag);
      el = parent;
    }
    return parts.join(' > ').replace(/ > >>shadow>>/g, ' >>shadow>>');
  }
  function formState(root) {
    return Array.prototype.map.call(root.querySelectorAll('input, textarea, select'), (el) => {
      const o = { path: cssPath(el), tag: el.tagName.toLowerCase(), type: el.type, value: el.value };
      if (el.type === 'checkbox' || el.type === 'radio') o.checked = el.checked;
      if (el.tagName === 'SELECT') o.selectedIndex = el.selectedIndex;
      return o;
    });
  }
  const elementScroll = Array.prototype.filter.call(document.querySelectorAll('*'), (el) => el.scrollTop || el.scrollLeft)
    .map((el) => ({ path: cssPath(el), scrollTop: el.scrollTop, scrollLeft: el.scrollLeft }));
  let active = document.activeElement;
  while (active && active.shadowRoot && active.shadowRoot.activeElement) active = active.shadowRoot.activeElement;
  return {
    t, label,
    html: document.documentElement.outerHTML,
    scrollX: window.scrollX, scrollY: window.scrollY,
    width: window.innerWidth, height: window.innerHeight,
    formState: formState(document),
    elementScroll,
    activeElement: active && active !== document.body ? cssPath(active) : null,
    eventsSoFar: window.__events ? window.__events.length : null,
  };
}

async function metrics(cdp) {
  const { metrics: m } = await cdp.send('Performance.getMetrics');
  return Object.fromEntries(m.map((x) => [x.name, x.value]));
}

async function recordOne(browser, name, session, baseUrl) {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1, locale: 'en-US', timezoneId: 'America/Los_Angeles',
  });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e).slice(0, 300)));
  page.on('console', (m) => { if (m.type() === 'error' && errors.length < 20) errors.push(m.text().slice(0, 300)); });
  await page.addInitScript({ content: initScript() });
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
  const checkpoints = [];
  const s = {
    page,
    cp: async (l) => { checkpoints.push(await page.evaluate(captureCheckpoint, l)); },
    resize: async (width, height) => { await page.setViewportSize({ width, height }); },
  };
  const wallStart = Date.now();
  await page.goto(`${baseUrl}/${session.page}`, { waitUntil: 'load' });
  await page.waitForFunction(() => window.__recording === true, null, { timeout: 15000 });
  const h = new Human(page, session.seed);
  if (session.long) await SCENARIOS[name](h, s, LONG_MS); else await SCENARIOS[name](h, s);
  await h.sleep(900); // let throttled and batched events flush
  await s.cp('end');
  const screenshot = await page.screenshot({ type: 'png', caret: 'initial', animations: 'allow' });
  // A recorder whose stop() returns a promise (ours, when its wasm runs in a worker)
  // emits its last events when it resolves.
  await page.evaluate(async () => { if (typeof window.__stopRecording === 'function') await window.__stopRecording(); });
  const m = await metrics(cdp);
  const json = await page.evaluate(() => JSON.stringify(window.__events));
  await context.close();
  return { json, checkpoints, screenshot, errors, m, wallMs: Date.now() - wallStart };
}

async function main() {
  const names = only.length ? only : Object.keys(SESSIONS).filter((n) => !SESSIONS[n].long);
  for (const n of names) if (!SESSIONS[n]) { console.error(`unknown session ${n}`); process.exit(2); }
  fs.mkdirSync(OUT, { recursive: true });
  const server = await startServer({ '/': PAGES }, 0);
  const baseUrl = `http://127.0.0.1:${server.port}`;
  try {
    for (const name of names) {
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
      let r;
      try { r = await recordOne(browser, name, SESSIONS[name], baseUrl); } finally { await browser.close(); }
      const events = JSON.parse(r.json);
      fs.writeFileSync(path.join(OUT, `${name}.${label}.json`), r.json);
      fs.writeFileSync(path.join(OUT, `${name}.checkpoints.json`), JSON.stringify(r.checkpoints));
      fs.writeFileSync(path.join(OUT, `${name}.end.png`), r.screenshot);
      const out = {
        session: name, recorder: label, options: OPTIONS, events: events.length, json_bytes: r.json.length,
        script_s: r.m.ScriptDuration, task_s: r.m.TaskDuration, layout_s: r.m.LayoutDuration,
        recalc_style_s: r.m.RecalcStyleDuration, js_heap_used_bytes: r.m.JSHeapUsedSize,
        wall_ms: r.wallMs, page_errors: r.errors, chromium: CHROMIUM,
      };
      fs.writeFileSync(path.join(OUT, `${name}.${label}.metrics.json`), JSON.stringify(out, null, 2) + '\n');
      console.log(`${name}.${label}: ${events.length} events, ${r.json.length} bytes, script ${(r.m.ScriptDuration * 1000).toFixed(0)} ms, ` +
        `task ${(r.m.TaskDuration * 1000).toFixed(0)} ms, ${r.checkpoints.length} checkpoints${r.errors.length ? `, ${r.errors.length} page errors` : ''}`);
    }
  } finally {
    await server.close();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
