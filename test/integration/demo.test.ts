/**
 * The README's main job: `npm run demo` runs end to end (its own test bed, three replicas as the
 * bindy ServiceAccount, real named, a SIGTERM handover and a SIGKILL takeover) and exits 0.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('npm run demo', () => {
  it('serves records from real named before and after both failovers, then cleans up', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/demo.ts'], { cwd: root, encoding: 'utf8', timeout: 150_000 });
    const output = `${run.stdout}${run.stderr}`;
    expect({ status: run.status, tail: output.split('\n').slice(-15).join('\n') }).toMatchObject({ status: 0 });
    expect(output).toMatch(/dig @\S+ www\.example\.demo A \+short {2}→ {2}192\.0\.2\.10/);
    expect(output).toMatch(/got SIGTERM; bindy-\d leads and reconciles after \d+ ms/);
    expect(output).toMatch(/after-handover\.example\.demo A \+short {2}→ {2}192\.0\.2\.21/);
    expect(output).toMatch(/got SIGKILL; bindy-\d leads and reconciles after \d+ ms/);
    expect(output).toMatch(/after-crash\.example\.demo A \+short {2}→ {2}192\.0\.2\.22/);
    expect(output).toContain('Done: every record answered by named across both failovers.');
  }, 180_000);
});
