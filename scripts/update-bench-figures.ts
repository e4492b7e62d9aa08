/**
 * `npm run bench:figures` rewrites every `<!-- bench:<file>.json#<path> -->NUMBER` in the docs
 * with the value now in bench/results/, keeping each figure's shown precision. Run it after
 * `npm run bench`; the docs-drift test fails until the docs quote the committed results.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FIGURE_MARKER, decimalsOf, lookup } from '../bench/lib/figures.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const docs = ['README.md', 'docs/high-availability.md', ...readdirSync(join(root, 'docs/runbooks')).map((f) => `docs/runbooks/${f}`)];

for (const doc of docs) {
  const text = readFileSync(join(root, doc), 'utf8');
  let changed = 0;
  const updated = text.replace(FIGURE_MARKER, (whole, file: string, path: string, quoted: string) => {
    const value = lookup(JSON.parse(readFileSync(join(root, 'bench/results', file), 'utf8')), path);
    if (typeof value !== 'number') throw new Error(`${doc}: ${file}#${path} is not a number in the results`);
    const fresh = value.toFixed(decimalsOf(quoted));
    if (fresh === quoted) return whole;
    changed++;
    return whole.slice(0, whole.length - quoted.length) + fresh;
  });
  if (changed > 0) writeFileSync(join(root, doc), updated);
  console.log(`${doc}: ${changed} figure(s) updated`);
}
