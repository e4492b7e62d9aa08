import { pino } from 'pino';
import type { AgentClient } from '../../src/agent/client.js';
import type { Caches } from '../../src/controllers/caches.js';
import { reconcileZone } from '../../src/controllers/dns-zone.js';
import type { PodResult, Pusher } from '../../src/controllers/push.js';
import type { DesiredZone } from '../../src/dns/plan.js';
import type { Bind9Instance, DNSZone, DnsRecord, RecordKind } from '../../src/crds/types.js';
import type { KubeClient } from '../../src/kube/api-client.js';
import type { EventRecorder } from '../../src/kube/events.js';
import type { KubeObject } from '../../src/kube/objects.js';
import { AgentLists } from '../../src/controllers/agent-lists.js';
import { withInstanceNameServers } from '../../src/controllers/name-server-addresses.js';
import { RecordIndex, type RecordSource } from '../../src/controllers/record-index.js';
import { ServedZones } from '../../src/controllers/served-zones.js';
import { ZoneBuilds } from '../../src/controllers/zone-builds.js';
import { ZoneClaims } from '../../src/controllers/zone-claims.js';
import { ZoneIndex, type ZoneSource } from '../../src/controllers/zone-index.js';

/** cache is an informer stand-in over a fixed list. */
function cache<T extends KubeObject>(items: T[]) {
  return {
    get: (key: string) => items.find((i) => `${i.metadata.namespace}/${i.metadata.name}` === key),
    list: (ns?: string) => items.filter((i) => ns === undefined || i.metadata.namespace === ns),
    // An informer replays its cache to a new handler as ADDED events.
    on: (handler: (type: 'ADDED', obj: T) => void) => items.forEach((i) => handler('ADDED', i)),
  };
}

const instance: Bind9Instance = { apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'Bind9Instance', metadata: { name: 'dns', namespace: 'ns', labels: { dns: 'x' } }, spec: { clusterRef: 'c', role: 'primary' } };
const SOA = { primaryNs: 'ns1.other.test.', adminEmail: 'h.x.test.', serial: 1, refresh: 3600, retry: 600, expire: 604800, negativeTtl: 300 };

function zone(name: string, created: string, status?: DNSZone['status'], extra: Partial<DNSZone['spec']> = {}): DNSZone {
  return {
    apiVersion: 'bindy.firestoned.io/v1beta1',
    kind: 'DNSZone',
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, resourceVersion: '7', creationTimestamp: created, finalizers: ['bindy.firestoned.io/cleanup'], generation: 1 },
    spec: { zoneName: 'x.test', bind9InstancesFrom: [{ selector: { matchLabels: { dns: 'x' } } }], recordsFrom: [{ selector: { matchLabels: { zone: 'x' } } }], soaRecord: SOA, ...extra },
    status,
  };
}

const www: DnsRecord = { apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'ARecord', metadata: { name: 'www', namespace: 'ns', labels: { zone: 'x' } }, spec: { name: 'www', ipv4Addresses: ['192.0.2.1'] } } as DnsRecord;

