// Test harness: a static server for web/dist, the test data and rrweb's build, and
// Debian's headless Chromium driven by playwright-core (no browser is downloaded).
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const ROOTS = {
  '/dist/': join(here, '..', 'dist'),
  '/data/': join(here, '..', '..', 'tests', 'data'),
  '/web-data/': join(here, 'data'),
  '/out/': join(here, 'out'),
  '/rrweb/': join(here, 'node_modules', 'rrweb', 'dist'),
  '/pages/': join(here, 'pages'),
};
const TYPES = {
  '.js': 'text/javascript', '.cjs': 'text/javascript', '.mjs': 'text/javascript', '.html': 'text/html',
  '.json': 'application/json', '.css': 'text/css', '.png': 'image/png', '.wasm': 'application/wasm',
};

// Serves ROOTS on 127.0.0.1:`port` (0: any). `hits` counts every path asked for, so
// tests can see what a replayed page tried to load; `posts` keeps the bodies POSTed to
// each path (a page's beacons), as text.
export async function serve(port = 0, roots = ROOTS) {
  const hits = new Map();
  const posts = new Map();
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    hits.set(path, (hits.get(path) || 0) + 1);
    if (req.method === 'POST') {
      const parts = [];
      for await (const part of req) parts.push(part);
      if (!posts.has(path)) posts.set(path, []);
      posts.get(path).push(Buffer.concat(parts).toString('utf8'));
      res.writeHead(204).end();
      return;
    }
    const prefix = Object.keys(roots).find((p) => path.startsWith(p));
    if (!prefix) {
      res.writeHead(404).end();
      return;
    }
    const file = normalize(join(roots[prefix], path.slice(prefix.length)));
    if (!file.startsWith(roots[prefix])) {
      res.writeHead(403).end();
      return;
    }
    try {
      if (!(await stat(file)).isFile()) throw new Error('not a file');
      const headers = { 'content-type': TYPES[extname(file)] || 'application/octet-stream', 'cache-control': 'no-store' };
      // ?csp=POLICY serves the page under that content security policy.
      const csp = new URL(req.url, 'http://x').searchParams.get('csp');
      if (csp) headers['content-security-policy'] = csp;
      res.writeHead(200, headers);
      res.end(await readFile(file));
    } catch (_) {
      res.writeHead(404).end();
    }
  });
  await new Promise((ok) => server.listen(port, '127.0.0.1', ok));
  const url = `http://127.0.0.1:${server.address().port}`;
  return { url, hits, posts, close: () => new Promise((ok) => server.close(ok)) };
}

export async function browser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', ...(process.env.CHROMIUM_GPU ? [] : ['--disable-gpu']), '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

// A page with the bundle loaded and SessionReplay ready, and a 1280x800 player box.
export async function playerPage(b, server, { width = 1280, height = 860 } = {}) {
  const page = await b.newPage({ viewport: { width, height }, deviceScaleFactor: 1 });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${server.url}/pages/test.html`);
  await page.evaluate(() => SessionReplay.ready);
  page.errors = errors;
  return page;
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
}
