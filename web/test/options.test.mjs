// rrweb's class options given as a RegExp, as the selectors the recorder's policy
// matches (web/js/record_options.js, classPattern): exact where the pattern says a whole
// class name, and a superset (never less masked) where it is anchored at one end only;
// anything else refused. Runs in Node: the glue file is a plain script.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import vm from 'node:vm';

const ctx = vm.createContext({ BATCH_MS: 1000 });
vm.runInContext(readFileSync(new URL('../js/record_options.js', import.meta.url), 'utf8'), ctx);
const pattern = (re) => vm.runInContext('classPattern', ctx)(re);
const options = (o) => vm.runInContext('recordOptions', ctx)(o, false);

test('class patterns become the selectors they mean', () => {
  assert.equal(pattern(/^rr-block$/), '[class~="rr-block"]');
  assert.equal(pattern(/secret/), '[class*="secret"]');
  assert.equal(pattern(/^secret-/), '[class*="secret-"]');
  assert.equal(pattern(/-private$/i), '[class*="-private" i]');
  assert.equal(pattern(/^(ad|promo)$/), '[class~="ad"], [class~="promo"]');
  assert.equal(pattern(/^(?:ad|promo)$/), '[class~="ad"], [class~="promo"]');
  assert.equal(pattern(/^ad$|banner/), '[class~="ad"], [class*="banner"]');
  assert.equal(pattern(/^rr\-mask$/), '[class~="rr-mask"]');
  for (const re of [/^a.+b$/, /a|/, /(?:)/, /^(ad|promo)-/, /x/g, /a\d/, /"/, /^$/]) assert.equal(pattern(re), null, String(re));
});

test('options: patterns join the selector lists, functions are noted, not run', () => {
  const r = options({
    emit() {}, maskTextClass: /^s$/, mask: '.a', blockClass: /b/, block: ['.c'], ignoreClass: /^i$/,
    ignoreSelector: '.j', maskTextFn: () => '', hooks: { mutation() {} }, recordCanvas: true, sampling: { scroll: 50 },
  });
  assert.deepEqual(JSON.parse(JSON.stringify(r.wasm)), {
    mask: ['.a', '[class~="s"]'], block: ['.c', '[class*="b"]'], ignoreSelector: '.j, [class~="i"]',
    recordCanvas: true, sampling: { scroll: 50 },
  });
  assert.equal(r.notes.length, 3, r.notes.join('; '));
  assert.throws(() => options({ maskTextSelector: /x/ }), /maskTextSelector is a RegExp/);
});
