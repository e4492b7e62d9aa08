/**
 * `npm run synth`: writes one directory per profile under dist/ (one YAML file per chart plus a
 * kustomization.yaml), replacing what was there. The output is committed: it is the GitOps source.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildProfile, kustomization } from './app.js';
import { PROFILES, PROFILE_NAMES } from './profiles.js';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');

const started = process.hrtime.bigint();
for (const name of PROFILE_NAMES) {
  const outdir = join(root, 'dist', name);
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  buildProfile(PROFILES[name], outdir).app.synth();
  writeFileSync(join(outdir, 'kustomization.yaml'), kustomization());
}
const ms = Number(process.hrtime.bigint() - started) / 1e6;
console.log(`synthesized ${PROFILE_NAMES.length} profiles into dist/ in ${ms.toFixed(0)} ms`);