/** harness records every apiserver write and every push, in order. */
function harness(zones: DNSZone[], reported: number[] = [], instances: Bind9Instance[] = [instance], outcome?: (desired: number) => PodResult | undefined) {
  const log: string[] = [];
  const statuses: Array<Record<string, unknown>> = [];
  const client = {
    mergePatch: async (path: string, body: { metadata: { resourceVersion?: string }; status?: Record<string, unknown> }) => {
      statuses.push(body.status ?? {});
      log.push(`patch ${path.replace(/.*\/dnszones\//, '')} rv=${body.metadata.resourceVersion} ${JSON.stringify({ serial: body.status?.serial, reason: (body.status?.conditions as Array<{ reason: string }> | undefined)?.[0]?.reason })}`);
      const z = zones[0]!;
      return { ...z, metadata: { ...z.metadata, resourceVersion: '8' }, status: { ...z.status, ...body.status } };
    },
  } as unknown as KubeClient;
  // Every instance has one pod; a secondary serves what `transferred` says it got by transfer.
  const agent = (i: Bind9Instance) =>
    ({
      // The primary's pod is the one syncZone reports on.
      address: i.spec.role === 'secondary' ? `${i.metadata.name}:8053` : '10.0.0.1:8053',
      podAddress: `ip-${i.metadata.name}`,
      list: async () => [],
      inventory: async () => ({ zones: [], secondaries: [] }),
      ds: async (zoneName: string) => [`${zoneName}. IN DS 61546 13 2 ABCDEF`],
      // The live read of a secondary's serial (while the one last read is behind).
      secondary: async (zoneName: string) => {
        log.push(`read secondary ${i.metadata.name} ${zoneName}`);
        return { name: zoneName, primaries: ['ip-dns'], serial: transferred };
      },
      putOptions: async (zoneName: string, options: unknown) => void log.push(`options ${i.metadata.name} ${zoneName} ${JSON.stringify(options)}`),
      putSecondary: async (zoneName: string, primaries: string[]) => {
        log.push(`secondary ${i.metadata.name} ${zoneName} from ${primaries.join(',')}`);
        return { name: zoneName, primaries, serial: transferred };
      },
    }) as unknown as AgentClient;
  let transferred: number | undefined;
  const pusher = {
    agents: async (i: Bind9Instance) => [agent(i)],
    lists: new AgentLists(),
    write: async (_agent: AgentClient, _log: unknown, send: (epoch: unknown) => Promise<unknown>) => send({ holder: 'h', transitions: 1 }),
    reportedSerials: async () => reported,
    syncZone: async (_a: unknown, name: string, desired: DesiredZone | undefined): Promise<PodResult[]> => {
      log.push(`push ${name} serial=${desired?.serial}`);
      // An outcome of undefined: the instance has no ready pod to push to.
      const result = outcome ? outcome(desired?.serial ?? 0) : { pod: '10.0.0.1:8053', serial: desired?.serial, changed: true };
      return result ? [result] : [];
    },
  } as unknown as Pusher;
  const records = new Map([['ARecord', cache([www])]]) as unknown as Map<RecordKind, RecordSource>;
  const zoneCache = cache(zones);
  const recordIndex = new RecordIndex(records);
  const owners = { instances: cache(instances), providers: cache([]), slices: cache([]), pods: cache([]), replicaSets: cache([]), deployments: cache([]) } as unknown as Caches;
  const zoneIndex = new ZoneIndex(zoneCache as unknown as ZoneSource, () => {
    const claims = new ZoneClaims({ ...owners, zones: zoneCache } as unknown as Caches);
    return (z) => claims.refused(z);
  });
  const zoneBuilds = new ZoneBuilds(recordIndex, zoneIndex, (z) => withInstanceNameServers(owners, z));
  const caches = { ...owners, zones: zoneCache, records, recordIndex, zoneIndex, zoneBuilds } as unknown as Caches;
  const events = { record: (_o: unknown, _t: string, reason: string) => log.push(`event ${reason}`) } as unknown as EventRecorder;
  const served = new ServedZones();
  const run = (key: string) => reconcileZone({ client, caches, events, pusher, resyncMs: 1000, served }, key, { log: pino({ level: 'silent' }), signal: new AbortController().signal });
  return { log, run, statuses, served, transfer: (serial: number | undefined) => void (transferred = serial) };
}

