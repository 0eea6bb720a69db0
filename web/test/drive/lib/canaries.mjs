// Planted sensitive ("canary") values of the visible pages, read from tests/data/corpus/canaries.json (this copy).
// Every value is fake. The driver types the typed-input ones.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const CANARIES = JSON.parse(fs.readFileSync(path.join(HERE, '..', '..', '..', '..', 'tests', 'data', 'corpus', 'canaries.json'), 'utf8')).canaries;

export function canary(id) {
  const c = CANARIES.find((x) => x.id === id);
  if (!c) throw new Error('unknown canary ' + id);
  return c.value;
}
