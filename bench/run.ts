/**
 * `npm run bench [name...]` starts one test bed and runs the named benchmarks (all by default),
 * each printing a table and writing bench/results/<name>.json.
 * The replicas run the compiled operator (`npm run build` first), as the image does.
 * BENCH_RUNS sets the runs of the failover benchmarks (default 20).
 */
import { execFileSync } from 'node:child_process';
import { startSession } from '../testbed/session.js';
import { benchCacheMemory } from './cache-memory.js';
import { benchConvergence } from './convergence.js';
import { reportFencing } from './fencing.js';
import { benchFootprint } from './footprint.js';
import { benchHandover } from './handover.js';
import { benchRollout } from './rollout.js';
import { benchScale } from './scale.js';
import { benchSynth } from './synth.js';
import { benchTakeover } from './takeover.js';

const runs = Number(process.env.BENCH_RUNS ?? 20);
const idleSeconds = Number(process.env.BENCH_IDLE_SECONDS ?? 60);

const benchmarks: Record<string, (bed: Awaited<ReturnType<typeof startSession>>['state']) => Promise<void> | void> = {
  synth: () => benchSynth(5),
  handover: (bed) => benchHandover(bed, runs),
  takeover: (bed) => benchTakeover(bed, runs),
  footprint: (bed) => benchFootprint(bed, idleSeconds),
  fencing: () => reportFencing(50),
  convergence: (bed) => benchConvergence(bed, Number(process.env.BENCH_ZONES ?? 1000), 10),
  'cache-memory': () => benchCacheMemory(Number(process.env.BENCH_CACHE_ZONES ?? 2000), 10),
  // Not in the default set: it holds the machine for a long time.
  scale: (bed) => benchScale(bed, Number(process.env.BENCH_SCALE_ZONES ?? 10_000), 10),
  // Needs the real node (BINDY_TESTBED_NODE=1).
  rollout: (bed) => benchRollout(bed, 20, Number(process.env.BENCH_STEADY_SECONDS ?? 30)),
};

/** These run in this process alone: no test bed, no replicas. */
const WITHOUT_BED = new Set(['synth', 'fencing', 'cache-memory']);

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((w) => !(w in benchmarks));
  if (unknown.length > 0) throw new Error(`unknown benchmark(s) ${unknown.join(', ')}; known: ${Object.keys(benchmarks).join(', ')}`);
  const names = wanted.length > 0 ? wanted : Object.keys(benchmarks).filter((b) => b !== 'scale' && b !== 'rollout');
  if (names.every((n) => WITHOUT_BED.has(n))) {
    for (const name of names) await benchmarks[name]!(undefined as never);
    return;
  }
  execFileSync('npm', ['run', '-s', 'build'], { stdio: 'inherit' });
  const session = await startSession({ log: (l) => process.stderr.write(`${l}\n`) });
  try {
    for (const name of names) {
      process.stderr.write(`\n== ${name}\n`);
      await benchmarks[name]!(session.state);
    }
  } finally {
    await session.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    console.error(err.stack ?? err.message);
    process.exit(1);
  },
);
