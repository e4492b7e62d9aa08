import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ElectionObserver, RenewResult } from '../leader/elector.js';

export interface OperatorMetricsOptions {
  /** Include prom-client's default process metrics. @default true */
  readonly defaultMetrics?: boolean;
  /** Wall clock in Unix seconds for bindy_leader_election_timestamp. @default Date.now()/1000 */
  readonly now?: () => number;
}

/**
 * OperatorMetrics owns every metric of SPEC §4 in a private Registry (no global state: tests and
 * several instances in one process never collide). Label values that alerts rely on are
 * pre-created at 0 so `increase()` sees the first event.
 */
export class OperatorMetrics {
  readonly registry = new Registry();
  /** bindy_is_leader: 1 while this instance leads. */
  readonly isLeader: Gauge;
  /** bindy_leader_elections_total: times this instance became leader. */
  readonly leaderElectionsTotal: Counter;
  /** bindy_leader_election_timestamp: unix seconds of the last change of leadership state. */
  readonly leaderElectionTimestamp: Gauge;
  /** bindy_lease_renewals_total{result}: renew attempts by success/conflict/error. */
  readonly leaseRenewalsTotal: Counter<'result'>;
  /** bindy_reconcile_total{kind,result}: reconciles by kind and result. */
  readonly reconcileTotal: Counter<'kind' | 'result'>;
  /** bindy_reconcile_duration_seconds{kind}: reconcile latency. */
  readonly reconcileDuration: Histogram<'kind'>;
  /** bindy_fenced_writes_total{component}: writes refused for a stale epoch (operator/agent). */
  readonly fencedWritesTotal: Counter<'component'>;
  /** bindy_kube_api_requests_total{client,verb}: requests sent to the apiserver (watches counted when opened). */
  readonly kubeApiRequestsTotal: Counter<'client' | 'verb'>;
  private readonly now: () => number;

  constructor(options: OperatorMetricsOptions = {}) {
    const registers = [this.registry];
    this.now = options.now ?? (() => Date.now() / 1000);
    this.isLeader = new Gauge({ name: 'bindy_is_leader', help: '1 while this instance is the leader, else 0', registers });
    this.leaderElectionsTotal = new Counter({ name: 'bindy_leader_elections_total', help: 'Times this instance became leader', registers });
    this.leaderElectionTimestamp = new Gauge({
      name: 'bindy_leader_election_timestamp',
      help: "Unix seconds of this instance's last change of leadership state",
      registers,
    });
    this.leaseRenewalsTotal = new Counter({ name: 'bindy_lease_renewals_total', help: 'Lease renew attempts by result', labelNames: ['result'], registers });
    this.reconcileTotal = new Counter({ name: 'bindy_reconcile_total', help: 'Reconciles by kind and result', labelNames: ['kind', 'result'], registers });
    this.reconcileDuration = new Histogram({
      name: 'bindy_reconcile_duration_seconds',
      help: 'Reconcile latency',
      labelNames: ['kind'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.fencedWritesTotal = new Counter({
      name: 'bindy_fenced_writes_total',
      help: 'Writes refused because they carried a stale epoch',
      labelNames: ['component'],
      registers,
    });
    this.kubeApiRequestsTotal = new Counter({
      name: 'bindy_kube_api_requests_total',
      help: 'Requests sent to the apiserver by client (leader-election/controllers) and verb',
      labelNames: ['client', 'verb'],
      registers,
    });
    this.isLeader.set(0);
    // Startup is this instance's first leadership state (standby).
    this.leaderElectionTimestamp.set(this.now());
    for (const result of ['success', 'conflict', 'error'] as const) this.leaseRenewalsTotal.inc({ result }, 0);
    for (const component of ['operator', 'agent'] as const) this.fencedWritesTotal.inc({ component }, 0);
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** electionObserver adapts the elector's events to the leader metrics. */
  electionObserver(): ElectionObserver {
    return {
      leadershipChanged: (leading: boolean) => {
        this.isLeader.set(leading ? 1 : 0);
        this.leaderElectionTimestamp.set(this.now());
        if (leading) this.leaderElectionsTotal.inc();
      },
      renewal: (result: RenewResult) => this.leaseRenewalsTotal.inc({ result }),
    };
  }

  /** apiRequestCounter is a KubeClient onRequest hook that counts into bindy_kube_api_requests_total. */
  apiRequestCounter(client: string): (verb: string) => void {
    return (verb) => this.kubeApiRequestsTotal.inc({ client, verb });
  }

  /** text renders the Prometheus exposition format. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
