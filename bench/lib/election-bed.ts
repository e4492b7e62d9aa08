import type { KubeClient } from '../../src/kube/api-client.js';
import { KubeClient as Client } from '../../src/kube/api-client.js';
import { loadKubeconfigFile } from '../../src/kube/kubeconfig.js';
import { operatorMemoryEnv } from '../../packages/cdk8s-bindy/src/runtime-memory.js';
import { PROFILES } from '../../packages/cdk8s-bindy/src/profiles.js';
import { parseProbeEntries, type ProbeEntry } from '../../src/operator/leadership-probe.js';
import type { TestbedState } from '../../testbed/state.js';
import { BUILT_ENTRY, type LogLine } from '../../test/support/replica.js';
import { ReplicaGroup, createNamespace, readLease, waitFor, type Member } from '../../test/support/leader-cluster.js';

/** Lease timing of SPEC §1's defaults: what users run, so what the benchmarks measure. */
export const DEFAULT_LEASE = { duration: 15, renewDeadline: 10, retryPeriod: 2 } as const;

const LEASE = 'bindy-leader';
const PROBE = 'leadership-probe';

/**
 * ElectionBed is a namespace with three operator replicas (election only, plus the leadership
 * probe as "the reconcile") behind cuttable proxies; failed replicas are replaced so every run
 * starts from one leader and two warm standbys.
 */
export class ElectionBed {
  readonly admin: KubeClient;
  private group!: ReplicaGroup;
  private ns = '';
  private next = 0;

  constructor(private readonly bed: TestbedState, private readonly env: Readonly<Record<string, string>> = {}) {
    this.admin = new Client(loadKubeconfigFile(bed.kubeconfigs.admin));
  }

  get namespace(): string {
    return this.ns;
  }

  async start(replicas = 3): Promise<void> {
    this.ns = await createNamespace(this.admin, 'bench');
    this.group = new ReplicaGroup({
      kubeconfig: this.bed.kubeconfigs.admin,
      server: this.bed.server,
      // The compiled operator, as the image runs it: tsx would add its compiler to every figure.
      entry: BUILT_ENTRY,
      env: {
        LEASE_NAMESPACE: this.ns,
        BINDY_DNS_CONTROLLERS: 'false',
        BINDY_LEADERSHIP_PROBE: `${this.ns}/${PROBE}`,
        LEASE_DURATION_SECONDS: String(DEFAULT_LEASE.duration),
        LEASE_RENEW_DEADLINE_SECONDS: String(DEFAULT_LEASE.renewDeadline),
        LEASE_RETRY_PERIOD_SECONDS: String(DEFAULT_LEASE.retryPeriod),
        ...operatorMemoryEnv(PROFILES.prod.limits.memory),
        NODE_OPTIONS: operatorNodeOptionsForBench(),
        ...this.env,
      },
    });
    for (let i = 0; i < replicas; i++) await this.addReplica();
    await this.steady();
  }

  addReplica(): Promise<Member> {
    return this.group.add(`bindy-${this.next++}`);
  }

  /** steady waits until one running member leads and every other running member is a standby. */
  async steady(): Promise<Member> {
    const leader = await this.leader();
    await leader.replica.waitForLog('Starting all operators', 60_000);
    for (const m of this.running().filter((r) => r !== leader)) {
      await m.replica.waitForLog((l) => l.msg === `Lease already held by ${leader.name}`, 60_000);
    }
    return leader;
  }

  async leader(): Promise<Member> {
    const name = await waitFor('a lease holder', async () => (await readLease(this.admin, this.ns, LEASE))?.spec.holderIdentity || undefined, 60_000);
    return this.group.get(name);
  }

  running(): Member[] {
    return this.group.running();
  }

  /** successor resolves with the first other running member to start its controllers after `since` (ms). */
  successor(old: Member, since: number, timeoutMs = 60_000): Promise<{ member: Member; at: number }> {
    const others = this.running().filter((m) => m !== old);
    return Promise.any(
      others.map(async (m) => {
        const line = await m.replica.waitForLog((l) => l.msg === 'Starting all operators' && l.receivedAt >= since, timeoutMs);
        return { member: m, at: loggedAt(line) };
      }),
    );
  }

  /** probeEntries reads what the leaders wrote into the leadership probe (their "reconciles"). */
  async probeEntries(): Promise<ProbeEntry[]> {
    const cm = await this.admin.get<{ data?: Record<string, string> }>(`/api/v1/namespaces/${this.ns}/configmaps/${PROBE}`);
    return parseProbeEntries(cm.data);
  }

  async stop(): Promise<void> {
    await this.group?.stopAll();
    if (this.ns) await this.admin.delete(`/api/v1/namespaces/${this.ns}`).catch(() => undefined);
    this.admin.close();
  }
}

/**
 * reconcileGap is the time from the old leader's last probe write to the new leader's first (ms),
 * and whether the old leader wrote anything after the new one started (a split brain). Entries
 * are in the apiserver's write order, so that order, not the clocks, decides "after".
 */
export function reconcileGap(entries: readonly ProbeEntry[], oldLeader: string, newLeader: string, since: number): { gapMs?: number; oldWroteAfter: boolean } {
  const firstNew = entries.findIndex((e) => e.identity === newLeader && Date.parse(e.wall) >= since);
  if (firstNew < 0) return { oldWroteAfter: false };
  const before = entries.slice(0, firstNew).filter((e) => e.identity === oldLeader);
  const lastOld = before[before.length - 1];
  return {
    gapMs: lastOld ? Date.parse(entries[firstNew]!.wall) - Date.parse(lastOld.wall) : undefined,
    oldWroteAfter: entries.slice(firstNew).some((e) => e.identity === oldLeader),
  };
}

/**
 * loggedAt is when the replica wrote a line, by its own timestamp (same machine, same clock), not
 * when the line reached this process: pino writes asynchronously, so a new leader busy with its
 * first pass over 1,000 zones delivered "Starting all operators" 690 ms after it logged it.
 */
export function loggedAt(line: LogLine): number {
  const written = typeof line.time === 'string' ? Date.parse(line.time) : Number.NaN;
  return Number.isNaN(written) ? line.receivedAt : written;
}

/**
 * operatorNodeOptionsForBench: the V8 flags the prod profile's Deployment gives the operator
 * container (the replicas get its malloc setting too), or BENCH_OPERATOR_NODE_OPTIONS to compare
 * others ('' for node's defaults).
 */
export function operatorNodeOptionsForBench(): string {
  return process.env.BENCH_OPERATOR_NODE_OPTIONS ?? operatorMemoryEnv(PROFILES.prod.limits.memory).NODE_OPTIONS;
}
