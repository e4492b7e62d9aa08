/**
 * takeover: the leader dies (SIGKILL) or is cut off (its link blackholed, no FIN) → a standby
 * leads once the Lease expires. Also measured: the gap between the old leader's last reconcile
 * and the new leader's first, which must never be negative (no overlap).
 */
import type { TestbedState } from '../testbed/state.js';
import type { Member } from '../test/support/leader-cluster.js';
import { DEFAULT_LEASE, ElectionBed, reconcileGap } from './lib/election-bed.js';
import { printTable, summarize, summaryRow, writeResult, type Summary } from './lib/report.js';

type Fault = 'sigkill' | 'partition';

interface Series {
  takeover: number[];
  gaps: number[];
  selfFence: number[];
  overlaps: number;
}

async function inject(leader: Member, fault: Fault, sent: number): Promise<number | undefined> {
  if (fault === 'sigkill') {
    leader.replica.kill('SIGKILL');
    return undefined;
  }
  leader.proxy.blackhole();
  const lost = await leader.replica.waitForLog((l) => l.msg === 'Leadership lost! Stopping all operators...' && l.receivedAt >= sent, 60_000);
  return lost.receivedAt - sent;
}

async function runFault(election: ElectionBed, fault: Fault, runs: number): Promise<Series> {
  const series: Series = { takeover: [], gaps: [], selfFence: [], overlaps: 0 };
  for (let run = 0; run < runs; run++) {
    const leader = await election.steady();
    const sent = Date.now();
    const successor = election.successor(leader, sent);
    const fenced = await inject(leader, fault, sent);
    const { member, at } = await successor;
    series.takeover.push(at - sent);
    if (fenced !== undefined) series.selfFence.push(fenced);
    if (fault === 'sigkill') await election.addReplica();
    else leader.proxy.heal();
    await election.steady();
    const gap = reconcileGap(await election.probeEntries(), leader.name, member.name, sent);
    if (gap.gapMs !== undefined) series.gaps.push(gap.gapMs);
    if (gap.oldWroteAfter || (gap.gapMs ?? 0) < 0) series.overlaps++;
    process.stderr.write(`${fault} run ${run + 1}/${runs}: takeover ${at - sent} ms\n`);
  }
  return series;
}

export async function benchTakeover(bed: TestbedState, runs: number): Promise<void> {
  const election = new ElectionBed(bed);
  const results: Record<Fault, Series> = {} as Record<Fault, Series>;
  try {
    await election.start();
    results.sigkill = await runFault(election, 'sigkill', runs);
    results.partition = await runFault(election, 'partition', runs);
  } finally {
    await election.stop();
  }
  const bound = (DEFAULT_LEASE.duration + DEFAULT_LEASE.retryPeriod + 1) * 1000;
  const rows = [
    summaryRow('SIGKILL → successor leads', summarize(results.sigkill.takeover), `p95 ≤ ${bound} ms`),
    summaryRow('SIGKILL: old last reconcile → new first', summarize(results.sigkill.gaps), '> 0'),
    summaryRow('partition → successor leads', summarize(results.partition.takeover), `p95 ≤ ${bound} ms`),
    summaryRow('partition → isolated leader self-fences', summarize(results.partition.selfFence), `< ${DEFAULT_LEASE.duration * 1000} ms`),
    summaryRow('partition: old last reconcile → new first', summarize(results.partition.gaps), '> 0'),
  ];
  printTable(`Takeover (lease ${DEFAULT_LEASE.duration}/${DEFAULT_LEASE.renewDeadline}/${DEFAULT_LEASE.retryPeriod} s, ${runs} runs each)`, rows);
  const overlaps = results.sigkill.overlaps + results.partition.overlaps;
  console.log(`runs where the old leader reconciled after the new one began (split brain): ${overlaps}`);
  const asJson = (s: Series): Record<string, Summary | number | number[]> => ({
    takeoverMs: summarize(s.takeover),
    reconcileGapMs: summarize(s.gaps),
    selfFenceMs: summarize(s.selfFence),
    overlaps: s.overlaps,
    samplesMs: s.takeover,
  });
  writeResult('takeover', { lease: DEFAULT_LEASE, runs, sigkill: asJson(results.sigkill), partition: asJson(results.partition), targetMs: bound });
}
