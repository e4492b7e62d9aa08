/**
 * footprint: apiserver requests per second and RSS/CPU of the leader and of each standby while
 * idle, with the DNS controllers on (informers watching every kind) and SPEC's default lease timing.
 */
import type { TestbedState } from '../testbed/state.js';
import type { Member } from '../test/support/leader-cluster.js';
import { ElectionBed } from './lib/election-bed.js';
import { MiB, cpuPercent, sampleProc, type ProcSample } from './lib/proc-stats.js';
import { printTable, writeResult, type Row } from './lib/report.js';
import { installCrds } from '../test/integration/dns-support.js';

const WARM_UP_MS = 15_000;

/** METRICS_ATTEMPTS: a replica busy with 110,000 objects on shared cores answered /metrics after its 5 s timeout. */
const METRICS_ATTEMPTS = 5;

async function metricsOf(m: Member): Promise<Map<string, number>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await m.replica.metrics();
    } catch (err) {
      if (attempt >= METRICS_ATTEMPTS) throw err;
    }
  }
}

/** requestCounts reads bindy_kube_api_requests_total by `client,verb`. */
async function requestCounts(m: Member): Promise<Map<string, number>> {
  return requestCountsIn(await metricsOf(m));
}

function requestCountsIn(metrics: Map<string, number>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const [key, value] of metrics) {
    const labels = /^bindy_kube_api_requests_total\{client="([^"]+)",verb="([^"]+)"\}$/.exec(key);
    if (labels) counts.set(`${labels[1]} ${labels[2]}`, value);
  }
  return counts;
}

function perSecond(before: Map<string, number>, after: Map<string, number>, seconds: number): Record<string, number> {
  return Object.fromEntries([...after].map(([k, v]) => [k, (v - (before.get(k) ?? 0)) / seconds]).filter(([, rate]) => rate !== 0));
}

export interface FootprintRow {
  readonly replica: string;
  readonly role: 'leader' | 'standby';
  readonly requestsPerSecond: number;
  readonly byClientVerb: Record<string, number>;
  readonly rssMiB: number;
  /** What of the RSS is V8's heap (used by live and dead objects, and reserved) and memory outside it (Buffers): where a high RSS comes from. */
  readonly heapMiB: { readonly used: number; readonly total: number; readonly external: number };
  readonly cpuPercent: number;
}

/** measureFootprint samples every running member over `seconds`. */
export async function measureFootprint(election: ElectionBed, seconds: number): Promise<FootprintRow[]> {
  const leader = await election.steady();
  // A new leader lists every kind once; idle means after that.
  await new Promise((r) => setTimeout(r, WARM_UP_MS));
  const members = election.running();
  const before = await Promise.all(members.map(async (m) => ({ m, requests: await requestCounts(m), proc: sampleProc(m.replica.proc.pid!) })));
  await new Promise((r) => setTimeout(r, seconds * 1000));
  return Promise.all(
    before.map(async ({ m, requests, proc }: { m: Member; requests: Map<string, number>; proc: ProcSample }) => {
      const now = sampleProc(m.replica.proc.pid!);
      const metrics = await metricsOf(m);
      const byClientVerb = perSecond(requests, requestCountsIn(metrics), seconds);
      const mib = (name: string) => Math.round(((metrics.get(name) ?? 0) / MiB) * 10) / 10;
      return {
        replica: m.name,
        role: m === leader ? 'leader' : 'standby',
        requestsPerSecond: Object.values(byClientVerb).reduce((a, b) => a + b, 0),
        byClientVerb,
        rssMiB: now.rssBytes / MiB,
        heapMiB: { used: mib('nodejs_heap_size_used_bytes'), total: mib('nodejs_heap_size_total_bytes'), external: mib('nodejs_external_memory_bytes') },
        cpuPercent: cpuPercent(proc, now),
      } as const;
    }),
  );
}

/** maxRss is the largest RSS (MiB) among the members of one role. */
export function maxRss(rows: readonly FootprintRow[], role: FootprintRow['role']): number {
  return Math.max(...rows.filter((r) => r.role === role).map((r) => r.rssMiB));
}

export function footprintRows(rows: readonly FootprintRow[]): Row[] {
  return rows.map((r) => ({
    replica: r.replica,
    role: r.role,
    'requests/s': Number(r.requestsPerSecond.toFixed(3)),
    'RSS MiB': Number(r.rssMiB.toFixed(1)),
    'heap used/total, external MiB': `${r.heapMiB.used}/${r.heapMiB.total}, ${r.heapMiB.external}`,
    'CPU %': Number(r.cpuPercent.toFixed(2)),
    'by client/verb': Object.entries(r.byClientVerb).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', '),
    target: r.role === 'leader' ? '≤ 0.6 req/s' : '≤ 0.1 req/s, RSS < 80 MiB',
  }));
}

export async function benchFootprint(bed: TestbedState, seconds: number): Promise<void> {
  const election = new ElectionBed(bed, { BINDY_DNS_CONTROLLERS: 'true', BINDY_LEADERSHIP_PROBE: '' });
  let rows: FootprintRow[];
  try {
    await installCrds(election.admin);
    await election.start();
    rows = await measureFootprint(election, seconds);
  } finally {
    await election.stop();
  }
  printTable(`Idle footprint over ${seconds} s (3 replicas, DNS controllers on, no DNS objects)`, footprintRows(rows));
  writeResult('footprint-idle', { seconds, replicas: rows });
}
