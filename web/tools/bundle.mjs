// Bundles the wasm-bindgen glue, the wasm (inlined as base64) and web/js/ into one
// classic script, web/dist/session-replay.js, that defines only `SessionReplay`.
// Usage: node web/tools/bundle.mjs GLUE.js MODULE.wasm OUT.js VERSION
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [glue, wasm, out, version] = process.argv.slice(2);
const js = join(dirname(fileURLToPath(import.meta.url)), '..', 'js');
const part = (f) => readFileSync(join(js, f), 'utf8');
const b64 = readFileSync(wasm).toString('base64');
const text = `/*! session-replay ${version} | MIT | built by web/build */
(function () {
'use strict';
// The wasm-bindgen glue, as a function: the recorder's worker is given its source too.
function sessionReplayGlue() {
${readFileSync(glue, 'utf8')}
return wasm_bindgen;
}
const wasm_bindgen = sessionReplayGlue();
const WASM_BASE64 = "${b64}";
${part('applier.js')}
${part('canvas.js')}
${part('player.js')}
${part('record_engine.js')}
${part('record_options.js')}
${part('record_sheets.js')}
${part('record_commands.js')}
${part('record_setters.js')}
${part('record_selection.js')}
${part('recorder.js')}
${part('main.js').replace('__VERSION__', version)}
})();
`;
writeFileSync(out, text);
console.log(`${out}: ${text.length} bytes (wasm ${readFileSync(wasm).length} bytes)`);
