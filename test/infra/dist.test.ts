import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { CHART_IDS, kustomization } from '../../infra/app.js';
import { PROFILE_NAMES } from '../../infra/profiles.js';
import { synthCharts } from './helpers.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('committed dist/', () => {
  it.each(PROFILE_NAMES)('dist/%s is what `npm run synth` writes (run it and commit when this fails)', (profile) => {
    const dir = `${root}dist/${profile}`;
    expect(readdirSync(dir).sort()).toEqual([...CHART_IDS.map((id) => `${id}.yaml`), 'kustomization.yaml'].sort());
    expect(readFileSync(`${dir}/kustomization.yaml`, 'utf8')).toBe(kustomization());
    const charts = synthCharts(profile);
    for (const id of CHART_IDS) {
      const docs = parseAllDocuments(readFileSync(`${dir}/${id}.yaml`, 'utf8')).map((d) => d.toJS());
      expect(docs).toEqual(charts[id]);
    }
  });

  it('passes yamllint', () => {
    const args = ['-s', '-f', 'parsable', '-c', 'test/infra/yamllint.yaml', 'dist', 'deploy/gitops'];
    expect(() => execFileSync('yamllint', args, { cwd: root, encoding: 'utf8' })).not.toThrow();
  });
});
