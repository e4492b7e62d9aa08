/**
 * cache-memory: where a cached object's bytes go. `zones` DNSZones and `zones × records` A
 * records, shaped as the apiserver returns them once bindy wrote their status (managedFields of
 * both writers, conditions, zone, zoneRef, addresses; a zone's records list, pods and serials),
 * are decoded from list bodies (made when listed) with JSON.parse as KubeClient does and go through the operator's
 * own cache path. Heap after a full GC, per object:
 *   stores   — the informers' decode + transform + store (cache-transform.ts),
 *   indexes  — what RecordIndex and ZoneIndex add on top,
 *   builds   — what the leader adds per zone with ZoneBuilds (rendered zone, verdicts),
 *   standby  — createControllers as a standby runs it (informers, indexes and the event wiring);
 * and the peak RSS a standby grows by per object while it hears them as watch events, with node's
 * default V8 flags and with a smaller young generation (bench/lib/standby-rss.ts, one child
 * process per set of flags).
 * The apiserver is stood in for by a client that serves those bodies: this measures memory, not
 * the list/watch protocol (which the scale benchmark exercises against a real apiserver).
 */
import { execFileSync } from 'node:child_process';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { RESOURCES } from '../src/crds/definitions.js';
import { API_VERSION, RECORD_KINDS, type DNSZone, type DnsRecord } from '../src/crds/types.js';
import { RecordIndex } from '../src/controllers/record-index.js';
import { ZoneBuilds } from '../src/controllers/zone-builds.js';
import { ZoneIndex } from '../src/controllers/zone-index.js';
import { createControllers } from '../src/controllers/manager.js';
import type { KubeClient, WatchEvent } from '../src/kube/api-client.js';
import { trimRecord, trimZone, type CacheTransform } from '../src/kube/cache-transform.js';
import { Informer } from '../src/kube/informer.js';
import { resourcePath, type KubeObject } from '../src/kube/objects.js';
import { OperatorMetrics } from '../src/observability/metrics.js';
import { NS, recordJson, zoneJson } from './lib/cache-objects.js';
import { printTable, writeResult } from './lib/report.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const silent = pino({ level: 'silent' });

function heapAfterGc(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

/**
 * ListServer stands in for the apiserver's list and watch of the custom resources: each list is
 * one body decoded with JSON.parse, as KubeClient decodes it, served once; watches stay open, empty.
 */
function listServer(bodies: Map<string, () => string>): KubeClient {
  return {
    get: async <T>(path: string): Promise<T> => {
      const body = bodies.get(path)?.() ?? '{"metadata":{"resourceVersion":"1"},"items":[]}';
      return JSON.parse(body) as T;
    },
    watch: <T>(_path: string, options: { signal?: AbortSignal }, _onEvent: (e: WatchEvent<T>) => void): Promise<void> =>
      new Promise((resolve) => options.signal?.addEventListener('abort', () => resolve(), { once: true })),
  } as unknown as KubeClient;
}

/** listBodies makes each body when it is asked for, so that the heap measured before holds none. */
function listBodies(zones: number, records: number): Map<string, () => string> {
  const items = (n: number, item: (i: number) => string) => () => `{"metadata":{"resourceVersion":"200000"},"items":[${Array.from({ length: n }, (_, i) => item(i)).join(',')}]}`;
  return new Map([
    [resourcePath(API_VERSION, RESOURCES.DNSZone.plural), items(zones, (z) => zoneJson(z, records))],
    [resourcePath(API_VERSION, RESOURCES.ARecord.plural), items(zones * records, (i) => recordJson(Math.floor(i / records), i % records))],
  ]);
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 10));
}

