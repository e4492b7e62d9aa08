/**
 * The README's main job: `npm run demo` runs end to end on its own bed with the real node (dist/dev
 * as pods, scaled to 3, real named in a Bind9Instance pod, `kubectl delete pod` of the leader and
 * a crash of the next one) and exits 0. It runs in `npm test`, whose bed has no node, so the demo's
 * node is the only one on the machine.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('npm run demo', () => {
  it('serves records from named pods before and after both failovers, then cleans up', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/demo.ts'], { cwd: root, encoding: 'utf8', timeout: 420_000 });
    const output = `${run.stdout}${run.stderr}`;
    expect({ status: run.status, tail: output.split('\n').slice(-15).join('\n') }).toMatchObject({ status: 0 });
    expect(output).toMatch(/dig @10\.244\.0\.\d+ www\.example\.demo A \+short {2}→ {2}192\.0\.2\.10/);
    expect(output).toMatch(/dig @10\.96\.\d+\.\d+ www\.example\.demo A \+short {2}→ {2}192\.0\.2\.10/);
    expect(output).toMatch(/got SIGTERM \(kubectl delete pod\); bindy-\S+ leads after \d+ ms/);
    expect(output).toMatch(/after-delete\.example\.demo A \+short {2}→ {2}192\.0\.2\.21/);
    expect(output).toMatch(/was SIGKILLed \(crash\); the kubelet restarted it \(restarts: 1\); bindy-\S+ leads/);
    expect(output).toMatch(/after-crash\.example\.demo A \+short {2}→ {2}192\.0\.2\.22/);
    expect(output).toContain('Done: every record answered by named pods across both failovers.');
  }, 450_000);
});
