#!/usr/bin/env node
// Records one page of our own with rrweb 2.2.2 in headless Chromium while a scripted
// person acts on it, and writes the emitted events as a JSON array.
//
//   node record.mjs PAGE_DIR OUT.json [--script STEPS.mjs] [--page index.html]
//                   [--seed N] [--size 1280x800] [--errors]
//
// PAGE_DIR is served on 127.0.0.1 (a random port); the page is PAGE_DIR/index.html
// unless --page names another file. STEPS.mjs (default: PAGE_DIR/steps.mjs if it
// exists) exports `default async function ({ page, person, ready })`: `page` is
// Playwright's, `person` a Person (person.mjs) seeded with --seed, `ready()` waits for
// rrweb's full snapshot of the current document. rrweb's UMD build is injected
// before the page's own scripts and records with rrweb's defaults.
//
// The visit may go from page to page: rrweb is injected into every top-level document,
// each document's recording starts with its own Meta (type 4, data.href) and
// FullSnapshot, and the output holds all of them in order. --errors turns the page's
// uncaught errors into rrweb custom events (type 5, data.tag "error") and lets the
// visit pass although the page threw; request failures and console errors still fail.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { Person } from './person.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const RRWEB = path.join(HERE, 'node_modules/rrweb/dist/rrweb.umd.cjs');

function usage(msg) {
  console.error(`${msg}\nusage: node record.mjs PAGE_DIR OUT.json [--script STEPS.mjs] [--page FILE] [--seed N] [--size WxH] [--errors]`);
  process.exit(2);
}

function parseArgs(argv) {
  const named = { '--script': null, '--page': 'index.html', '--seed': '1', '--size': '1280x800' };
  const flags = { '--errors': false };
  const plain = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] in flags) flags[argv[i]] = true;
    else if (argv[i] in named) {
      if (i + 1 >= argv.length) usage(`${argv[i]} needs a value`);
      named[argv[i]] = argv[++i];
    } else if (argv[i].startsWith('--')) usage(`unknown option ${argv[i]}`);
    else plain.push(argv[i]);
  }
  if (plain.length !== 2) usage('PAGE_DIR and OUT.json are required');
  const dir = path.resolve(plain[0]);
  const [width, height] = named['--size'].split('x').map(Number);
  if (!(width > 0 && height > 0)) usage('--size is WIDTHxHEIGHT');
  let script = named['--script'];
  if (!script && fs.existsSync(path.join(dir, 'steps.mjs'))) script = path.join(dir, 'steps.mjs');
  return { dir, out: path.resolve(plain[1]), script: script && path.resolve(script), page: named['--page'], seed: Number(named['--seed']), width, height, errors: flags['--errors'] };
}

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8', '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png',
};

// Static files of `root` on 127.0.0.1 only; query strings are ignored, paths outside
// the root and missing files get a 404, and form posts an empty 204.
function serve(root) {
  const server = http.createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url, 'http://127.0.0.1').pathname);
    let file = path.join(root, path.normalize(rel));
    if (file !== root && !file.startsWith(root + path.sep)) { res.writeHead(404); res.end(); return; }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    if (req.method !== 'GET' && req.method !== 'HEAD') { res.writeHead(204); res.end(); return; }
    // Chromium asks every page for an icon; a page without one gets an empty answer.
    if (rel === '/favicon.ico' && !fs.existsSync(file)) { res.writeHead(204); res.end(); return; }
    if (!fs.existsSync(file)) { res.writeHead(404); res.end('not found'); return; }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream', 'cache-control': 'no-store' });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

