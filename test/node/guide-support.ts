/**
 * guide-support.ts: running the seed guide's commands (upstream Bindy's "Operator High
 * Availability", docs/src/operations/operator-ha.md) against the bed's real node, on dist/dev
 * applied as a user would: unmodified but for a kustomize `images:` override naming the image
 * built here from our Dockerfile (testbed/profile-overlay.ts). The guide's command text runs in
 * bash with the bed's kubectl; the one substitution is its namespace `bindy-system` -> dist/'s
 * `dns-system`.
 */
import { execFile } from 'node:child_process';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { writeProfileOverlay } from '../../testbed/profile-overlay.js';
import { loadTestbed } from '../../testbed/state.js';
import { eventually } from '../support/eventually.js';

export const bed = loadTestbed();

/** guide runs one of the guide's command blocks (namespace substituted) and returns its stdout. */
export async function guide(script: string): Promise<string> {
  const text = script.replace(/bindy-system/g, 'dns-system');
  const env = { ...process.env, KUBECONFIG: bed.kubeconfigs.admin, PATH: `${dirname(bed.kubectl ?? '')}:${process.env.PATH ?? ''}` };
  return (await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', text], { env, encoding: 'utf8' })).stdout.trim();
}

export const holder = (): Promise<string> => guide("kubectl get lease -n bindy-system bindy-leader -o jsonpath='{.spec.holderIdentity}'");

export const runningPods = async (): Promise<string[]> =>
  (await guide("kubectl -n dns-system get pods -l app=bindy --field-selector=status.phase=Running -o jsonpath='{range .items[*]}{.metadata.name}{\"\\n\"}{end}'")).split('\n').filter(Boolean);

/** aLeader waits until the lease names a running operator pod, and returns it. */
export async function aLeader(timeoutMs = 60_000): Promise<string> {
  return eventually(async () => {
    const h = await holder();
    expect(await runningPods()).toContain(h);
    return h;
  }, timeoutMs, 100);
}

/**
 * deleteLeaderPod runs the guide's `kubectl delete pod` on the current leader (SIGTERM, graceful)
 * and waits until the lease names another operator pod; it returns that pod and how long after
 * the delete it led.
 */
export async function deleteLeaderPod(leader: string, timeoutMs: number): Promise<{ next: string; tookMs: number }> {
  const started = Date.now();
  await guide(`kubectl delete pod -n bindy-system ${leader} --wait=false`);
  const next = await eventually(async () => {
    const h = await holder();
    expect(h).not.toBe(leader);
    expect(h).toMatch(/^bindy-/);
    return h;
  }, timeoutMs, 50);
  return { next, tookMs: Date.now() - started };
}

/** applyProfile applies dist/<profile> through an overlay that only swaps the image (testbed/profile-overlay.ts). */
export async function applyProfile(profile = 'dev', wait = true): Promise<void> {
  const { commands } = writeProfileOverlay(bed.stateDir, profile, bed.node?.bindyImage ?? 'missing:none');
  for (const command of commands) await guide(command);
  if (wait) await guide('kubectl -n dns-system rollout status deployment/bindy --timeout=120s');
}

/** removeOperator scales the operator to zero, so the next test file starts from a quiet cluster. */
export async function removeOperator(): Promise<void> {
  await guide('kubectl scale deployment -n bindy-system bindy --replicas=0 && kubectl -n dns-system wait --for=delete pod -l app=bindy --timeout=60s').catch(() => undefined);
}
