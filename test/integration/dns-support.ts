/**
 * Shared helpers of the DNS integration tests: CRD install, a held Lease with a fixed fencing
 * token, polling, dig, and starting the controllers plus the test bed's node in-process.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { createControllers } from '../../src/controllers/manager.js';
import { customResourceDefinitions } from '../../src/crds/index.js';
import type { KubeClient } from '../../src/kube/api-client.js';
import type { FencingToken, Leadership } from '../../src/leader/leadership.js';
import { OperatorMetrics } from '../../src/observability/metrics.js';
import { TestNode } from '../../testbed/node/node.js';
import { eventually } from '../support/eventually.js';
import { adminClient, loadTestbed } from '../../testbed/state.js';
import { waitEstablished } from '../../testbed/apply.js';

export const LEASE_NS = 'dns-system';

export async function installCrds(admin: KubeClient): Promise<void> {
  for (const crd of customResourceDefinitions()) {
    await admin.apply(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`, crd, 'bindy-tests');
  }
  for (const crd of customResourceDefinitions()) await waitEstablished(admin, crd.metadata.name);
}

/**
 * deleteDnsObjects deletes a DNS test's objects and waits (bounded) until its Bind9Instances are
 * gone, so their finalizers run while the test's operator is still up; a leftover never fails it.
 */
export async function deleteDnsObjects(admin: KubeClient, api: string, paths: readonly string[], timeoutMs = 20_000): Promise<void> {
  for (const path of paths) await admin.delete(path).catch(() => undefined);
  await eventually(async () => {
    const list = await admin.get<{ items: unknown[] }>(`${api}/bind9instances`);
    if (list.items.length > 0) throw new Error('instance not gone');
  }, timeoutMs).catch(() => undefined);
}

/** prepareDnsTest takes the DNS-operator lock, then installs the CRDs and the test's namespace. */
export async function prepareDnsTest(ns: string): Promise<{ admin: KubeClient; unlock: () => void }> {
  const unlock = await lockDnsOperator();
  const admin = adminClient();
  await installCrds(admin);
  await ensureNamespace(admin, ns);
  return { admin, unlock };
}

/**
 * stopDnsTest is the DNS tests' afterAll: delete the test's objects while its operator still runs
 * (their finalizers need it), stop the operator and node, close the client, release the lock.
 */
export async function stopDnsTest(test: { admin: KubeClient; unlock: () => void; harness?: Harness }, api: string, paths: readonly string[], timeoutMs?: number): Promise<void> {
  await deleteDnsObjects(test.admin, api, paths, timeoutMs);
  await test.harness?.stop();
  test.admin.close();
  test.unlock();
}

export async function ensureNamespace(admin: KubeClient, name: string): Promise<void> {
  await admin.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }).catch((err: unknown) => {
    if ((err as { code?: number }).code !== 409) throw err;
  });
}

/** holdLease writes a Lease held by `holder` and returns a Leadership that fences with it. */
export async function holdLease(admin: KubeClient, name: string, holder: string, transitions: number): Promise<Leadership & { readonly deposals: string[] }> {
  const path = `/apis/coordination.k8s.io/v1/namespaces/${LEASE_NS}/leases`;
  await admin.delete(`${path}/${name}`).catch(() => undefined);
  await admin.create(path, {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace: LEASE_NS },
    spec: { holderIdentity: holder, leaseTransitions: transitions, leaseDurationSeconds: 3600 },
  });
  const token: FencingToken = { holder, transitions };
  const deposals: string[] = [];
  const term = new AbortController();
  return { fence: () => token, deposed: (r) => void deposals.push(r), signal: term.signal, deposals };
}

export { eventually } from '../support/eventually.js';

/** dig asks one server, without recursion, and returns +short answers (or the full text with `full`). */
export function dig(server: string, name: string, type: string, full = false): string {
  const args = [`@${server}`, '+norec', '+time=1', '+tries=2', name, type];
  return execFileSync('dig', full ? args : [...args, '+short'], { encoding: 'utf8' }).trim();
}

/** startNode makes the test bed's node for one test namespace. */
export function startNode(admin: KubeClient, log: Logger, leaseName: string, firstOctet: number, namespace: string, gateAgents: boolean): TestNode {
  const workDir = mkdtempSync(join(tmpdir(), 'testnode-'));
  return new TestNode({ client: admin, log: log.child({ c: 'node' }), workDir, firstOctet, namespace, gateAgents, lease: { namespace: LEASE_NS, name: leaseName } });
}

/**
 * lockDnsOperator serialises the test files that run a DNS operator: an operator process
 * watches every namespace, so two of them at once would fight over each other's pods. The lock
 * file lives in this run's test-bed directory, so a crashed run leaves nothing behind.
 */
export async function lockDnsOperator(): Promise<() => void> {
  const path = join(loadTestbed().stateDir, 'dns-operator.lock');
  for (;;) {
    try {
      const fd = openSync(path, 'wx');
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

export interface Harness {
  readonly node: TestNode;
  readonly metrics: OperatorMetrics;
  readonly log: Logger;
  stop(): Promise<void>;
}

/** startHarness runs the test node and the controllers (informers + reconcilers) in this process. */
export async function startHarness(admin: KubeClient, leadership: Leadership, leaseName: string, firstOctet: number, namespace: string): Promise<Harness> {
  const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const stop = new AbortController();
  const node = startNode(admin, log, leaseName, firstOctet, namespace, false);
  const metrics = new OperatorMetrics({ defaultMetrics: false });
  const config = { leaderElection: true, leaseName, leaseNamespace: LEASE_NS, watchNamespace: namespace };
  const set = createControllers({ client: admin, log, metrics, config, tuning: { resyncMs: 1_500, agentImage: 'bindy:test' } });
  const runs = [node.start(stop.signal), set.informers.start(stop.signal)];
  await eventually(() => {
    if (!set.informers.ready?.()) throw new Error('informers not synced');
  }, 10_000, 50);
  runs.push(set.reconcilers(leadership).start(stop.signal));
  return {
    node,
    metrics,
    log,
    stop: async () => {
      stop.abort();
      await Promise.all(runs);
    },
  };
}
