// The `SessionReplay` global: `ready` (a promise that resolves once the wasm can be
// used on the page's main thread, by the player), `Player`, and `record(options)`,
// rrweb's recorder's shape (it may be called before any wasm is ready: what it observes
// waits in the page until the wasm can mask it). The wasm is inlined in this script, so
// that the script works on its own, from a file or injected inline.

/* global wasm_bindgen, WASM_BASE64, Player, applierSelfCheck, record */
/* exported wasmBytes */

// The inlined wasm as bytes. It takes the native decoder where there is one (Chromium
// 140+, Firefox 133+, Safari 18.2+): about 1 ms where atob and a byte loop took 50-60 ms
// on this wasm. The fallback decodes the base64 text directly (no intermediate string);
// the recorder's worker runs it off the main thread. Self-contained: the worker gets
// its source (web/js/record_engine.js).
function wasmBytes(s) {
  if (typeof Uint8Array.fromBase64 === 'function') return Uint8Array.fromBase64(s);
  const table = new Uint8Array(128);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < 64; i++) table[alphabet.charCodeAt(i)] = i;
  let len = s.length;
  while (len && s.charCodeAt(len - 1) === 61) len--; // '=' padding
  const out = new Uint8Array((len * 3) >> 2);
  let o = 0;
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const v = (table[s.charCodeAt(i)] << 18) | (table[s.charCodeAt(i + 1)] << 12)
      | (table[s.charCodeAt(i + 2)] << 6) | table[s.charCodeAt(i + 3)];
    out[o++] = v >> 16;
    out[o++] = (v >> 8) & 255;
    out[o++] = v & 255;
  }
  if (len - i >= 2) {
    const v = (table[s.charCodeAt(i)] << 18) | (table[s.charCodeAt(i + 1)] << 12)
      | (len - i === 3 ? table[s.charCodeAt(i + 2)] << 6 : 0);
    out[o++] = v >> 16;
    if (len - i === 3) out[o++] = (v >> 8) & 255;
  }
  return out;
}

// `ready` starts the wasm on the page's main thread when it is first asked for: a page
// that only records never needs it there (the recorder runs its wasm in a worker), and
// so never pays for it.
let readyPromise = null;
const SessionReplay = {
  version: '__VERSION__',
  Player,
  record,
  get ready() {
    if (!readyPromise) {
      readyPromise = wasm_bindgen({ module_or_path: wasmBytes(WASM_BASE64) }).then(() => {
        applierSelfCheck(wasm_bindgen.Replay.opcodes());
        return SessionReplay;
      });
    }
    return readyPromise;
  },
};

globalThis.SessionReplay = SessionReplay;
