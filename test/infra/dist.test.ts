import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { CHART_IDS, PROFILE_NAMES } from '../../packages/cdk8s-bindy/src/index.js';
import { profileKustomization } from '../../infra/app.js';
import { synthCharts } from './helpers.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('committed dist/', () => {
  it.each(PROFILE_NAMES)('dist/%s is what `npm run synth` writes (run it and commit when this fails)', (profile) => {
    const dir = `${root}dist/${profile}`;
    expect(readdirSync(dir).sort()).toEqual([...CHART_IDS.map((id) => `${id}.yaml`), 'kustomization.yaml'].sort());
    expect(readFileSync(`${dir}/kustomization.yaml`, 'utf8')).toBe(profileKustomization());
    const charts = synthCharts(profile);
    for (const id of CHART_IDS) {
      const docs = parseAllDocuments(readFileSync(`${dir}/${id}.yaml`, 'utf8')).map((d) => d.toJS());
      expect(docs).toEqual(charts[id]);
    }
  });

  it('is byte for byte what `cdk8s synth --no-check-upgrade` (the pinned cdk8s-cli and cdk8s.yaml) writes', () => {
    const out = mkdtempSync(join(tmpdir(), 'bindy-cdk8s-synth-'));
    try {
      const cli = join(root, 'node_modules', '.bin', 'cdk8s');
      execFileSync(cli, ['synth', '--no-check-upgrade', '--output', join(out, 'dist')], { cwd: root, stdio: 'pipe' });
      for (const profile of PROFILE_NAMES) {
        const files = readdirSync(join(out, 'dist', profile)).sort();
        expect(files).toEqual(readdirSync(join(root, 'dist', profile)).sort());
        for (const f of files) {
          expect(`${profile}/${f}:\n${readFileSync(join(out, 'dist', profile, f), 'utf8')}`).toBe(
            `${profile}/${f}:\n${readFileSync(join(root, 'dist', profile, f), 'utf8')}`,
          );
        }
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 60_000);

  it('passes yamllint', () => {
    const args = ['-s', '-f', 'parsable', '-c', 'test/infra/yamllint.yaml', 'dist', 'deploy/gitops'];
    expect(() => execFileSync('yamllint', args, { cwd: root, encoding: 'utf8' })).not.toThrow();
  });
});
