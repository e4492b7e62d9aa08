/**
 * dns-load.ts: the DNS load the convergence and scale benchmarks create (zones × A records in one
 * namespace, served by one Bind9Instance), and how they see it converge: dig on every zone, and
 * every record's Ready condition through a watch.
 */
import { pino } from 'pino';
import type { KubeClient } from '../../src/kube/api-client.js';
import { trimObject } from '../../src/kube/cache-transform.js';
import { Informer } from '../../src/kube/informer.js';
import type { KubeObject } from '../../src/kube/objects.js';
import type { TestNode } from '../../testbed/node/node.js';
import { Unserved, type FloorZone } from './named-floor.js';
import { join } from 'node:path';

export const GROUP = '/apis/bindy.firestoned.io/v1beta1';
const CONCURRENCY = 16;

export interface Load {
  readonly ns: string;
  readonly zones: number;
  readonly records: number;
}

export const zoneName = (i: number): string => `z${i}.bench.test`;

/** inParallel runs fn over 0..n-1 with a bounded number in flight. */
async function inParallel(n: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < n) await fn(next++);
  }));
}

export async function createLoad(admin: KubeClient, load: Load): Promise<void> {
  const api = `${GROUP}/namespaces/${load.ns}`;
  const meta = (name: string, labels: Record<string, string> = {}) => ({ name, namespace: load.ns, labels });
  await admin.create(`${api}/bind9instances`, { apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'Bind9Instance', metadata: meta('bench', { dns: 'bench' }), spec: { clusterRef: 'bench', role: 'primary', replicas: 1 } });
  await inParallel(load.zones, async (z) => {
    await admin.create(`${api}/dnszones`, {
      apiVersion: 'bindy.firestoned.io/v1beta1',
      kind: 'DNSZone',
      metadata: meta(`z${z}`),
      spec: { zoneName: zoneName(z), clusterRef: 'bench', recordsFrom: [{ selector: { matchLabels: { zone: `z${z}` } } }], ttl: 300, soaRecord: { primaryNs: 'ns1.bench-dns.example.', adminEmail: 'hostmaster.bench.test.', serial: 1, refresh: 3600, retry: 600, expire: 604800, negativeTtl: 300 } },
    });
  });
  await inParallel(load.zones * load.records, async (i) => {
    const z = Math.floor(i / load.records);
    const r = i % load.records;
    await admin.create(`${api}/arecords`, { apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'ARecord', metadata: meta(`z${z}-r${r}`, { zone: `z${z}` }), spec: { name: `host${r}`, ipv4Addresses: [`198.51.100.${r + 1}`] } });
  });
}

/** probes are the last record of every zone, as named must answer it once the zone is served. */
export function probes(load: Load, zonesDir: string): FloorZone[] {
  const last = load.records - 1;
  return Array.from({ length: load.zones }, (_, z) => ({ zone: zoneName(z), file: join(zonesDir, `${zoneName(z)}.zone`), probe: `host${last}.${zoneName(z)}`, expect: `198.51.100.${last + 1}` }));
}

/**
 * ServedWatch follows which zones the pod's named serves (their last record answers), asking
 * only for those not served yet.
 */
export class ServedWatch {
  private readonly unserved: Unserved;

  constructor(private readonly node: TestNode, private readonly load: Load, private readonly dir: string) {
    this.unserved = new Unserved(probes(load, ''));
  }

  /** served counts the zones served so far (one dig batch for the rest). */
  async served(): Promise<number> {
    const pod = this.node.runtimes()[0]?.address;
    const left = pod ? await this.unserved.poll(pod, 53, join(this.dir, 'queries')) : this.unserved.count;
    return this.load.zones - left;
  }

  /** untilAll polls until every zone is served. */
  async untilAll(timeoutMs: number): Promise<void> {
    const t0 = Date.now();
    for (;;) {
      const served = await this.served();
      if (served === this.load.zones) return;
      if (Date.now() - t0 > timeoutMs) throw new Error(`only ${served}/${this.load.zones} zones served after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * ReadyWatch follows every record's Ready condition through a watch (a LIST of 10,000 records
 * per poll would load the apiserver the benchmark measures) and resolves when all are Ready.
 */
export class ReadyWatch {
  private readonly ready = new Set<string>();
  private readonly informer: Informer<KubeObject & { status?: { conditions?: Array<{ type: string; status: string }> } }>;
  private done?: () => void;
  readonly all: Promise<number>;

  constructor(admin: KubeClient, private readonly load: Load) {
    this.informer = new Informer({ client: admin, path: `${GROUP}/namespaces/${load.ns}/arecords`, log: pino({ level: 'silent' }), transform: trimObject });
    this.all = new Promise((resolve) => (this.done = () => resolve(Date.now())));
    this.informer.on((type, r) => {
      const isReady = type !== 'DELETED' && r.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
      if (isReady) this.ready.add(r.metadata.name);
      else this.ready.delete(r.metadata.name);
      if (this.ready.size === this.load.zones * this.load.records) this.done?.();
    });
  }

  start(signal: AbortSignal): Promise<void> {
    return this.informer.start(signal);
  }

  get count(): number {
    return this.ready.size;
  }
}

