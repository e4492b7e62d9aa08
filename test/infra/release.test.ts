/**
 * The release workflow (.github/workflows/release.yml) cannot run here; this checks its shape:
 * lint, trigger, the multi-arch build of the Dockerfile, the push to ghcr.io, keyless signing,
 * the SBOM attestation, and the step that pins dist/ to the digest. The pin itself runs for real:
 * `kubectl kustomize` of a pinned profile deploys `<image>@<digest>`.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { IMAGE } from '../../packages/cdk8s-bindy/src/index.js';
import { profileKustomization } from '../../infra/app.js';
import { pinImage, readImagePin } from '../../infra/image-pin.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const workflow = parse(readFileSync(join(root, '.github/workflows/release.yml'), 'utf8'));
type Step = { uses?: string; run?: string; id?: string; with?: Record<string, unknown>; env?: Record<string, string> };
const steps = (job: string): Step[] => workflow.jobs[job].steps;
const using = (job: string, action: string): Step => {
  const step = steps(job).find((s) => s.uses?.startsWith(`${action}@`));
  if (!step) throw new Error(`job ${job} does not use ${action}`);
  return step;
};
const DIGEST = `sha256:${'ab'.repeat(32)}`;

describe('release workflow', () => {
  it('passes yamllint (strict)', () => {
    const args = ['-s', '-c', 'test/infra/yamllint.yaml', '.github/workflows/release.yml'];
    expect(() => execFileSync('yamllint', args, { cwd: root, encoding: 'utf8' })).not.toThrow();
  });

  it('runs on version tags only, with read-only default permissions', () => {
    expect(Object.keys(workflow.on)).toEqual(['push']);
    expect(workflow.on.push.tags).toEqual(['v[0-9]+.[0-9]+.[0-9]+']);
    expect(workflow.permissions).toEqual({ contents: 'read' });
  });

  it('builds the Dockerfile for linux/amd64 and linux/arm64 with buildx and pushes it to ghcr.io as the manifests name it', () => {
    using('image', 'docker/setup-qemu-action');
    using('image', 'docker/setup-buildx-action');
    expect(using('image', 'docker/login-action').with?.registry).toBe('${{ env.REGISTRY }}');
    expect(workflow.env).toMatchObject({ REGISTRY: 'ghcr.io', IMAGE: IMAGE.repository });
    const build = using('image', 'docker/build-push-action');
    expect(build.id).toBe('build');
    expect(build.with).toMatchObject({ context: '.', file: 'Dockerfile', platforms: 'linux/amd64,linux/arm64', push: true });
    expect(workflow.jobs.image.permissions).toMatchObject({ packages: 'write', 'id-token': 'write' });
  });

  it('signs the pushed digest keyless and attaches a signed SBOM, then verifies both', () => {
    const runs = steps('image').map((s) => s.run ?? '').join('\n');
    using('image', 'sigstore/cosign-installer');
    expect(runs).toMatch(/cosign sign --yes "\$\{IMAGE\}@\$\{DIGEST\}"/);
    expect(runs).not.toMatch(/--key\b/);
    expect(using('image', 'anchore/sbom-action').with).toMatchObject({ format: 'spdx-json', 'output-file': 'sbom.spdx.json' });
    expect(runs).toMatch(/cosign attest --yes --type spdxjson --predicate sbom\.spdx\.json/);
    expect(runs).toMatch(/cosign verify --certificate-identity/);
    expect(runs).toMatch(/cosign verify-attestation --type spdxjson/);
    for (const s of steps('image').filter((x) => x.run?.includes('cosign'))) expect(s.env?.DIGEST).toBe('${{ steps.build.outputs.digest }}');
  });

  it('pins dist/ to the released digest with the pin script, in a pull request', () => {
    expect(workflow.jobs['pin-dist'].needs).toBe('image');
    expect(workflow.jobs.image.outputs.digest).toBe('${{ steps.build.outputs.digest }}');
    const pin = steps('pin-dist').find((s) => s.run?.includes('scripts/pin-image-digest.ts'))!;
    expect(pin.run).toContain('npx tsx scripts/pin-image-digest.ts "${IMAGE}@${DIGEST}"');
    expect(pin.env?.DIGEST).toBe('${{ needs.image.outputs.digest }}');
    expect(steps('pin-dist').map((s) => s.run ?? '').join('\n')).toMatch(/git add infra\/image-pin\.json dist[\s\S]*gh pr create/);
  });

  it('pins every action to a major version', () => {
    const uses = Object.keys(workflow.jobs).flatMap((j) => steps(j).map((s) => s.uses).filter((u): u is string => u !== undefined));
    expect(uses.length).toBeGreaterThan(8);
    for (const u of uses) expect(u).toMatch(/^[\w.-]+\/[\w.-]+@v\d+$/);
  });
});

describe('pinning dist/ to a digest', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'bindy-pin-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('makes kustomize deploy <image>@<digest> from the committed manifests', () => {
    const pins = [pinImage(`${IMAGE.repository}@${DIGEST}`, join(dir, 'image-pin.json'))];
    expect(readImagePin(join(dir, 'image-pin.json'))).toEqual(pins);
    cpSync(join(root, 'dist', 'prod'), join(dir, 'prod'), { recursive: true });
    writeFileSync(join(dir, 'prod', 'kustomization.yaml'), profileKustomization(pins));
    const built = execFileSync('kubectl', ['kustomize', join(dir, 'prod')], { encoding: 'utf8' });
    expect(built).toContain(`image: ${IMAGE.repository}@${DIGEST}`);
    expect(built).not.toContain(`image: ${IMAGE.repository}:`);
  });

  it.each([
    [`docker.io/someone/bindy-ts@${DIGEST}`, /expected ghcr.io\/firestoned\/bindy-ts@sha256:<digest>, got "docker.io\/someone\/bindy-ts@sha256:/],
    [`${IMAGE.repository}@sha256:123`, /the digest must be sha256:<64 hex digits>, got "sha256:123"/],
    [`${IMAGE.repository}:0.1.0`, /expected ghcr.io\/firestoned\/bindy-ts@sha256:<digest>/],
  ])('refuses %s naming the value', (reference, message) => {
    expect(() => pinImage(reference, join(dir, 'image-pin.json'))).toThrow(message);
  });

  it('is not pinned in the repository until a release pins it', () => {
    expect(readImagePin(join(root, 'infra', 'image-pin.json'))).toEqual([]);
    expect(readFileSync(join(root, 'dist', 'prod', 'kustomization.yaml'), 'utf8')).not.toContain('images:');
  });
});
