/**
 * cache-memory: where a cached object's bytes go. `zones` DNSZones and `zones × records` A
 * records, shaped as the apiserver returns them once bindy wrote their status (managedFields of
 * both writers, conditions, zone, zoneRef, addresses; a zone's records list, pods and serials),
 * are decoded from list bodies (made when listed) with JSON.parse as KubeClient does and go through the operator's
 * own cache path. Heap after a full GC, per object:
 *   stores   — the informers' decode + transform + store (cache-transform.ts),
 *   indexes  — what RecordIndex and ZoneIndex add on top,
 *   builds   — what the leader adds per zone with ZoneBuilds (rendered zone, verdicts),
 *   standby  — createControllers as a standby runs it (informers, indexes and the event wiring).
 * The apiserver is stood in for by a client that serves those bodies: this measures memory, not
 * the list/watch protocol (which the scale benchmark exercises against a real apiserver).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { pino } from 'pino';
import { RESOURCES } from '../src/crds/definitions.js';
import { API_VERSION, RECORD_KINDS, type DNSZone, type DnsRecord } from '../src/crds/types.js';
import { RecordIndex } from '../src/controllers/record-index.js';
import { ZoneBuilds } from '../src/controllers/zone-builds.js';
import { ZoneIndex } from '../src/controllers/zone-index.js';
import { createControllers } from '../src/controllers/manager.js';
import type { KubeClient, WatchEvent } from '../src/kube/api-client.js';
import { trimObject } from '../src/kube/cache-transform.js';
import { Informer } from '../src/kube/informer.js';
import { resourcePath, type KubeObject } from '../src/kube/objects.js';
import { OperatorMetrics } from '../src/observability/metrics.js';
import { zoneName } from './lib/dns-load.js';
import { printTable, writeResult } from './lib/report.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const NS = 'bench-cache-memory';
const silent = pino({ level: 'silent' });

function heapAfterGc(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

const time = (i: number) => new Date(Date.UTC(2026, 11, 2, 2, 47, 13 + Math.floor(i / 300))).toISOString().replace('.000Z', 'Z');
const uid = (i: number, salt: number) => `${(0x10000000 + i * 7919 + salt).toString(16)}-4e1f-4c1a-9b7e-${(0x100000000000 + i * 104729 + salt).toString(16)}`;
const managed = (manager: string, at: string, fields: object, subresource?: string) => ({ apiVersion: API_VERSION, fieldsType: 'FieldsV1', fieldsV1: fields, manager, operation: 'Update', ...(subresource ? { subresource } : {}), time: at });

/** recordJson is an A record as a list returns it after bindy judged it Ready. */
function recordJson(z: number, r: number): string {
  const i = z * 1000 + r;
  const created = time(i);
  return JSON.stringify({
    apiVersion: API_VERSION,
    kind: 'ARecord',
    metadata: {
      creationTimestamp: created,
      generation: 1,
      labels: { zone: `z${z}` },
      managedFields: [
        managed('bench', created, { 'f:metadata': { 'f:labels': { '.': {}, 'f:zone': {} } }, 'f:spec': { '.': {}, 'f:ipv4Addresses': {}, 'f:name': {} } }),
        managed('bindy-ts', created, { 'f:status': { '.': {}, 'f:addresses': {}, 'f:conditions': {}, 'f:observedGeneration': {}, 'f:zone': {}, 'f:zoneRef': { '.': {}, 'f:apiVersion': {}, 'f:kind': {}, 'f:name': {}, 'f:namespace': {}, 'f:zoneName': {} } } }, 'status'),
      ],
      name: `z${z}-r${r}`,
      namespace: NS,
      resourceVersion: String(100_000 + i),
      uid: uid(i, 1),
    },
    spec: { name: `host${r}`, ipv4Addresses: [`198.51.100.${r + 1}`] },
    status: {
      addresses: `198.51.100.${r + 1}`,
      conditions: [{ lastTransitionTime: created, message: `served in zone ${zoneName(z)} (DNSZone z${z}) at serial 2026120201 by every pod`, observedGeneration: 1, reason: 'Attached', status: 'True', type: 'Ready' }],
      observedGeneration: 1,
      zone: zoneName(z),
      zoneRef: { apiVersion: API_VERSION, kind: 'DNSZone', name: `z${z}`, namespace: NS, zoneName: zoneName(z) },
    },
  });
}

