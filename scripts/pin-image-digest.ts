/**
 * `npx tsx scripts/pin-image-digest.ts ghcr.io/firestoned/bindy-ts@sha256:<digest>` pins dist/ to
 * a released image: it records the digest in infra/image-pin.json and re-synthesizes, so every
 * dist/<profile>/kustomization.yaml gets `images: [{ name, digest }]` and kustomize (Argo CD,
 * Flux, `kubectl apply -k`) deploys exactly the signed build. The release workflow runs it.
 */
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IMAGE_PIN_FILE, pinImage } from '../infra/image-pin.js';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const reference = process.argv[2];
if (!reference) {
  console.error('usage: npx tsx scripts/pin-image-digest.ts <repository>@sha256:<digest>');
  process.exit(2);
}
try {
  const pin = pinImage(reference, join(root, IMAGE_PIN_FILE));
  execFileSync('npm', ['run', '-s', 'synth'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  console.log(`dist/ pinned to ${pin.name}@${pin.digest} (${IMAGE_PIN_FILE})`);
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
