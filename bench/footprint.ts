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

/** requestCount sums bindy_kube_api_requests_total over clients and verbs. */
async function requestCount(m: Member): Promise<number> {
  let total = 0;
  for (const [key, value] of await m.replica.metrics()) if (key.startsWith('bindy_kube_api_requests_total{')) total += value;
  return total;
}

export interface FootprintRow {
  readonly replica: string;
  readonly role: 'leader' | 'standby';
  readonly requestsPerSecond: number;
  readonly rssMiB: number;
  readonly cpuPercent: number;
}

/** measureFootprint samples every running member over `seconds`. */
export async function measureFootprint(election: ElectionBed, seconds: number): Promise<FootprintRow[]> {
  const leader = await election.steady();
  const members = election.running();
  const before = await Promise.all(members.map(async (m) => ({ m, requests: await requestCount(m), proc: sampleProc(m.replica.proc.pid!) })));
  await new Promise((r) => setTimeout(r, seconds * 1000));
  return Promise.all(
    before.map(async ({ m, requests, proc }: { m: Member; requests: number; proc: ProcSample }) => {
      const now = sampleProc(m.replica.proc.pid!);
      return {
        replica: m.name,
        role: m === leader ? 'leader' : 'standby',
        requestsPerSecond: ((await requestCount(m)) - requests) / seconds,
        rssMiB: now.rssBytes / MiB,
        cpuPercent: cpuPercent(proc, now),
      } as const;
    }),
  );
}

export function footprintRows(rows: readonly FootprintRow[]): Row[] {
  return rows.map((r) => ({
    replica: r.replica,
    role: r.role,
    'requests/s': Number(r.requestsPerSecond.toFixed(3)),
    'RSS MiB': Number(r.rssMiB.toFixed(1)),
    'CPU %': Number(r.cpuPercent.toFixed(2)),
    target: r.role === 'leader' ? '≤ 0.6 req/s' : '≤ 0.1 req/s, RSS < 80 MiB',
  }));
}

export async function benchFootprint(bed: TestbedState, seconds: number): Promise<void> {
  const election = new ElectionBed(bed, { BINDY_DNS_CONTROLLERS: 'true' });
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