/** zoneJson is a DNSZone as a list returns it once bindy pushed it and its pod serves it. */
function zoneJson(z: number, records: number): string {
  const created = time(z);
  return JSON.stringify({
    apiVersion: API_VERSION,
    kind: 'DNSZone',
    metadata: {
      creationTimestamp: created,
      finalizers: ['bindy.firestoned.io/finalizer'],
      generation: 1,
      managedFields: [
        managed('bench', created, { 'f:spec': { '.': {}, 'f:clusterRef': {}, 'f:recordsFrom': {}, 'f:soaRecord': { '.': {}, 'f:adminEmail': {}, 'f:expire': {}, 'f:negativeTtl': {}, 'f:primaryNs': {}, 'f:refresh': {}, 'f:retry': {}, 'f:serial': {} }, 'f:ttl': {}, 'f:zoneName': {} } }),
        managed('bindy-ts', created, { 'f:metadata': { 'f:finalizers': { '.': {}, 'v:"bindy.firestoned.io/finalizer"': {} } } }),
        managed('bindy-ts', created, { 'f:status': { '.': {}, 'f:bind9Instances': {}, 'f:bind9InstancesCount': {}, 'f:conditions': {}, 'f:contentHash': {}, 'f:observedGeneration': {}, 'f:pods': {}, 'f:records': {}, 'f:recordsCount': {}, 'f:serial': {}, 'f:syncedSerial': {} } }, 'status'),
      ],
      name: `z${z}`,
      namespace: NS,
      resourceVersion: String(50_000 + z),
      uid: uid(z, 2),
    },
    spec: { zoneName: zoneName(z), clusterRef: 'bench', recordsFrom: [{ selector: { matchLabels: { zone: `z${z}` } } }], ttl: 300, soaRecord: { primaryNs: 'ns1.bench-dns.example.', adminEmail: 'hostmaster.bench.test.', serial: 1, refresh: 3600, retry: 600, expire: 604800, negativeTtl: 300 } },
    status: {
      bind9Instances: [{ apiVersion: API_VERSION, kind: 'Bind9Instance', name: 'bench', namespace: NS, status: 'Configured' }],
      bind9InstancesCount: 1,
      conditions: [{ lastTransitionTime: created, message: 'serial 2026120201 served by 1 pod(s)', observedGeneration: 1, reason: 'Synced', status: 'True', type: 'Ready' }],
      contentHash: (0x1234567890abcdn * BigInt(z + 1)).toString(16).padStart(64, '0'),
      observedGeneration: 1,
      pods: [{ pod: '10.150.0.2:8053', servedSerial: 2026120201 }],
      records: Array.from({ length: records }, (_, r) => ({ apiVersion: API_VERSION, kind: 'ARecord', name: `z${z}-r${r}`, namespace: NS, recordName: `host${r}` })),
      recordsCount: records,
      serial: 2026120201,
      syncedSerial: 2026120201,
    },
  });
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
  const inf = <T extends KubeObject>(plural: string) => new Informer<T>({ client, path: resourcePath(API_VERSION, plural), transform: trimObject, log: silent });
  const recordInformers = new Map(RECORD_KINDS.map((k) => [k, inf<DnsRecord & KubeObject>(RESOURCES[k].plural)]));
  const zoneInformer = inf<DNSZone & KubeObject>(RESOURCES.DNSZone.plural);
  const all = [zoneInformer, ...recordInformers.values()];
  const running = all.map((i) => i.start(stop.signal));
  await until(() => all.every((i) => i.synced));
  const stores = heapAfterGc();
  // The indexes hear of objects through the informers' events: a relist would emit them again.
  const replay = <T extends KubeObject>(i: Informer<T>) => ({ on: (h: (type: 'ADDED', o: T) => void) => i.list().forEach((o) => h('ADDED', o)), get: (k: string) => i.get(k), list: () => i.list() });
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

export async function benchCacheMemory(zones: number, records: number): Promise<void> {
  const { stores, indexes, builds } = await layers(zones, records);
  heapAfterGc();
  const standbyBytes = await standby(zones, records);
  const result = {
    zones,
    records,
    objects: zones * (records + 1),
    bytesPerObject: { stores: Math.round(stores), indexes: Math.round(indexes), standby: Math.round(standbyBytes) },
    leaderBytesPerZone: { builds: Math.round(builds) },
    recordJsonBytes: recordJson(0, 0).length,
    zoneJsonBytes: zoneJson(0, records).length,
  };
  printTable(`Heap per cached object after GC (${zones} zones × ${records} A records)`, [
    { layer: 'informer stores (decode + transform + store)', 'bytes/object': result.bytesPerObject.stores },
    { layer: '+ RecordIndex and ZoneIndex', 'bytes/object': result.bytesPerObject.indexes },
    { layer: 'standby: createControllers (stores, indexes, wiring)', 'bytes/object': result.bytesPerObject.standby },
    { layer: 'leader: + ZoneBuilds, per zone', 'bytes/object': result.leaderBytesPerZone.builds },
  ]);
  writeResult('cache-memory', result);
}
