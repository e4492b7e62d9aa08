/**
 * scale: ten times the convergence load — 10,000 zones × 10 records (110,000 objects) — created
 * at once, until named serves every zone and every record is Ready; then the RSS of the leader
 * and of the standbys holding it in their caches, and the RSS each cached object costs (a
 * standby's growth over its idle RSS, divided by the objects). BENCH_SCALE_ZONES sets the zones;
 * the replicas run with the prod profile's V8 flags, or BENCH_OPERATOR_NODE_OPTIONS (recorded in the result).
 */
import type { TestbedState } from '../testbed/state.js';
import { ServedWatch } from './lib/dns-load.js';
import { footprintRows, maxRss, measureFootprint, type FootprintRow } from './footprint.js';
import { withLoadedBed } from './lib/loaded-bed.js';
import type { MemoryTrace } from './lib/memory-trace.js';
import { operatorNodeOptionsForBench } from './lib/election-bed.js';
import { printTable, writeResult } from './lib/report.js';

/**
 * SETTLE_MS passes between every record Ready and the footprint of holding the load: V8's memory
 * reducer gives back what an import left committed once allocation has been low for a while
 * (a 3,000-zone leader's RSS fell from 194 to 147 MiB 40–60 s after the import's end, memoryTrace).
 */
const SETTLE_MS = 60_000;

/** reached prints a phase as soon as it is reached, with the figures so far. */
function reached(phase: string, result: Record<string, unknown>): void {
  process.stderr.write(`scale: ${phase} at ${new Date().toISOString()} ${JSON.stringify(result)}\n`);
}

export async function benchScale(bed: TestbedState, zones: number, records: number): Promise<void> {
  const objects = zones * (records + 1) + 1;
  const result: Record<string, unknown> = { zones, records, objects, operatorNodeOptions: operatorNodeOptionsForBench() };
  let trace: MemoryTrace | undefined;
  try {
    await withLoadedBed(bed, 'scale', { zones, records }, 10, async ({ election, node, load, dir, idle, readyWatch, memory, firstCreated, lastCreated }) => {
      trace = memory;
      result.createMs = lastCreated - firstCreated;
      reached('all created', result);
      await new ServedWatch(node, load, dir).untilAll(3_600_000);
      result.convergeMs = Date.now() - firstCreated;
      result.lastCreateToServedMs = Date.now() - lastCreated;
      reached('all served', result);
      const allReady = await Promise.race([readyWatch.all, new Promise<number>((_, reject) => setTimeout(() => reject(new Error(`only ${readyWatch.count} records Ready after 1 h`)), 3_600_000).unref())]);
      result.recordsReadyMs = allReady - firstCreated;
      reached('all Ready', result);
      await new Promise((r) => setTimeout(r, SETTLE_MS));
      const loaded = await measureFootprint(election, 30);
      const rssMiB = { leader: maxRss(loaded, 'leader'), standby: maxRss(loaded, 'standby'), idleStandby: maxRss(idle, 'standby') };
      result.rssMiB = rssMiB;
      const peakOf = (role: FootprintRow['role']) => Math.max(...loaded.filter((r) => r.role === role).map((r) => memory.peakRssMiB(r.replica)));
      const peakRssMiB = { leader: peakOf('leader'), standby: peakOf('standby') };
      result.peakRssMiB = peakRssMiB;
      result.rssKiBPerObject = Math.round((((rssMiB.standby - rssMiB.idleStandby) * 1024) / objects) * 100) / 100;
      result.footprint = loaded;
      printTable(`Scale: ${zones} zones × ${records} records (${objects} objects)`, [
        { phase: 'create objects', ms: result.createMs as number },
        { phase: 'first created → all served by named', ms: result.convergeMs as number },
        { phase: 'first created → every record Ready', ms: result.recordsReadyMs as number },
      ]);
      printTable('Footprint holding that load (30 s)', footprintRows(loaded));
      printTable('RSS', [
        { when: 'holding the load', leader: rssMiB.leader.toFixed(1), standby: rssMiB.standby.toFixed(1), 'idle standby': rssMiB.idleStandby.toFixed(1), 'KiB per cached object': result.rssKiBPerObject as number, target: '≤ 256 MiB each' },
        { when: 'peak, sampled every 10 s from the first create', leader: peakRssMiB.leader.toFixed(1), standby: peakRssMiB.standby.toFixed(1) },
      ]);
    });
  } finally {
    // A failure late in an hour-long run still leaves the phases it reached.
    if (trace) result.memoryTrace = trace.byReplica();
    writeResult('scale', result);
  }
}
