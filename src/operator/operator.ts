import { setMaxListeners } from 'node:events';
import type { Config } from '../config.js';
import { LeaderElector } from '../leader/elector.js';
import type { Clock } from '../leader/clock.js';
import type { FencingToken, Leadership } from '../leader/leadership.js';
import type { LeaseLock } from '../leader/lock.js';
import type { HealthChecks } from '../observability/health.js';
import type { Logger } from '../observability/log.js';
import type { OperatorMetrics } from '../observability/metrics.js';
import type { ControllerSet, Runnable } from './runnable.js';

export interface OperatorOptions {
  readonly config: Config;
  readonly log: Logger;
  readonly metrics: OperatorMetrics;
  /** lock is the Lease lock on its own dedicated client. */
  readonly lock: LeaseLock;
  /** controllers are the controller sets to run (informers everywhere, reconcilers when leading). */
  readonly controllers: readonly ControllerSet[];
  readonly clock?: Clock;
}

/**
 * Operator is the process's long-running part, in controller-runtime's order: always-on work
 * (informers, Lease watch) → leader-gated controllers; stopped in reverse, the Lease released
 * only after the gated work returned.
 */
export class Operator implements HealthChecks {
  private readonly elector: LeaderElector | undefined;
  private leading = false;

  constructor(private readonly options: OperatorOptions) {
    const { config } = options;
    this.elector = config.leaderElection
      ? new LeaderElector({
          lock: options.lock,
          identity: config.identity,
          leaseDurationMs: config.leaseDurationSeconds * 1000,
          renewDeadlineMs: config.renewDeadlineSeconds * 1000,
          retryPeriodMs: config.retryPeriodSeconds * 1000,
          log: options.log,
          clock: options.clock,
          observer: options.metrics.electionObserver(),
          lead: (leadership) => this.runControllers(leadership),
        })
      : undefined;
  }

  /** run returns after the signal aborted and everything stopped (Lease released if held). */
  async run(shutdown: AbortSignal): Promise<void> {
    const background = new AbortController();
    setMaxListeners(0, background.signal, shutdown); // many informers and workers share these
    const informers = this.startInformers(background.signal);
    try {
      if (this.elector) await this.elector.run(shutdown);
      else await this.runUnelected(shutdown);
    } finally {
      background.abort();
      await informers;
      this.options.log.info('Informers stopped');
    }
  }

  live(): { ok: boolean; detail: string } {
    const status = this.elector?.status();
    const limitMs = (this.options.config.leaseDurationSeconds + 20) * 1000;
    if (status?.leading && (status.msSinceRenew ?? 0) > limitMs) {
      return { ok: false, detail: `leader has not renewed for ${Math.round(status.msSinceRenew! / 1000)} s` };
    }
    return { ok: true, detail: status?.leading ? 'leading' : 'running' };
  }

  ready(): { ok: boolean; detail: string } {
    const synced = this.options.controllers.every((c) => c.informers?.ready?.() ?? true);
    if (!this.elector || this.leading) return { ok: synced, detail: synced ? 'caches synced' : 'caches syncing' };
    const watching = this.elector.status().watching;
    return { ok: watching, detail: watching ? 'standby, lease watched' : 'standby, lease not watched yet' };
  }

  private startInformers(signal: AbortSignal): Promise<unknown> {
    const runs = this.options.controllers
      .map((c) => c.informers)
      .filter((r): r is Runnable => r !== undefined)
      .map((r) => r.start(signal).catch((err: unknown) => this.options.log.error({ err }, 'Informer failed')));
    return Promise.all(runs);
  }

  /** runControllers is the leader-gated work of one term. */
  private async runControllers(leadership: Leadership): Promise<void> {
    const names = this.options.controllers.flatMap((c) => c.names);
    this.leading = true;
    this.options.log.info({ controllers: names }, 'Starting all operators');
    try {
      const runs = this.options.controllers.map((c) => c.reconcilers(leadership).start(leadership.signal));
      const results = await Promise.allSettled(runs);
      for (const r of results) if (r.status === 'rejected') this.options.log.error({ err: r.reason }, 'Controller failed');
      // With nothing to run, leading is still a state to hold (metrics, probes, handover).
      if (runs.length === 0) await aborted(leadership.signal);
    } finally {
      this.leading = false;
      this.options.log.info({ controllers: names }, 'All operators stopped');
    }
  }

  /** runUnelected reconciles at once without a Lease (ENABLE_LEADER_ELECTION=false). */
  private async runUnelected(shutdown: AbortSignal): Promise<void> {
    this.options.log.warn(
      { identity: this.options.config.identity },
      'Leader election is disabled: running more than one replica this way makes them overwrite each other (conflicts)',
    );
    this.options.metrics.electionObserver().leadershipChanged(true);
    await this.runControllers(unelectedLeadership(this.options.config.identity, shutdown, this.options.log));
    this.options.metrics.electionObserver().leadershipChanged(false);
  }
}

function aborted(signal: AbortSignal): Promise<void> {
  return signal.aborted ? Promise.resolve() : new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/** unelectedLeadership always fences with epoch 0: without a Lease there is no term to compare. */
function unelectedLeadership(identity: string, signal: AbortSignal, log: Logger): Leadership {
  const token: FencingToken = { holder: identity, transitions: 0 };
  return {
    signal,
    fence: () => token,
    deposed: (reason) => log.error({ reason }, 'A write was refused for a stale epoch, but leader election is disabled'),
  };
}
