// The `SessionReplay` global: `ready` (a promise that resolves once the wasm can be
// used) and `Player`. The wasm is inlined in this script, so that the script works on
// its own, from a file or injected inline.

/* global wasm_bindgen, WASM_BASE64, Player, applierSelfCheck */

function wasmBytes() {
  const bin = atob(WASM_BASE64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

const SessionReplay = {
  version: '__VERSION__',
  Player,
  ready: null,
};

SessionReplay.ready = wasm_bindgen({ module_or_path: wasmBytes() }).then(() => {
  applierSelfCheck(wasm_bindgen.Replay.opcodes());
  return SessionReplay;
});

globalThis.SessionReplay = SessionReplay;
