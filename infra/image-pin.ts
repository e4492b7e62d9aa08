/**
 * The released image digest that dist/ is pinned to, if any: `infra/image-pin.json`, written by
 * `scripts/pin-image-digest.ts` in the release workflow and read by every synth, so the pin
 * survives `npm run synth` and the stale-dist/ check holds.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { DIGEST, IMAGE, type ImageDigestPin } from '../packages/cdk8s-bindy/src/index.js';

/** IMAGE_PIN_FILE is where the pin lives, relative to the repository root. */
export const IMAGE_PIN_FILE = 'infra/image-pin.json';

/** readImagePin returns the pin in `path`, or none when the file does not exist. */
export function readImagePin(path: string): ImageDigestPin[] {
  if (!existsSync(path)) return [];
  const pin = JSON.parse(readFileSync(path, 'utf8')) as ImageDigestPin;
  return [pin];
}

/**
 * pinImage records `<IMAGE.repository>@sha256:…` (what `docker buildx build --push` printed) in
 * `path`. It refuses another repository or a malformed digest, naming the value.
 */
export function pinImage(reference: string, path: string): ImageDigestPin {
  const at = reference.lastIndexOf('@');
  const name = at < 0 ? '' : reference.slice(0, at);
  const digest = reference.slice(at + 1);
  if (name !== IMAGE.repository) throw new Error(`pin-image-digest: expected ${IMAGE.repository}@sha256:<digest>, got ${JSON.stringify(reference)}`);
  if (!DIGEST.test(digest)) throw new Error(`pin-image-digest: the digest must be sha256:<64 hex digits>, got ${JSON.stringify(digest)}`);
  const pin = { name, digest };
  writeFileSync(path, `${JSON.stringify(pin, null, 2)}\n`);
  return pin;
}
