/**
 * withLoadedBed runs the part the convergence and scale benchmarks share: three replicas with the
 * DNS controllers, one stand-in node for the pods, the standbys' idle footprint, and `zones` ×
 * `records` objects created at once and timed; then it hands the bed to the benchmark's own
 * measurements and tears everything down, whatever they throw.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { TestbedState } from '../../testbed/state.js';
import { TestNode } from '../../testbed/node/node.js';
import { installCrds } from '../../test/integration/dns-support.js';
import { measureFootprint, type FootprintRow } from '../footprint.js';
import { createLoad, ReadyWatch, type Load } from './dns-load.js';
import { ElectionBed } from './election-bed.js';
import { MemoryTrace } from './memory-trace.js';

export interface LoadedBed {
  readonly election: ElectionBed;
  readonly node: TestNode;
  readonly load: Load;
  /** The node's pod files. */
  readonly dir: string;
  readonly idle: FootprintRow[];
  readonly readyWatch: ReadyWatch;
  /** Every replica's memory, sampled every 10 s from before the first object is created. */
  readonly memory: MemoryTrace;
  /** When the first object was created and when the last one was. */
  readonly firstCreated: number;
  readonly lastCreated: number;
}

export async function withLoadedBed(bed: TestbedState, name: string, load: Omit<Load, 'ns'>, idleSeconds: number, measure: (run: LoadedBed) => Promise<void>): Promise<void> {
  const election = new ElectionBed(bed, { BINDY_DNS_CONTROLLERS: 'true', BINDY_LEADERSHIP_PROBE: '' });
  const dir = mkdtempSync(join(tmpdir(), `bench-${name}-`));
  const stop = new AbortController();
  const running: Array<Promise<void>> = [];
  try {
    await installCrds(election.admin);
    await election.start();
    const idle = await measureFootprint(election, idleSeconds);
    const node = new TestNode({ client: election.admin, log: pino({ level: 'silent' }), workDir: dir, firstOctet: 150, lease: { namespace: election.namespace, name: 'bindy-leader' } });
    running.push(node.start(stop.signal));
    const full: Load = { ns: election.namespace, ...load };
    const readyWatch = new ReadyWatch(election.admin, full);
    running.push(readyWatch.start(stop.signal));
    const memory = new MemoryTrace(election, 10_000);
    running.push(memory.run(stop.signal));
    const firstCreated = Date.now();
    await createLoad(election.admin, full);
    await measure({ election, node, load: full, dir, idle, readyWatch, memory, firstCreated, lastCreated: Date.now() });
  } finally {
    stop.abort();
    await Promise.all(running);
    await election.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