describe('reconcileZone', () => {
  it('persists the next serial (resourceVersion-guarded) before pushing it', async () => {
    const { log, run } = harness([zone('z', '2026-01-01T00:00:00Z', { serial: 4, contentHash: 'old' })], [6]);
    await run('ns/z');
    expect(log[0]).toBe('patch z/status rv=7 {"serial":7}');
    expect(log[1]).toBe('push x.test serial=7');
    expect(log[2]).toMatch(/^patch z\/status rv=8 .*"reason":"Synced"/);
  });

  it('hands a zone every pod serves to the periodic check instead of requeueing it; any other outcome requeues it at the resync', async () => {
    const synced = harness([zone('z', '2026-01-01T00:00:00Z')]);
    expect(await synced.run('ns/z')).toBeUndefined();
    expect(synced.served.size).toBe(1);
    const failing = harness([zone('z', '2026-01-01T00:00:00Z')], [], [instance], () => ({ pod: '10.0.0.1:8053', changed: false }));
    expect(await failing.run('ns/z')).toEqual({ requeueAfterMs: 1000 });
    expect(failing.served.size).toBe(0);
  });

  it('does not bump the serial when the content is unchanged, but still makes the pods match', async () => {
    const first = harness([zone('z', '2026-01-01T00:00:00Z')]);
    await first.run('ns/z');
    expect(first.statuses[0]).toMatchObject({ serial: 1 });
    const second = harness([zone('z', '2026-01-01T00:00:00Z', { serial: 1, contentHash: String(first.statuses[0]!.contentHash) })]);
    await second.run('ns/z');
    expect(second.statuses.some((st) => 'serial' in st)).toBe(false);
    expect(second.log).toContain('push x.test serial=1');
  });

  it('posts no Event while a new zone waits for its first ready pod, nor once it is served; a served zone losing its pods is one', async () => {
    const noPods = () => undefined;
    const created = harness([zone('z', '2026-01-01T00:00:00Z')], [], [instance], noPods);
    await created.run('ns/z');
    expect(created.log.join('\n')).toMatch(/"reason":"NoReadyPods"/);
    const waiting = { serial: 1, contentHash: String(created.statuses[0]!.contentHash), conditions: [{ type: 'Ready', status: 'False' as const, reason: 'NoReadyPods', observedGeneration: 1 }] };
    const served = harness([zone('z', '2026-01-01T00:00:00Z', waiting)]);
    await served.run('ns/z');
    expect(served.log.join('\n')).toMatch(/"reason":"Synced"/);
    const lost = harness([zone('z', '2026-01-01T00:00:00Z', { ...waiting, syncedSerial: 1, conditions: [{ type: 'Ready', status: 'True', reason: 'Synced', observedGeneration: 1 }] })], [], [instance], noPods);
    await lost.run('ns/z');
    expect([...created.log, ...served.log, ...lost.log].filter((l) => l.startsWith('event'))).toEqual(['event NoReadyPods']);
  });

  it('gives the younger of two zones with one zoneName DuplicateZone and pushes nothing for it', async () => {
    const { log, run } = harness([zone('young', '2026-02-01T00:00:00Z'), zone('old', '2026-01-01T00:00:00Z')]);
    await run('ns/young');
    expect(log.filter((l) => l.startsWith('push'))).toEqual([]);
    expect(log.join('\n')).toMatch(/"reason":"DuplicateZone"/);
    expect(log).toContain('event DuplicateZone');
  });

  it('starts at spec.soaRecord.serial and reports the served records and instances', async () => {
    const { log, run, statuses } = harness([zone('z', '2026-01-01T00:00:00Z', undefined, { soaRecord: { ...SOA, serial: 2026010100 } })]);
    await run('ns/z');
    expect(log[1]).toBe('push x.test serial=2026010100');
    expect(statuses.at(-1)).toMatchObject({ recordsCount: 1, records: [{ kind: 'ARecord', name: 'www' }], bind9InstancesCount: 1, bind9Instances: [{ name: 'dns', status: 'Configured' }] });
  });

  it.each<[string, Partial<DNSZone['spec']>, string, RegExp]>([
    ['selects no instance', { bind9InstancesFrom: [{ selector: { matchLabels: { dns: 'nowhere' } } }] }, 'NoInstances', /bind9InstancesFrom/],
    ['names a cluster with no instances', { bind9InstancesFrom: null, clusterRef: 'missing' }, 'NoInstances', /clusterRef "missing"/],
    ['names a DNSSEC policy its primaries do not define', { dnssecPolicy: 'corp-ksk' }, 'UnknownDnssecPolicy', /spec\.dnssecPolicy "corp-ksk" is neither built into named.*ns\/dns; define it there/],
    ['uses an unknown selector operator', { recordsFrom: [{ selector: { matchExpressions: [{ key: 'a', operator: 'Near' }] } }] }, 'InvalidSelector', /Near/],
  ])('a zone that %s is Ready=False %s and pushes nothing', async (_what, extra, reason, message) => {
    const { log, run, statuses } = harness([zone('z', '2026-01-01T00:00:00Z', undefined, extra)]);
    await run('ns/z');
    expect(log.filter((l) => l.startsWith('push'))).toEqual([]);
    const ready = (statuses.at(-1)?.conditions as Array<{ status: string; reason: string; message: string }>)[0]!;
    expect(ready).toMatchObject({ status: 'False', reason });
    expect(ready.message).toMatch(message);
  });

  it('pushes data to primaries only; a secondary is told its primaries and is current once its transfer serves the serial', async () => {
    const secondary: Bind9Instance = { ...instance, metadata: { ...instance.metadata, name: 'dns2' }, spec: { clusterRef: 'c', role: 'secondary' } };
    const both = harness([zone('z', '2026-01-01T00:00:00Z')], [], [instance, secondary]);
    both.transfer(undefined);
    expect(await both.run('ns/z')).toEqual({ requeueAfterMs: 1000 });
    expect(both.log.filter((l) => l.startsWith('push') || l.startsWith('secondary'))).toEqual(['push x.test serial=1', 'secondary dns2 x.test from ip-dns']);
    expect(both.statuses.at(-1)).toMatchObject({ bind9InstancesCount: 2, bind9Instances: [{ name: 'dns', status: 'Configured' }, { name: 'dns2', status: 'Claimed' }] });
    expect((both.statuses.at(-1)?.conditions as Array<{ reason: string; message: string }>)[0]).toMatchObject({ reason: 'TransferPending', message: expect.stringMatching(/waiting for zone transfer to secondary dns2:8053 serves no serial/) });
    expect(both.log.filter((l) => l.startsWith('event'))).toEqual([]);
    both.transfer(1);
    await both.run('ns/z');
    // The secondary already follows the primaries (the term's shared inventory says so): only its serial is read anew.
    expect(both.log.filter((l) => l.startsWith('secondary') || l.startsWith('read secondary'))).toEqual(['secondary dns2 x.test from ip-dns', 'read secondary dns2 x.test']);
    expect(both.statuses.at(-1)).toMatchObject({ bind9Instances: [{ name: 'dns', status: 'Configured' }, { name: 'dns2', status: 'Configured' }], pods: [{ pod: '10.0.0.1:8053', servedSerial: 1 }, { pod: 'dns2:8053', servedSerial: 1 }], syncedSerial: 1 });
    expect(both.served.size).toBe(1);
    expect((both.statuses.at(-1)?.conditions as Array<{ reason: string; message: string }>)[0]).toMatchObject({ reason: 'Synced', message: expect.stringMatching(/2 pod\(s\) \(1 by zone transfer\)/) });
  });

  it('signs with a built-in dnssec-policy: the primaries get it in the zone options before the data, and status.dnssec says signed', async () => {
    const { log, run, statuses } = harness([zone('z', '2026-01-01T00:00:00Z', undefined, { dnssecPolicy: 'default' })]);
    await run('ns/z');
    expect(log.filter((l) => l.startsWith('push') || l.startsWith('options'))).toEqual(['options dns x.test {"alsoNotify":[],"allowTransfer":[],"dnssecPolicy":"default"}', 'push x.test serial=1']);
    expect(statuses.at(-1)).toMatchObject({ dnssec: { signed: true, algorithm: 'ECDSAP256SHA256', keyTag: 61546, dsRecords: ['x.test. IN DS 61546 13 2 ABCDEF'] } });
  });

  it('is NoPrimaries, pushing and telling nothing, when only secondaries are selected', async () => {
    const secondary: Bind9Instance = { ...instance, metadata: { ...instance.metadata, name: 'dns2' }, spec: { clusterRef: 'c', role: 'secondary' } };
    const only = harness([zone('z', '2026-01-01T00:00:00Z')], [], [secondary]);
    await only.run('ns/z');
    expect(only.log.filter((l) => l.startsWith('push') || l.startsWith('secondary'))).toEqual([]);
    expect((only.statuses.at(-1)?.conditions as Array<{ reason: string; message: string }>)[0]).toMatchObject({ reason: 'NoPrimaries', message: expect.stringMatching(/ns\/dns2.*select a Bind9Instance with role primary/) });
  });

  it('reports a pod whose push failed as PushFailed (event, per-pod served serial) and fails the reconcile so it is retried with backoff', async () => {
    const failing = (desired: number): PodResult => ({ pod: '10.0.0.1:8053', serial: desired - 1, changed: false, error: 'GET 10.0.0.1:8053/v1/zones: answer exceeds the 16777216-byte limit' });
    const { log, run, statuses } = harness([zone('z', '2026-01-01T00:00:00Z', { serial: 4, contentHash: 'old' })], [], [instance], failing);
    await expect(run('ns/z')).rejects.toThrow(/answer exceeds/);
    const last = statuses.at(-1)!;
    expect(last.pods).toEqual([{ pod: '10.0.0.1:8053', servedSerial: 4, error: expect.stringMatching(/answer exceeds/) }]);
    expect(last.syncedSerial).toBeUndefined();
    expect((last.conditions as Array<{ reason: string; message: string }>)[0]).toMatchObject({ reason: 'PushFailed', message: expect.stringMatching(/10\.0\.0\.1:8053 serves serial 4: GET/) });
    expect(log).toContain('event PushFailed');
    expect(last.bind9Instances).toEqual([expect.objectContaining({ name: 'dns', status: 'Failed' })]);
  });

  it('is not Synced while a pod serves another serial than the desired one', async () => {
    const behind = (desired: number): PodResult => ({ pod: '10.0.0.1:8053', serial: desired - 1, changed: false });
    const { run, statuses } = harness([zone('z', '2026-01-01T00:00:00Z', { serial: 4, contentHash: 'old' })], [], [instance], behind);
    await run('ns/z');
    expect((statuses.at(-1)!.conditions as Array<{ reason: string; message: string }>)[0]).toMatchObject({ reason: 'NotServed', message: 'serial 5 is not served yet: 10.0.0.1:8053 serves serial 4' });
    // Upstream's per-instance status says Configured only once the pods serve the serial.
    expect(statuses.at(-1)!.bind9Instances).toEqual([expect.objectContaining({ name: 'dns', status: 'Claimed' })]);
    expect(statuses.at(-1)!.syncedSerial).toBeUndefined();
  });

  it('records no Event for a zone served at its first report (a bulk import makes thousands), but one for a recovery', async () => {
    const fresh = harness([zone('z', '2026-01-01T00:00:00Z')]);
    await fresh.run('ns/z');
    expect(fresh.statuses.at(-1)).toMatchObject({ conditions: [expect.objectContaining({ reason: 'Synced' })] });
    expect(fresh.log.filter((l) => l.startsWith('event'))).toEqual([]);
    const failed = { type: 'Ready', status: 'False' as const, reason: 'PushFailed', message: 'refused', observedGeneration: 1 };
    const recovering = harness([zone('z', '2026-01-01T00:00:00Z', { serial: 1, contentHash: 'old', conditions: [failed] })]);
    await recovering.run('ns/z');
    expect(recovering.log).toContain('event Synced');
  });
});