/** layers measures the stores, then the indexes over them, then the leader's zone builds. */
async function layers(zones: number, records: number): Promise<{ stores: number; indexes: number; builds: number }> {
  const client = listServer(listBodies(zones, records));
  const stop = new AbortController();
  const before = heapAfterGc();
  const inf = <T extends KubeObject>(plural: string, transform: CacheTransform<KubeObject>) => new Informer<T>({ client, path: resourcePath(API_VERSION, plural), transform, log: silent });
  const recordInformers = new Map(RECORD_KINDS.map((k) => [k, inf<DnsRecord & KubeObject>(RESOURCES[k].plural, trimRecord)]));
  const zoneInformer = inf<DNSZone & KubeObject>(RESOURCES.DNSZone.plural, trimZone);
  const all = [zoneInformer, ...recordInformers.values()];
  const running = all.map((i) => i.start(stop.signal));
  await until(() => all.every((i) => i.synced));
  const stores = heapAfterGc();
  // The indexes hear of objects through the informers' events: a relist would emit them again.
  const replay = <T extends KubeObject>(i: Informer<T>) => ({ on: (h: (type: 'ADDED', o: T, previous: undefined) => void) => i.list().forEach((o) => h('ADDED', o, undefined)), get: (k: string) => i.get(k), list: () => i.list() });
  const recordIndex = new RecordIndex(new Map([...recordInformers].map(([k, i]) => [k, replay(i)])));
  const zoneIndex = new ZoneIndex(replay(zoneInformer), () => () => false);
  const indexes = heapAfterGc();
  const zoneBuilds = new ZoneBuilds(recordIndex, zoneIndex);
  for (const z of zoneInformer.list()) zoneBuilds.of(z);
  const builds = heapAfterGc();
  stop.abort();
  await Promise.all(running);
  const objects = zones * (records + 1);
  return { stores: (stores - before) / objects, indexes: (indexes - stores) / objects, builds: (builds - indexes) / zones };
}

/** standby measures what createControllers holds as a standby: informers, indexes and event wiring. */
async function standby(zones: number, records: number): Promise<number> {
  const client = listServer(listBodies(zones, records));
  const stop = new AbortController();
  const before = heapAfterGc();
  const set = createControllers({ client, log: silent, metrics: new OperatorMetrics({ defaultMetrics: false }), config: { leaderElection: true, leaseName: 'bindy-leader', leaseNamespace: NS } });
  const running = set.informers.start(stop.signal);
  await until(() => set.informers.ready?.() ?? false);
  const after = heapAfterGc();
  stop.abort();
  await running;
  return (after - before) / (zones * (records + 1));
}

/** V8 flag sets the standby's RSS is compared under: the young generation's size bounds the decoding garbage RSS holds. */
const FLAG_SETS = ['', '--max-semi-space-size=1', '--max-semi-space-size=2', '--max-semi-space-size=4'];

function standbyRss(zones: number, flags: string): { rssKiBPerObject: number; idleRssMiB: number; peakRssMiB: number } {
  const script = fileURLToPath(new URL('./lib/standby-rss.ts', import.meta.url));
  const out = execFileSync(process.execPath, ['--import', 'tsx', ...(flags ? [flags] : []), script, String(zones)], { encoding: 'utf8', timeout: 600_000 });
  return JSON.parse(out.trim().split('\n').at(-1)!) as { rssKiBPerObject: number; idleRssMiB: number; peakRssMiB: number };
}

export async function benchCacheMemory(zones: number, records: number): Promise<void> {
  const { stores, indexes, builds } = await layers(zones, records);
  heapAfterGc();
  const standbyBytes = await standby(zones, records);
  const rss = FLAG_SETS.map((flags) => ({ flags: flags || '(defaults)', ...standbyRss(zones, flags) }));
  const result = {
    zones,
    records,
    objects: zones * (records + 1),
    bytesPerObject: { stores: Math.round(stores), indexes: Math.round(indexes), standby: Math.round(standbyBytes) },
    leaderBytesPerZone: { builds: Math.round(builds) },
    recordJsonBytes: recordJson(0, 0).length,
    zoneJsonBytes: zoneJson(0, records).length,
    standbyRssByFlags: rss,
  };
  printTable(`Heap per cached object after GC (${zones} zones × ${records} A records)`, [
    { layer: 'informer stores (decode + transform + store)', 'bytes/object': result.bytesPerObject.stores },
    { layer: '+ RecordIndex and ZoneIndex', 'bytes/object': result.bytesPerObject.indexes },
    { layer: 'standby: createControllers (stores, indexes, wiring)', 'bytes/object': result.bytesPerObject.standby },
    { layer: 'leader: + ZoneBuilds, per zone', 'bytes/object': result.leaderBytesPerZone.builds },
  ]);
  printTable('A standby hearing them as watch events: peak RSS growth per object, by V8 flags', rss.map((r) => ({ flags: r.flags, 'idle RSS MiB': r.idleRssMiB, 'peak RSS MiB': r.peakRssMiB, 'KiB per object': r.rssKiBPerObject })));
  writeResult('cache-memory', result);
}
