import type { KubeClient } from '../kube/api-client.js';
import { isConflict, isNotFound } from '../kube/api-error.js';
import { sleep, systemClock, type Clock } from '../leader/clock.js';
import { NotLeaderError, type Leadership } from '../leader/leadership.js';
import type { Logger } from '../observability/log.js';
import type { OperatorMetrics } from '../observability/metrics.js';
import type { ObjectRef } from '../config.js';
import type { Runnable } from './runnable.js';

/** ProbeEntry is one leader write recorded by the probe. */
export interface ProbeEntry {
  readonly identity: string;
  /** term is the fencing token's leaseTransitions. */
  readonly term: number;
  /** seq counts this process's writes (monotonic per process). */
  readonly seq: number;
  /** wall is the writer's wall time (ISO), for humans only. */
  readonly wall: string;
}

const MAX_ENTRIES = 400;

/**
 * LeadershipProbe is a drill/diagnostic feature (BINDY_LEADERSHIP_PROBE=<namespace>/<configmap>):
 * while leading it appends {identity, term, seq, wall} to the ConfigMap's `entries` (JSON lines,
 * newest last, bounded) every retry period, fenced and resourceVersion-guarded like a real write.
 * Since writes are serialised by the apiserver, a split brain shows up as a term going backwards
 * or two identities in one term. Never enable it in production: it writes every few seconds.
 */
export class LeadershipProbe {
  private seq = 0;

  constructor(
    private readonly options: {
      readonly client: KubeClient;
      readonly target: ObjectRef;
      readonly periodMs: number;
      readonly log: Logger;
      readonly metrics: OperatorMetrics;
      readonly clock?: Clock;
    },
  ) {}

  /** forTerm is the leader-gated runnable for one leadership term. */
  forTerm(leadership: Leadership): Runnable {
    return { start: (signal) => this.loop(leadership, signal), ready: () => true };
  }

  private async loop(leadership: Leadership, signal: AbortSignal): Promise<void> {
    const clock = this.options.clock ?? systemClock;
    while (!signal.aborted) {
      try {
        await this.writeOnce(leadership);
      } catch (err) {
        if (err instanceof NotLeaderError) {
          this.options.metrics.fencedWritesTotal.inc({ component: 'operator' });
          return;
        }
        // 409: another write won; the next period re-reads (never a blind retry over it).
        if (!isConflict(err)) this.options.log.warn({ err: (err as Error).message, configmap: this.path() }, 'Leadership probe write failed');
      }
      await sleep(clock, this.options.periodMs, signal);
    }
  }

  /** writeOnce: read → fence → append → CAS write. */
  private async writeOnce(leadership: Leadership): Promise<void> {
    const { client, target } = this.options;
    // 1. Read the current entries (and the resourceVersion that guards our write).
    let current: { metadata: { resourceVersion?: string }; data?: Record<string, string> } | undefined;
    try {
      current = await client.get(this.path());
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    // 2. Fence right before the write: a deposed or stale leader stops here.
    const token = leadership.fence();
    // 3. Append our entry, keeping the log bounded.
    const entry: ProbeEntry = { identity: token.holder, term: token.transitions, seq: ++this.seq, wall: new Date().toISOString() };
    const lines = (current?.data?.entries ?? '').split('\n').filter((l) => l.length > 0);
    lines.push(JSON.stringify(entry));
    const data = { entries: lines.slice(-MAX_ENTRIES).join('\n') + '\n' };
    // 4. Compare-and-swap (or create when absent).
    const metadata = { name: target.name, namespace: target.namespace };
    if (current) await client.replace(this.path(), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { ...metadata, resourceVersion: current.metadata.resourceVersion }, data });
    else await client.create(`/api/v1/namespaces/${target.namespace}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata, data });
  }

  private path(): string {
    return `/api/v1/namespaces/${this.options.target.namespace}/configmaps/${this.options.target.name}`;
  }
}

/** parseProbeEntries reads the entries written by LeadershipProbe (for tests and drills). */
export function parseProbeEntries(data: Record<string, string> | undefined): ProbeEntry[] {
  return (data?.entries ?? '')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as ProbeEntry);
}

/** splitBrainViolations lists entries written by an older or conflicting term after a newer one. */
export function splitBrainViolations(entries: readonly ProbeEntry[]): string[] {
  const violations: string[] = [];
  let top: ProbeEntry | undefined;
  for (const e of entries) {
    if (top && (e.term < top.term || (e.term === top.term && e.identity !== top.identity))) {
      violations.push(`${e.identity} wrote term ${e.term} (seq ${e.seq}) after ${top.identity} wrote term ${top.term}`);
    }
    if (!top || e.term > top.term) top = e;
  }
  return violations;
}
