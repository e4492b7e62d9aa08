/**
 * convergence: 1,000 zones × 10 records created at once → all served by named (checked with dig
 * on every zone); then the leader gets SIGTERM and the new leader, starting from warm caches,
 * verifies every zone against the pod. Also the footprint of leader and standbys while holding
 * that state.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { KubeClient } from '../src/kube/api-client.js';
import type { TestbedState } from '../testbed/state.js';
import { TestNode } from '../testbed/node/node.js';
import { installCrds } from '../test/integration/dns-support.js';
import type { Member } from '../test/support/leader-cluster.js';
import { ElectionBed } from './lib/election-bed.js';
import { footprintRows, measureFootprint } from './footprint.js';
import { printTable, writeResult } from './lib/report.js';

const GROUP = '/apis/bindy.firestoned.io/v1beta1';
const CONCURRENCY = 16;

interface Load {
  readonly ns: string;
  readonly zones: number;
  readonly records: number;
}

const zoneName = (i: number): string => `z${i}.bench.test`;

/** inParallel runs fn over 0..n-1 with a bounded number in flight. */
async function inParallel(n: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < n) await fn(next++);
  }));
}

async function createLoad(admin: KubeClient, load: Load): Promise<void> {
  const api = `${GROUP}/namespaces/${load.ns}`;
  const meta = (name: string, labels: Record<string, string> = {}) => ({ name, namespace: load.ns, labels });
  await admin.create(`${api}/bind9instances`, { apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'Bind9Instance', metadata: meta('bench', { dns: 'bench' }), spec: { clusterRef: 'bench', role: 'primary', replicas: 1 } });
  await inParallel(load.zones, async (z) => {
    await admin.create(`${api}/dnszones`, {
      apiVersion: 'bindy.firestoned.io/v1beta1',
      kind: 'DNSZone',
      metadata: meta(`z${z}`),
      spec: { zoneName: zoneName(z), clusterRef: 'bench', recordsFrom: [{ selector: { matchLabels: { zone: `z${z}` } } }], ttl: 300, soaRecord: { primaryNs: 'ns1.bench-dns.example.', adminEmail: 'hostmaster.bench.test.', serial: 1, refresh: 3600, retry: 600, expire: 604800, negativeTtl: 300 } },
    });
  });
  await inParallel(load.zones * load.records, async (i) => {
    const z = Math.floor(i / load.records);
    const r = i % load.records;
    await admin.create(`${api}/arecords`, { apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'ARecord', metadata: meta(`z${z}-r${r}`, { zone: `z${z}` }), spec: { name: `host${r}`, ipv4Addresses: [`198.51.100.${r + 1}`] } });
  });
}

/** servedZones asks named (one dig batch) for the last record of every zone; returns how many answer. */
function servedZones(pod: string, load: Load, dir: string): number {
  const batch = join(dir, 'queries');
  const last = load.records - 1;
  writeFileSync(batch, Array.from({ length: load.zones }, (_, z) => `host${last}.${zoneName(z)} A`).join('\n') + '\n');
  const out = execFileSync('dig', [`@${pod}`, '+norec', '+short', '+time=2', '+tries=1', '-f', batch], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  return out.split('\n').filter((l) => l.trim() === `198.51.100.${last + 1}`).length;
}

async function untilServed(node: TestNode, load: Load, dir: string, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    const pod = node.runtimes()[0]?.address;
    const served = pod ? servedZones(pod, load, dir) : 0;
    if (served === load.zones) return Date.now() - t0;
    if (Date.now() - t0 > timeoutMs) throw new Error(`only ${served}/${load.zones} zones served after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** untilRecordsReady waits until every record of the load has status Ready=True (one LIST per second). */
async function untilRecordsReady(admin: KubeClient, load: Load, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const list = await admin.get<{ items: Array<{ status?: { conditions?: Array<{ type: string; status: string }> } }> }>(`${GROUP}/namespaces/${load.ns}/arecords`);
    const ready = list.items.filter((r) => r.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
    if (ready === load.zones * load.records) return;
    if (Date.now() > until) throw new Error(`only ${ready}/${load.zones * load.records} records Ready after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** zoneReconciles is the new leader's count of successful DNSZone reconciles. */
async function zoneReconciles(m: Member): Promise<number> {
  return (await m.replica.metrics()).get('bindy_reconcile_total{kind="DNSZone",result="success"}') ?? 0;
}

export async function benchConvergence(bed: TestbedState, zones: number, records: number): Promise<void> {
  const election = new ElectionBed(bed, { BINDY_DNS_CONTROLLERS: 'true', BINDY_LEADERSHIP_PROBE: '' });
  const dir = mkdtempSync(join(tmpdir(), 'bench-convergence-'));
  const stop = new AbortController();
  const result: Record<string, unknown> = { zones, records };
  let running: Promise<void> | undefined;
  try {
    await installCrds(election.admin);
    await election.start();
    const node = new TestNode({ client: election.admin, log: pino({ level: 'silent' }), workDir: dir, firstOctet: 150, lease: { namespace: election.namespace, name: 'bindy-leader' } });
    running = node.start(stop.signal);
    const load: Load = { ns: election.namespace, zones, records };
    const t0 = Date.now();
    await createLoad(election.admin, load);
    result.createMs = Date.now() - t0;
    result.convergeMs = (await untilServed(node, load, dir, 600_000)) + (result.createMs as number);
    await untilRecordsReady(election.admin, load, 600_000);
    result.recordsReadyMs = Date.now() - t0;
    printTable(`Convergence of ${zones} zones × ${records} records`, [
      { phase: 'create objects', ms: result.createMs as number },
      { phase: 'create → all served by named', ms: result.convergeMs as number, target: '< 60000 ms' },
      { phase: 'create → every record reports Ready', ms: result.recordsReadyMs as number },
    ]);
    const loaded = await measureFootprint(election, 30);
    printTable(`Footprint holding ${zones} zones × ${records} records (30 s)`, footprintRows(loaded));
    result.footprint = loaded;
    result.failover = await failoverVerify(election, zones);
  } finally {
    stop.abort();
    await running;
    await election.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  writeResult('convergence', result);
}

async function failoverVerify(election: ElectionBed, zones: number): Promise<Record<string, number>> {
  const leader = await election.steady();
  // Counted before the signal: a new leader's first pass over warm caches takes well under a second.
  const before = new Map(await Promise.all(election.running().map(async (m) => [m.name, await zoneReconciles(m)] as const)));
  const sent = Date.now();
  const successor = election.successor(leader, sent);
  leader.replica.kill('SIGTERM');
  const { member, at } = await successor;
  const base = before.get(member.name) ?? 0;
  for (;;) {
    if ((await zoneReconciles(member)) - base >= zones) break;
    if (Date.now() - sent > 600_000) throw new Error('new leader did not verify every zone in 10 min');
    await new Promise((r) => setTimeout(r, 250));
  }
  const verified = Date.now() - sent;
  printTable('Failover with the load in place (SIGTERM)', [{ phase: 'SIGTERM → new leader reconciling', ms: at - sent }, { phase: `SIGTERM → new leader verified all ${zones} zones`, ms: verified }]);
  return { handoverMs: at - sent, verifiedAllMs: verified };
}
