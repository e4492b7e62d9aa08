/**
 * rollout: a steady stream of record changes (20/s) while the operator Deployment of dist/prod is
 * rolled on the real node (`kubectl rollout restart`), each change timed from its create to the
 * moment named on the Bind9Instance pod answers it. Compares the p99 during the rollout with the
 * steady p99 and counts changes never served. Needs the real node:
 * `BINDY_TESTBED_NODE=1 npm run bench rollout`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { KubeClient } from '../src/kube/api-client.js';
import { loadKubeconfigFile } from '../src/kube/kubeconfig.js';
import { writeProfileOverlay } from '../testbed/profile-overlay.js';
import type { TestbedState } from '../testbed/state.js';
import { ensureNamespace, installCrds } from '../test/integration/dns-support.js';
import { GROUP } from './lib/dns-load.js';
import { percentile, printTable, writeResult } from './lib/report.js';

const run = promisify(execFile);
const NS = 'rollout-bench';
const API = `${GROUP}/namespaces/${NS}`;
const ZONE = 'rollout.test';

/** Change is one record created: when its create was sent, and when named first answered it. */
interface Change {
  readonly name: string;
  readonly ip: string;
  readonly createdAt: number;
  servedAt?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function benchRollout(bed: TestbedState, perSecond: number, steadySeconds: number): Promise<void> {
  if (!bed.node || !bed.kubectl) throw new Error('rollout needs the real node: BINDY_TESTBED_NODE=1 npm run bench rollout');
  const kubectl = async (script: string) => (await run('bash', ['-euo', 'pipefail', '-c', script], { env: { ...process.env, KUBECONFIG: bed.kubeconfigs.admin, PATH: `${dirname(bed.kubectl!)}:${process.env.PATH ?? ''}` }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })).stdout.trim();
  const admin = new KubeClient(loadKubeconfigFile(bed.kubeconfigs.admin));
  const dir = mkdtempSync(join(tmpdir(), 'bench-rollout-'));
  const changes: Change[] = [];
  try {
    await installCrds(admin);
    // dist/prod spreads replicas over zones (DoNotSchedule): the node needs a zone, as every cloud node has.
    await kubectl(`kubectl label node ${bed.node.name} topology.kubernetes.io/zone=bed-a --overwrite`);
    for (const command of writeProfileOverlay(bed.stateDir, 'prod', bed.node.bindyImage).commands) await kubectl(command);
    await kubectl('kubectl -n dns-system rollout status deployment/bindy --timeout=300s');
    const podIp = await servingPod(admin, kubectl);
    const pending = new Map<string, Change>();
    const stopPolling = new AbortController();
    const polling = pollServed(podIp, pending, join(dir, 'queries'), stopPolling.signal);
    let i = 0;
    const stream = async (until: () => boolean) => {
      for (let next = Date.now(); !until(); next += 1000 / perSecond) {
        await sleep(Math.max(0, next - Date.now()));
        const n = i++;
        const change = { name: `c${n}`, ip: `10.${20 + Math.floor(n / 65_025)}.${Math.floor(n / 255) % 255}.${(n % 255) + 1}` };
        // Timed from when the create is sent: the record may be watched before its create returns.
        const createdAt = Date.now();
        await admin.create(`${API}/arecords`, { apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'ARecord', metadata: { name: change.name, namespace: NS, labels: { zone: 'rollout' } }, spec: { name: change.name, ipv4Addresses: [change.ip] } });
        const done: Change = { ...change, createdAt };
        changes.push(done);
        pending.set(fqdn(done), done);
      }
    };
    const steadyUntil = Date.now() + steadySeconds * 1000;
    const loadBefore = loadavg()[0]!;
    await stream(() => Date.now() >= steadyUntil);
    const steadyCount = changes.length;
    const transitions = () => kubectl("kubectl -n dns-system get lease bindy-leader -o jsonpath='{.spec.leaseTransitions}'").then(Number);
    const transitionsBefore = await transitions();
    const restartAt = Date.now();
    let rolledAt: number | undefined;
    const rolled = kubectl('kubectl -n dns-system rollout restart deployment/bindy && kubectl -n dns-system rollout status deployment/bindy --timeout=600s').then(() => void (rolledAt = Date.now()));
    // The rollout window: until the rollout is done and the new leader has had 10 s.
    await stream(() => rolledAt !== undefined && Date.now() >= rolledAt + 10_000);
    await rolled;
    const loadAfter = loadavg()[0]!;
    const deadline = Date.now() + 60_000;
    while (pending.size > 0 && Date.now() < deadline) await sleep(100);
    stopPolling.abort();
    await polling;
    // A change served once and dropped later (a leader rendering the zone from a partial cache) is lost too.
    const stillServed = new Set(await answering(podIp, changes, join(dir, 'queries')));
    const withdrawn = changes.filter((c) => c.servedAt !== undefined && !stillServed.has(c)).length;
    const latencies = (list: Change[]) => list.filter((c) => c.servedAt !== undefined).map((c) => c.servedAt! - c.createdAt);
    const steady = changes.slice(0, steadyCount);
    const during = changes.slice(steadyCount);
    const result = {
      perSecond,
      changes: changes.length,
      lost: changes.filter((c) => !stillServed.has(c)).length,
      neverServed: changes.filter((c) => c.servedAt === undefined).length,
      withdrawn,
      rolloutMs: (rolledAt ?? Date.now()) - restartAt,
      leaderChanges: (await transitions()) - transitionsBefore,
      loadAverage1m: { before: loadBefore, after: loadAfter },
      p99Ms: { steady: percentile(latencies(steady), 99), rollout: percentile(latencies(during), 99) },
      p50Ms: { steady: percentile(latencies(steady), 50), rollout: percentile(latencies(during), 50) },
      maxMs: { steady: Math.max(...latencies(steady)), rollout: Math.max(...latencies(during)) },
    };
    printTable(`Record changes at ${perSecond}/s: create → served by named`, [
      { phase: 'steady', changes: steady.length, p50: result.p50Ms.steady, p99: result.p99Ms.steady, max: result.maxMs.steady },
      { phase: 'during rollout restart', changes: during.length, p50: result.p50Ms.rollout, p99: result.p99Ms.rollout, max: result.maxMs.rollout, target: `p99 ≤ ${2 * result.p99Ms.steady} ms` },
      { phase: 'lost: never served, or not served at the end', changes: result.lost, target: '0' },
    ]);
    writeResult('rollout', result);
  } finally {
    await admin.delete(`/api/v1/namespaces/${NS}`).catch(() => undefined);
    await kubectl('kubectl -n dns-system scale deployment/bindy --replicas=0').catch(() => undefined);
    await kubectl(`kubectl label node ${bed.node.name} topology.kubernetes.io/zone-`).catch(() => undefined);
    admin.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** servingPod creates the zone and its Bind9Instance and returns the pod IP once named answers. */
async function servingPod(admin: KubeClient, kubectl: (s: string) => Promise<string>): Promise<string> {
  await ensureNamespace(admin, NS);
  const base = { apiVersion: 'bindy.firestoned.io/v1beta1' };
  await admin.create(`${API}/bind9instances`, { ...base, kind: 'Bind9Instance', metadata: { name: 'dns', namespace: NS, labels: { dns: 'rollout' } }, spec: { clusterRef: 'rollout', role: 'primary', replicas: 1 } });
  await admin.create(`${API}/dnszones`, {
    ...base,
    kind: 'DNSZone',
    metadata: { name: 'rollout', namespace: NS },
    spec: { zoneName: ZONE, bind9InstancesFrom: [{ selector: { matchLabels: { dns: 'rollout' } } }], recordsFrom: [{ selector: { matchLabels: { zone: 'rollout' } } }], ttl: 60, soaRecord: { primaryNs: `ns1.${ZONE}.`, adminEmail: `hostmaster.${ZONE}.`, serial: 1, refresh: 3600, retry: 600, expire: 604800, negativeTtl: 300 } },
  });
  // Not ns1: the zone's generated name-server glue gives ns1 the pod's address as well.
  await admin.create(`${API}/arecords`, { ...base, kind: 'ARecord', metadata: { name: 'probe', namespace: NS, labels: { zone: 'rollout' } }, spec: { name: 'probe', ipv4Addresses: ['192.0.2.53'] } });
  const until = Date.now() + 300_000;
  for (;;) {
    const ip = await kubectl(`kubectl -n ${NS} get pods -l app.kubernetes.io/name=bind9 -o jsonpath='{.items[0].status.podIP}'`).catch(() => '');
    if (ip !== '') {
      const answer = await run('dig', [`@${ip}`, '+norec', '+short', '+time=1', '+tries=1', `probe.${ZONE}`, 'A'], { encoding: 'utf8' }).then((r) => r.stdout.trim(), () => '');
      if (answer === '192.0.2.53') return ip;
    }
    if (Date.now() > until) throw new Error('the rollout bench zone was not served within 300 s');
    await sleep(500);
  }
}

/** pollServed asks named for every pending change until the signal aborts, marking each as it first answers. */
async function pollServed(server: string, pending: Map<string, Change>, batchFile: string, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    if (pending.size > 0) {
      const answered = await answering(server, [...pending.values()], batchFile);
      const now = Date.now();
      for (const change of answered) {
        change.servedAt = now;
        pending.delete(fqdn(change));
      }
    }
    await sleep(50);
  }
}

const fqdn = (change: Change): string => `${change.name}.${ZONE}.`;

/** answering asks named for each change (one dig batch) and returns those it answers with their address. */
async function answering(server: string, changes: readonly Change[], batchFile: string): Promise<Change[]> {
  writeFileSync(batchFile, changes.map((c) => `${fqdn(c)} A`).join('\n') + '\n');
  const { stdout } = await run('dig', [`@${server}`, '+norec', '+noall', '+answer', '+time=1', '+tries=1', '-f', batchFile], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }).catch(() => ({ stdout: '' }));
  const byName = new Map(changes.map((c) => [fqdn(c), c]));
  return stdout.split('\n').flatMap((line) => {
    const [name, , , type, ip] = line.trim().split(/\s+/);
    const change = name ? byName.get(name) : undefined;
    return change && type === 'A' && ip === change.ip ? [change] : [];
  });
}
