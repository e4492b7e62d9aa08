/**
 * MemoryTrace samples every running replica's RSS and V8 heap (used and committed, old and
 * large-object spaces apart) at an interval while a benchmark runs: where a replica's memory goes
 * during an import, not only what is left at its end.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Member } from '../../test/support/leader-cluster.js';
import type { ElectionBed } from './election-bed.js';
import { MiB, sampleProc } from './proc-stats.js';

export interface MemorySample {
  /** Seconds since the trace began. */
  readonly s: number;
  readonly replica: string;
  readonly rssMiB: number;
  /** used/committed MiB: the whole heap, its old space, its large-object space. */
  readonly heap?: readonly [number, number];
  readonly old?: readonly [number, number];
  readonly large?: readonly [number, number];
}

const mib = (bytes: number | undefined) => Math.round(((bytes ?? 0) / MiB) * 10) / 10;

export class MemoryTrace {
  readonly samples: MemorySample[] = [];
  private readonly began = Date.now();

  constructor(
    private readonly election: ElectionBed,
    private readonly intervalMs: number,
  ) {}

  /** run samples until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await Promise.all(this.election.running().map((m) => this.sample(m)));
      await sleep(this.intervalMs, undefined, { signal }).catch(() => undefined);
    }
  }

  /** byReplica is the trace as results keep it: one line per sample, per replica. */
  byReplica(): Record<string, string[]> {
    return traceLines(this.samples);
  }

  /** peakRssMiB is the largest RSS sampled of `replica`. */
  peakRssMiB(replica: string): number {
    return Math.max(0, ...this.samples.filter((x) => x.replica === replica).map((x) => x.rssMiB));
  }

  private async sample({ name: replica, replica: child }: Member): Promise<void> {
    const s = Math.round((Date.now() - this.began) / 1000);
    let rssMiB: number;
    try {
      rssMiB = mib(sampleProc(child.proc.pid!).rssBytes);
    } catch {
      return; // the replica exited between listing and sampling
    }
    // A replica too busy to answer /metrics in time still has its RSS sampled.
    const m = await child.metrics().catch(() => undefined);
    const space = (name: string): readonly [number, number] | undefined =>
      m && [mib(m.get(`nodejs_heap_space_size_used_bytes{space="${name}"}`)), mib(m.get(`nodejs_heap_space_size_total_bytes{space="${name}"}`))];
    this.samples.push({
      s,
      replica,
      rssMiB,
      ...(m ? { heap: [mib(m.get('nodejs_heap_size_used_bytes')), mib(m.get('nodejs_heap_size_total_bytes'))] as const, old: space('old'), large: space('large_object') } : {}),
    });
  }
}

/** traceLines renders samples as `<s>s RSS <MiB>, heap <used>/<committed>, old …, large …`, grouped by replica. */
export function traceLines(samples: readonly MemorySample[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const x of samples) {
    const pair = (name: string, p: readonly [number, number] | undefined) => (p ? `, ${name} ${p[0]}/${p[1]}` : '');
    (out[x.replica] ??= []).push(`${x.s}s RSS ${x.rssMiB}${pair('heap', x.heap)}${pair('old', x.old)}${pair('large', x.large)}`);
  }
  return out;
}