// Runs before any script of the page, in every top-level document (again after each
// navigation): rrweb's UMD build, then record() with nothing but `emit` (rrweb's
// defaults). Each event is kept in the document (window.__events) and also handed to
// Node as JSON through the __recordEmit binding, tagged with the document, so the
// events of a document the visit has left are not lost. With `errors`, the document's
// uncaught errors and unhandled rejections become custom events tagged "error".
function initScript(errors) {
  const rrweb = fs.readFileSync(RRWEB, 'utf8');
  // rrweb takes custom events only once it has taken the full snapshot (at load);
  // errors thrown before then are added right after it, with the time they were thrown.
  const onError = !errors ? '' : `
  var early = [];
  function report(message, source) {
    try { rrweb.record.addCustomEvent('error', { message: String(message), source: source }); }
    catch (_) { early.push({ message: String(message), source: source, thrownAt: Date.now() }); }
  }
  snapshotTaken = function () {
    setTimeout(function () {
      early.splice(0).forEach(function (p) { try { rrweb.record.addCustomEvent('error', p); } catch (_) {} });
    }, 0);
  };
  window.addEventListener('error', function (ev) {
    report(ev.error && ev.error.message ? ev.error.message : ev.message, 'window.onerror');
  });
  window.addEventListener('unhandledrejection', function (ev) {
    var r = ev.reason;
    report(r && r.message ? r.message : r, 'unhandledrejection');
  });`;
  return `if (window.top === window) {\n${rrweb}\n;(function () {
  var doc = Date.now().toString(36) + Math.random().toString(36).slice(2);
  window.__doc = doc;
  var snapshotTaken = null;
  window.__events = [];
  window.__stopRecording = rrweb.record({ emit: function (e) {
    window.__events.push(e);
    if (e.type === 2 && snapshotTaken) snapshotTaken();
    if (window.__recordEmit) {
      var sent = window.__recordEmit(doc, JSON.stringify(e));
      if (sent && sent.catch) sent.catch(function () {}); // the document is going away
    }
  } });${onError}
})();\n}`;
}

async function main() {
  const opt = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(path.join(opt.dir, opt.page))) usage(`no ${opt.page} in ${opt.dir}`);
  if (!fs.existsSync(CHROMIUM)) usage(`no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`);
  const steps = opt.script ? (await import(pathToFileURL(opt.script).href)).default : null;
  if (opt.script && typeof steps !== 'function') usage(`${opt.script} has no default export function`);

  const server = await serve(opt.dir);
  const url = `http://127.0.0.1:${server.address().port}/${opt.page}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  const errors = [];
  const thrown = []; // uncaught page errors, allowed with --errors
  const docs = []; // [{ doc, events }] in the order the documents first emitted
  let json;
  try {
    const context = await browser.newContext({
      viewport: { width: opt.width, height: opt.height }, deviceScaleFactor: 1, locale: 'en-US', timezoneId: 'America/Los_Angeles',
    });
    const page = await context.newPage();
    page.on('pageerror', (e) => (opt.errors ? thrown : errors).push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text()); });
    page.on('response', (r) => { if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`); });
    await page.exposeBinding('__recordEmit', ({ frame }, doc, event) => {
      if (frame !== page.mainFrame()) return;
      let d = docs.find((x) => x.doc === doc);
      if (!d) docs.push(d = { doc, events: [] });
      d.events.push(event);
    });
    await page.addInitScript({ content: initScript(opt.errors) });
    // rrweb takes its full snapshot at load; wait until it has (steps call this after
    // they follow a link).
    const ready = () => page.waitForFunction(() => window.__events && window.__events.some((e) => e.type === 2), null, { timeout: 15000 });
    await page.goto(url, { waitUntil: 'load' });
    await ready();
    const person = new Person(page, opt.seed);
    if (steps) await steps({ page, person, ready });
    await person.sleep(800); // let rrweb's throttled and batched events arrive
    await page.evaluate(() => window.__stopRecording && window.__stopRecording());
    // The last document's own list is complete; earlier documents are known only from
    // what they handed over before the visit left them.
    const [last, lastEvents] = await page.evaluate(() => [window.__doc, JSON.stringify(window.__events)]);
    const earlier = docs.filter((d) => d.doc !== last).flatMap((d) => d.events);
    json = earlier.length ? `[${earlier.join(',')}${lastEvents === '[]' ? '' : ','}${lastEvents.slice(1)}` : lastEvents;
    await context.close();
  } finally {
    await browser.close();
    server.close();
  }
  fs.mkdirSync(path.dirname(opt.out), { recursive: true });
  fs.writeFileSync(opt.out, json);
  const events = JSON.parse(json);
  const kinds = {};
  for (const e of events) kinds[e.type] = (kinds[e.type] || 0) + 1;
  console.log(`${opt.out}: ${events.length} events, ${json.length} bytes, by type ${JSON.stringify(kinds)}`);
  if (thrown.length) console.log(`page errors allowed by --errors:\n  ${thrown.join('\n  ')}`);
  if (errors.length) {
    console.error(`page errors:\n  ${errors.join('\n  ')}`);
    process.exit(1);
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
