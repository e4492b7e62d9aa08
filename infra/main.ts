/**
 * The cdk8s app of `cdk8s.yaml` (`npm run synth` = `cdk8s synth --no-check-upgrade`): writes one
 * directory per profile under the output directory cdk8s-cli passes in CDK8S_OUTDIR (`dist`; run
 * directly, `dist/` of the repository), each with one YAML file per chart plus a
 * kustomization.yaml, replacing what was there. The output is committed: it is the GitOps source.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROFILES, PROFILE_NAMES } from '../packages/cdk8s-bindy/src/index.js';
import { buildProfile, profileKustomization } from './app.js';
import { IMAGE_PIN_FILE, readImagePin } from './image-pin.js';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
// cdk8s-cli resolves `output` against its working directory and has already emptied it.
const outRoot = process.env.CDK8S_OUTDIR ? resolve(process.env.CDK8S_OUTDIR) : join(root, 'dist');

const pins = readImagePin(join(root, IMAGE_PIN_FILE));

const started = process.hrtime.bigint();
for (const name of PROFILE_NAMES) {
  const outdir = join(outRoot, name);
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  buildProfile(PROFILES[name], outdir).app.synth();
  writeFileSync(join(outdir, 'kustomization.yaml'), profileKustomization(pins));
}
const ms = Number(process.hrtime.bigint() - started) / 1e6;
console.log(`synthesized ${PROFILE_NAMES.length} profiles into ${outRoot} in ${ms.toFixed(0)} ms`);
