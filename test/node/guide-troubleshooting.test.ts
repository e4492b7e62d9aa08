/**
 * The seed guide's monitoring and troubleshooting procedures on the operator as pods (dist/dev):
 * Monitor Leadership Changes, No Leader Elected, Multiple Leaders (Split Brain), rollout restart,
 * `kubectl set env` of the LEASE_* variables, `kubectl logs --previous` after a crash, and
 * Graceful Shutdown. Guide text runs as described in guide-support.ts.
 */
import { spawnSync } from 'node:child_process';
import { eventually } from '../integration/dns-support.js';
import { aLeader, applyProfile, bed, deleteLeaderPod, guide, removeOperator, runningPods } from './guide-support.js';

interface LeaseSpec {
  holderIdentity?: string;
  renewTime?: string;
  leaseTransitions?: number;
  leaseDurationSeconds?: number;
}

const lease = async (): Promise<LeaseSpec> => JSON.parse(await guide("kubectl get lease -n bindy-system bindy-leader -o jsonpath='{.spec}'")) as LeaseSpec;
/** aRenewingLeader waits until one holder renews the lease (a live leader, not a stale record). */
async function aRenewingLeader(timeoutMs = 90_000): Promise<string> {
  return eventually(async () => {
    const first = await lease();
    await new Promise((r) => setTimeout(r, 2_500));
    const second = await lease();
    expect(second.holderIdentity).toBe(first.holderIdentity);
    expect(second.renewTime).not.toBe(first.renewTime);
    return second.holderIdentity as string;
  }, timeoutMs, 100);
}

describe('the seed guide: monitoring and troubleshooting (dist/dev as pods)', () => {
  beforeAll(async () => {
    await applyProfile();
    await guide('kubectl scale deployment -n bindy-system bindy --replicas=3 && kubectl -n dns-system rollout status deployment/bindy --timeout=120s');
    await aLeader();
  }, 180_000);

  afterAll(async () => removeOperator(), 90_000);

  it('Monitor Leadership Changes: get lease -w shows the handover, the logs grep shows leadership lines', async () => {
    const old = await aLeader();
    const watch = guide('timeout 8 kubectl get lease -n bindy-system bindy-leader -w || true');
    await new Promise((r) => setTimeout(r, 1_000));
    await guide(`kubectl delete pod -n bindy-system ${old} --wait=false`);
    const watched = await watch;
    const next = await aLeader();
    expect(watched).toContain(next);
    const logs = await guide('timeout 3 kubectl logs -n bindy-system deployment/bindy -f | grep -i "leader\\|lease" || true');
    expect(logs).toMatch(/Lease already held by|Lease acquired, this instance is now the leader|Attempting to acquire lease/);
  }, 90_000);

  it('No Leader Elected: without the Role the logs say forbidden and auth can-i says no; restored, a leader is elected', async () => {
    const role = await guide('kubectl -n dns-system get role bindy-leader-election -o yaml');
    await guide('kubectl -n dns-system delete role bindy-leader-election && kubectl delete lease -n bindy-system bindy-leader');
    try {
      expect(await guide('kubectl auth can-i get leases \\\n  --namespace=bindy-system \\\n  --as=system:serviceaccount:bindy-system:bindy || true')).toMatch(/^no\b/);
      await eventually(async () => expect(await guide('kubectl logs -n bindy-system deployment/bindy --all-containers=true')).toMatch(/forbidden/i), 30_000, 500);
      expect(await guide('kubectl get lease -n bindy-system bindy-leader 2>&1 || true')).toMatch(/NotFound|not found/);
    } finally {
      // The guide's fix: apply the Role again (here: the one dist/ made), then restart the operators.
      await guide(`kubectl apply -f - <<'EOF'\n${role}\nEOF`);
    }
    expect(await guide('kubectl auth can-i get leases --namespace=bindy-system --as=system:serviceaccount:bindy-system:bindy')).toBe('yes');
    await guide('kubectl rollout restart deployment -n bindy-system bindy && kubectl -n dns-system rollout status deployment/bindy --timeout=120s');
    await aLeader();
  }, 240_000);

  it('Split Brain: one LEASE_NAME for all; delete lease forces one new election', async () => {
    expect(await guide('kubectl get deployment -n bindy-system bindy -o yaml | grep LEASE_NAME -A1')).toContain('bindy-leader');
    const started = Date.now();
    await guide('kubectl delete lease -n bindy-system bindy-leader');
    const leader = await aLeader();
    process.stderr.write(`seed guide, Split Brain: lease deleted → ${leader} elected after ${Date.now() - started} ms\n`);
    // Every replica names that one holder.
    await eventually(async () => {
      for (const pod of await runningPods()) {
        if (pod === leader) continue;
        expect(await guide(`kubectl logs -n bindy-system ${pod} | grep holderIdentity | tail -1`)).toContain(leader);
      }
    }, 30_000, 500);
  }, 120_000);

  it('rollout restart: each old leader hands over on SIGTERM; the LEASE_* set env reaches the lease', async () => {
    const before = (await lease()).leaseTransitions ?? 0;
    const started = Date.now();
    await guide('kubectl set env deployment/bindy \\\n  -n bindy-system \\\n  LEASE_DURATION_SECONDS=30 \\\n  LEASE_RENEW_DEADLINE_SECONDS=20');
    await guide('kubectl -n dns-system rollout status deployment/bindy --timeout=180s');
    const leader = await aLeader();
    const after = await lease();
    expect(after.leaseDurationSeconds).toBe(30);
    process.stderr.write(`seed guide, set env + rollout of 3 pods: ${(after.leaseTransitions ?? 0) - before} lease handovers in ${Date.now() - started} ms, leader now ${leader}\n`);
    expect((after.leaseTransitions ?? 0) - before).toBeGreaterThanOrEqual(1);
  }, 240_000);

  it('logs --previous shows the crashed container; Graceful Shutdown releases the lease at once', async () => {
    const leader = await aLeader();
    const id = (await guide(`kubectl -n dns-system get pod ${leader} -o jsonpath='{.status.containerStatuses[0].containerID}'`)).replace('containerd://', '');
    // The crash: SIGKILL to the operator's process from the node's runtime (OOM-killer style).
    const kill = spawnSync('ctr', ['--address', bed.node?.containerdSocket ?? '', '-n', 'k8s.io', 'tasks', 'kill', '-s', 'SIGKILL', id], { encoding: 'utf8' });
    expect(kill.stderr).toBe('');
    await eventually(async () => expect(await guide(`kubectl -n dns-system get pod ${leader} -o jsonpath='{.status.containerStatuses[0].restartCount}'`)).toBe('1'), 60_000, 250);
    expect(await guide(`kubectl logs -n bindy-system ${leader} --previous`)).toMatch(/Lease acquired, this instance is now the leader/);
    // Graceful Shutdown: SIGTERM (kubectl delete pod) → the lease is released and a standby leads well within one lease duration.
    const current = await aRenewingLeader();
    const { next, tookMs } = await deleteLeaderPod(current, 30_000);
    process.stderr.write(`seed guide, Graceful Shutdown: SIGTERM to ${current} → ${next} leads after ${tookMs} ms (lease duration 30 s)\n`);
    expect(tookMs).toBeLessThan(30_000);
  }, 240_000);
});
