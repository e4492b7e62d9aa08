import type { KubeClient } from '../kube/api-client.js';
import { KubeApiError, isNotFound } from '../kube/api-error.js';
import { isNewer, type LeaseLock, type LeaseRecord, type LeaseSnapshot, type LeaseWatchHandlers } from './lock.js';

/** Lease is the coordination.k8s.io/v1 object, typed only as far as election needs. */
interface Lease {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace: string; resourceVersion?: string; [key: string]: unknown };
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
    preferredHolder?: string;
    strategy?: string;
    [key: string]: unknown;
  };
}

export interface KubeLeaseLockOptions {
  /** client must be a KubeClient dedicated to the Lease, so renewals never queue behind other traffic. */
  readonly client: KubeClient;
  readonly namespace: string;
  readonly name: string;
  /** timeoutMs bounds every request; keep it <= min(retry period, renew deadline / 2). */
  readonly timeoutMs: number;
  /** watchIdleMs cuts a watch that delivered nothing for this long (a blackholed link sends no FIN). */
  readonly watchIdleMs: number;
}

/** KubeLeaseLock is the LeaseLock on a real apiserver: GET, POST and resourceVersion-guarded PUT. */
export class KubeLeaseLock implements LeaseLock {
  readonly name: string;
  readonly namespace: string;
  private readonly collection: string;
  /** raw keeps the last full object seen per resourceVersion, so an update rewrites only our fields. */
  private raw: Lease | undefined;

  constructor(private readonly options: KubeLeaseLockOptions) {
    this.name = options.name;
    this.namespace = options.namespace;
    this.collection = `/apis/coordination.k8s.io/v1/namespaces/${options.namespace}/leases`;
  }

  async get(): Promise<LeaseSnapshot | undefined> {
    try {
      return this.remember(await this.options.client.get<Lease>(this.path(), { timeoutMs: this.options.timeoutMs }));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async create(record: LeaseRecord): Promise<LeaseSnapshot> {
    const body: Lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: this.name, namespace: this.namespace },
      spec: electionFields(record),
    };
    return this.remember(await this.options.client.create<Lease>(this.collection, body, { timeoutMs: this.options.timeoutMs }));
  }

  async update(previous: LeaseSnapshot, record: LeaseRecord): Promise<LeaseSnapshot> {
    // Start from the full stored object so fields written by others (preferredHolder, strategy,
    // labels, annotations) survive; the resourceVersion makes the PUT a compare-and-swap.
    const base = this.raw?.metadata.resourceVersion === previous.resourceVersion ? this.raw : await this.fetchRaw();
    const body: Lease = {
      ...base,
      metadata: { ...base.metadata, resourceVersion: previous.resourceVersion },
      spec: { ...base.spec, ...electionFields(record) },
    };
    return this.remember(await this.options.client.replace<Lease>(this.path(), body, { timeoutMs: this.options.timeoutMs }));
  }

  async watch(signal: AbortSignal, handlers: LeaseWatchHandlers): Promise<void> {
    // No resourceVersion: the server first sends the current object (if any), then changes, so
    // every reconnect starts from a fresh, consistent view without needing `list` permission.
    const query = { fieldSelector: `metadata.name=${this.name}`, timeoutSeconds: 300 };
    await this.options.client.watch<Lease | { code?: number; reason?: string; message?: string }>(
      this.collection,
      { query, signal, idleTimeoutMs: this.options.watchIdleMs, onOpen: () => handlers.onOpen() },
      (event) => {
        if (event.type === 'BOOKMARK') return;
        if (event.type === 'ERROR') {
          const status = event.object as { code?: number; reason?: string; message?: string };
          throw new KubeApiError(status.code ?? 0, status.reason ?? 'WatchError', `watch lease: ${status.message ?? 'error event'}`);
        }
        const lease = event.object as Lease;
        const resourceVersion = lease.metadata.resourceVersion ?? '';
        if (event.type === 'DELETED') {
          this.raw = undefined;
          handlers.onChange(undefined, resourceVersion);
        } else {
          handlers.onChange(this.remember(lease), resourceVersion);
        }
      },
    );
  }

  private path(): string {
    return `${this.collection}/${this.name}`;
  }

  /** fetchRaw re-reads the object when the cached copy is of another version (rare: a racing edit). */
  private async fetchRaw(): Promise<Lease> {
    const lease = await this.options.client.get<Lease>(this.path(), { timeoutMs: this.options.timeoutMs });
    this.raw = lease;
    return lease;
  }

  private remember(lease: Lease): LeaseSnapshot {
    // Only move forward: a late watch event must not replace a newer object we just wrote.
    if (!this.raw || isNewer(lease.metadata.resourceVersion ?? '', this.raw.metadata.resourceVersion)) this.raw = lease;
    return toSnapshot(lease);
  }
}

function electionFields(record: LeaseRecord): NonNullable<Lease['spec']> {
  return {
    holderIdentity: record.holderIdentity,
    leaseDurationSeconds: record.leaseDurationSeconds,
    acquireTime: record.acquireTime,
    renewTime: record.renewTime,
    leaseTransitions: record.leaseTransitions,
  };
}

function toSnapshot(lease: Lease): LeaseSnapshot {
  const spec = lease.spec ?? {};
  return {
    resourceVersion: lease.metadata.resourceVersion ?? '',
    record: {
      holderIdentity: spec.holderIdentity ?? '',
      leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
      acquireTime: spec.acquireTime,
      renewTime: spec.renewTime,
      leaseTransitions: spec.leaseTransitions ?? 0,
      preferredHolder: spec.preferredHolder,
      strategy: spec.strategy,
    },
  };
}
