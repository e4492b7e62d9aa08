/**
 * handover: SIGTERM of the leader → a standby leads and starts reconciling. The leader releases the
 * Lease on the way out and the standbys watch it, so no one waits for expiry.
 */
import type { TestbedState } from '../testbed/state.js';
import { DEFAULT_LEASE, ElectionBed, reconcileGap } from './lib/election-bed.js';
import { printTable, summarize, summaryRow, writeResult } from './lib/report.js';

export async function benchHandover(bed: TestbedState, runs: number): Promise<void> {
  const election = new ElectionBed(bed);
  const handover: number[] = [];
  const exits: number[] = [];
  const gaps: number[] = [];
  let splitBrain = 0;
  let badExit = 0;
  try {
    await election.start();
    for (let run = 0; run < runs; run++) {
      const leader = await election.steady();
      const sent = Date.now();
      const successor = election.successor(leader, sent);
      leader.replica.kill('SIGTERM');
      const { member, at } = await successor;
      handover.push(at - sent);
      const exit = await leader.replica.exited;
      exits.push(Date.now() - sent);
      if (exit.code !== 0) badExit++;
      await election.addReplica();
      await election.steady();
      const gap = reconcileGap(await election.probeEntries(), leader.name, member.name, sent);
      if (gap.gapMs !== undefined) gaps.push(gap.gapMs);
      if (gap.oldWroteAfter) splitBrain++;
      process.stderr.write(`handover run ${run + 1}/${runs}: ${at - sent} ms\n`);
    }
  } finally {
    await election.stop();
  }
  const s = summarize(handover);
  printTable(`SIGTERM handover (lease ${DEFAULT_LEASE.duration}/${DEFAULT_LEASE.renewDeadline}/${DEFAULT_LEASE.retryPeriod} s, ${runs} runs)`, [
    summaryRow('SIGTERM → successor "Starting all operators"', s, 'p95 < 1000 ms'),
    summaryRow('SIGTERM → old process exited', summarize(exits)),
    summaryRow('old last probe write → new first', summarize(gaps)),
  ]);
  console.log(`old process exit code != 0: ${badExit}; old leader wrote after successor began: ${splitBrain}`);
  writeResult('handover', { lease: DEFAULT_LEASE, runs, handoverMs: s, exitMs: summarize(exits), reconcileGapMs: summarize(gaps), nonZeroExits: badExit, splitBrainRuns: splitBrain, samplesMs: handover });
}
