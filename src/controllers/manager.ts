import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { API_VERSION, RECORD_KINDS, RESOURCES, type Bind9Cluster, type Bind9Instance, type ClusterBind9Provider, type DNSZone, type DnsRecord, type RecordKind } from '../crds/index.js';
import { attaches } from '../dns/build.js';
import type { KubeClient } from '../kube/api-client.js';
import { EventRecorder } from '../kube/events.js';
import { metadataOnly, trimDeployment, trimEndpointSlice, trimObject, trimRecord, trimZone, withoutManagedFields } from '../kube/cache-transform.js';
import { Informer, sleep, type InformerEventType } from '../kube/informer.js';
import { objectKey, resourcePath, type KubeObject } from '../kube/objects.js';
import type { Leadership } from '../leader/leadership.js';
import type { ControllerSet, Runnable } from '../operator/runnable.js';
import { AGENT_CA_SECRET, loadAgentCa } from './agent-certificates.js';
import { resolveAgentImage } from './agent-image.js';
import { CLUSTER_LABELS, reconcileCluster, reconcileProvider } from './bind9-cluster.js';
import { reconcileInstance } from './bind9-instance.js';
import { INSTANCE_LABEL } from './bind9-resources.js';
import type { Caches, Deployment, EndpointSlice, Secret } from './caches.js';
import { Controller, type ControllerMetrics } from './controller.js';
import { reconcileZone } from './dns-zone.js';
import { withInstanceNameServers } from './name-server-addresses.js';
import { Pusher, type PushMetrics } from './push.js';
import { RecordIndex } from './record-index.js';
import { reconcileRecord } from './records.js';
import { ServedZones } from './served-zones.js';
import { servesZone } from './selection.js';
import { ZoneBuilds } from './zone-builds.js';
import { ZONE_POLICY_ANNOTATION, ZoneClaims } from './zone-claims.js';
import { ZoneIndex } from './zone-index.js';

/** ControllerTuning holds knobs that are not part of SPEC §1 (tests shorten them). */
export interface ControllerTuning {
  /** Image of the agent sidecar. @default - BINDY_AGENT_IMAGE, else the operator Pod's own image (agent-image.ts) */
  readonly agentImage?: string;
  /** How often zones and instances are re-checked against the agents (refills pods that lost their disk). @default 30000 */
  readonly resyncMs?: number;
  /** Agent port (tests run several agents on one host). @default 8053 */
  readonly agentPort?: number;
  /**
   * Reconcile only these keys (`namespace/name`, or a provider's name), while the caches still see
   * the whole cluster: a test judging zone claims across namespaces beside other tests' objects. @default every key
   */
  readonly reconcileOnly?: (key: string) => boolean;
}

export interface ControllerDeps {
  readonly client: KubeClient;
  readonly log: Logger;
  readonly metrics: ControllerMetrics & PushMetrics;
  /** watchNamespace limits the controllers to one namespace (all when absent). */
  readonly config: Pick<Config, 'leaderElection' | 'leaseName' | 'leaseNamespace'> & Partial<Pick<Config, 'watchNamespace' | 'podNamespace' | 'identity' | 'agentImage'>>;
  readonly tuning?: ControllerTuning;
}

function makeCaches(client: KubeClient, log: Logger, ns: string | undefined): Caches {
  // Each cache keeps only what the controllers read (cache-transform.ts): it holds every object of its kind, on standbys too.
  const inf = <T extends KubeObject>(path: string, labelSelector?: string, transform: (o: KubeObject) => KubeObject = trimObject) => new Informer<T>({ client, path, labelSelector, transform, log: log.child({ informer: path }) });
  const records = new Map(RECORD_KINDS.map((k) => [k, inf<DnsRecord & KubeObject>(resourcePath(API_VERSION, RESOURCES[k].plural, ns), undefined, trimRecord)]));
  const zones = inf<DNSZone & KubeObject>(resourcePath(API_VERSION, RESOURCES.DNSZone.plural, ns), undefined, trimZone);
  const recordIndex = new RecordIndex(records);
  // Cluster-scoped: watched across the cluster even when the operator watches one namespace.
  const providers = inf<ClusterBind9Provider & KubeObject>(resourcePath(API_VERSION, RESOURCES.ClusterBind9Provider.plural), undefined, withoutManagedFields);
  const instances = inf<Bind9Instance & KubeObject>(resourcePath(API_VERSION, RESOURCES.Bind9Instance.plural, ns), undefined, withoutManagedFields);
  const zoneIndex = new ZoneIndex(zones, () => {
    const claims = new ZoneClaims({ zones, instances, providers });
    return (zone) => claims.refused(zone);
  });
  // A claim follows which instances a zone selects (their labels, clusterRef) and the providers' zone policy.
  zoneIndex.follow(instances, (i) => `${JSON.stringify(i.metadata.labels ?? {})}/${i.spec.clusterRef}/${i.metadata.deletionTimestamp ?? ''}`);
  zoneIndex.follow(providers, (p) => p.metadata.annotations?.[ZONE_POLICY_ANNOTATION] ?? '');
  // Slices copy their Service's labels, so only bindy's slices are watched.
  const slices = inf<EndpointSlice>(resourcePath('discovery.k8s.io/v1', 'endpointslices', ns), 'app.kubernetes.io/managed-by=bindy', trimEndpointSlice);
  const deployments = inf<Deployment>(resourcePath('apps/v1', 'deployments', ns), 'app.kubernetes.io/managed-by=bindy', trimDeployment);
  // A Deployment copies its pod template's labels (managed-by=bindy included) into its ReplicaSets and pods.
  const pods = inf<KubeObject>(resourcePath('v1', 'pods', ns), 'app.kubernetes.io/managed-by=bindy', metadataOnly);
  const replicaSets = inf<KubeObject>(resourcePath('apps/v1', 'replicasets', ns), 'app.kubernetes.io/managed-by=bindy', metadataOnly);
  // Generated name-server addresses are those of pods the instances' own Deployments made (owned-pods.ts).
  const zoneBuilds = new ZoneBuilds(recordIndex, zoneIndex, (zone) => withInstanceNameServers({ instances, providers, slices, pods, replicaSets, deployments }, zone));
  zones.on((type, z) => {
    if (type === 'DELETED') zoneBuilds.forget(objectKey(z));
  });
  return {
    providers,
    clusters: inf<Bind9Cluster & KubeObject>(resourcePath(API_VERSION, RESOURCES.Bind9Cluster.plural, ns), undefined, withoutManagedFields),
    instances,
    zones,
    records,
    recordIndex,
    zoneIndex,
    zoneBuilds,
    slices,
    deployments,
    pods,
    replicaSets,
    secrets: inf<Secret>(resourcePath('v1', 'secrets', ns), 'app.kubernetes.io/managed-by=bindy'),
  };
}

function informersOf(c: Caches): Informer<KubeObject>[] {
  return [c.providers, c.clusters, c.instances, c.zones, ...c.records.values(), c.slices, c.deployments, c.pods, c.replicaSets, c.secrets] as Informer<KubeObject>[];
}

interface Controllers {
  readonly provider: Controller;
  readonly cluster: Controller;
  readonly instance: Controller;
  readonly zone: Controller;
  readonly records: Map<RecordKind, Controller>;
}

/** Term is what a leadership term resolves once before its controllers start. */
interface Term {
  readonly pusher: Pusher;
  readonly agentImage: string;
  /** The zones this term found served, re-checked against the pods every resync (served-zones.ts). */
  readonly served: ServedZones;
}

/** buildControllers makes one controller per kind; `term` yields the current term's Pusher and agent image. */
function buildControllers(deps: ControllerDeps, caches: Caches, log: Logger, term: () => Term): Controllers {
  const events = new EventRecorder(deps.client, log);
  const resyncMs = deps.tuning?.resyncMs ?? RESYNC_MS;
  const settings = {
    leaseNamespace: deps.config.leaseNamespace,
    operatorNamespace: deps.config.podNamespace ?? deps.config.leaseNamespace,
    leaseName: deps.config.leaseName,
    leaderElection: deps.config.leaderElection,
  };
  const client = deps.client;
  const base = { log, metrics: deps.metrics };
  const only = deps.tuning?.reconcileOnly ?? (() => true);
  const keysOf = (inf: { list(): KubeObject[] } | undefined) => () => inf?.list().map(objectKey).filter(only) ?? [];
  const gate =
    <A extends unknown[], R>(fn: (k: string, ...rest: A) => Promise<R>) =>
    (k: string, ...rest: A): Promise<R | void> =>
      only(k) ? fn(k, ...rest) : Promise.resolve();
  // A provider's instances live in the operator's namespace unless it names one; the lease namespace is that namespace.
  const clusterDeps = { client, caches, events, operatorNamespace: deps.config.leaseNamespace, resyncMs };
  return {
    provider: new Controller({ ...base, kind: 'ClusterBind9Provider', keys: keysOf(caches.providers), reconcile: gate((k) => reconcileProvider(clusterDeps, k)) }),
    cluster: new Controller({ ...base, kind: 'Bind9Cluster', keys: keysOf(caches.clusters), reconcile: gate((k) => reconcileCluster(clusterDeps, k)) }),
    instance: new Controller({ ...base, kind: 'Bind9Instance', keys: keysOf(caches.instances), reconcile: gate((k, ctx) => reconcileInstance({ client, caches, events, settings: { ...settings, agentImage: term().agentImage }, pusher: term().pusher, resyncMs }, k, ctx)) }),
    // A zone reconcile mostly waits (ZONE_WORKERS); an agent applies the pushes that arrive
    // together in one batch (one rndc reload).
    zone: new Controller({ ...base, kind: 'DNSZone', workers: ZONE_WORKERS, keys: keysOf(caches.zones), reconcile: gate((k, ctx) => reconcileZone({ client, caches, events, pusher: term().pusher, resyncMs, served: term().served }, k, ctx)) }),
    // Record status is bookkeeping, but a record is Ready only once written (RECORD_WORKERS).
    records: new Map(
      RECORD_KINDS.map((kind) => [kind, new Controller({ ...base, kind, workers: RECORD_WORKERS, keys: keysOf(caches.records.get(kind)), reconcile: gate((k, ctx) => reconcileRecord({ client, caches, events }, kind, k, ctx)) })]),
    ),
  };
}

/**
 * createControllers wires informers (always running, so a standby keeps a warm cache) and
 * leader-gated reconcilers for Bind9Instance, DNSZone and every record kind. Controllers and
 * event wiring are built once; each leadership term gets its own Pusher, fencing with that
 * term's token, so a new term can never write with an old term's token.
 */
export function createControllers(deps: ControllerDeps): ControllerSet & { informers: Runnable } {
  const log = deps.log.child({ subsystem: 'controllers' });
  const caches = makeCaches(deps.client, log, deps.config.watchNamespace || undefined);
  let term: Term | undefined;
  const resyncMs = deps.tuning?.resyncMs ?? RESYNC_MS;
  const controllers = buildControllers(deps, caches, log, () => {
    if (!term) throw new Error('no leadership term');
    return term;
  });
  wire(caches, controllers.instance, controllers.zone, controllers.records);
  wireClusters(caches, controllers.provider, controllers.cluster);
  const informers: Runnable = {
    start: async (signal) => {
      const all = informersOf(caches);
      const shared = sharedSignal([signal], all.length * 4);
      await Promise.all(all.map((i) => i.start(shared)));
    },
    ready: () => informersOf(caches).every((i) => i.synced),
  };
  const reconcilers = (leadership: Leadership): Runnable => ({
    start: async (signal) => {
      // A term never acts on a partial cache: a zone rendered from half of its records would take
      // the other half out of named. A replica that took the lease right after it started (a
      // rollout's new pod) waits here until its first lists are in.
      if (!informers.ready?.()) {
        log.info('Waiting for caches to sync before reconciling');
        while (!informers.ready?.() && !signal.aborted && !leadership.signal.aborted) await sleep(20, leadership.signal);
        if (signal.aborted || leadership.signal.aborted) return;
      }
      // The CA is read (or made) once per term, before any instance is given a certificate: from
      // the cache a standby kept warm when it holds it. The agent image is read beside it.
      const [ca, agentImage] = await Promise.all([
        loadAgentCa(deps.client, deps.config.leaseNamespace, caches.secrets.get(`${deps.config.leaseNamespace}/${AGENT_CA_SECRET}`)),
        deps.tuning?.agentImage ?? resolveAgentImage({ client: deps.client, log, override: deps.config.agentImage, podName: deps.config.identity, podNamespace: deps.config.podNamespace }),
      ]);
      const pusher = new Pusher(deps.client, caches, leadership, deps.metrics, ca, deps.tuning?.agentPort);
      const served = new ServedZones();
      term = { pusher, agentImage, served };
      const first = [controllers.provider, controllers.cluster, controllers.instance, controllers.zone];
      const records = [...controllers.records.values()];
      // Every idle worker of every controller waits on this one signal (and removes its listener when woken).
      const stop = sharedSignal([signal, leadership.signal], (first.length + records.length) * Math.max(ZONE_WORKERS, RECORD_WORKERS) + 1);
      // What pods serve comes first: record status (thousands of re-judged records) waits until
      // every zone was verified once, or FIRST_PASS_MS, whichever is sooner.
      const termStarted = performance.now();
      const zones = caches.zones.list().length;
      const zonesVerified = controllers.zone.firstPassDone().then(() => {
        if (!stop.aborted) log.info({ zones, ms: Math.round(performance.now() - termStarted) }, 'First pass over zones done');
      });
      const zonesFirst = Promise.race([zonesVerified, sleep(FIRST_PASS_MS, stop)]);
      try {
        await Promise.all([
          ...first.map((c) => c.start(stop)),
          zonesFirst.then(() => Promise.all(records.map((c) => c.start(stop)))),
          served.run(stop, resyncMs, () => served.drifted(caches, pusher), (key) => controllers.zone.enqueue(key), log),
        ]);
      } finally {
        term?.pusher.close();
        term = undefined;
      }
    },
  });
  return { names: ['ClusterBind9Provider', 'Bind9Cluster', 'Bind9Instance', 'DNSZone', ...RECORD_KINDS], informers, reconcilers };
}

/**
 * sharedSignal is a signal of our own that aborts with any of `parents`, with room for the
 * listeners of many informers or workers; the callers' signals and their limits stay untouched.
 */
function sharedSignal(parents: AbortSignal[], listeners: number): AbortSignal {
  const signal = AbortSignal.any(parents);
  setMaxListeners(listeners, signal);
  return signal;
}

/** Shape is what neighbours of an object depend on: spec-level fields, not status. */
type Shape = (o: KubeObject) => string;

const specShape: Shape = (o) => `${o.metadata.generation}/${o.metadata.deletionTimestamp ?? ''}/${JSON.stringify(o.metadata.labels ?? {})}`;

/**
 * reshaped tells spec-level changes from status-only ones. Informers deliver every status write
 * too; fanning those out would make each push re-judge every record of the namespace. The shape
 * before is the informer's previous object's: a map of every object's last shape cost a
 * 110,000-entry table on every replica at 10,000 zones.
 */
function reshaped<T extends KubeObject>(type: InformerEventType, o: T, previous: T | undefined, shapeOf: Shape = specShape): boolean {
  return type !== 'MODIFIED' || previous === undefined || shapeOf(previous) !== shapeOf(o);
}

/** wireClusters re-reconciles a cluster when one of its instances changes, and a provider when its cluster does. */
function wireClusters(caches: Caches, providerCtl: Controller, clusterCtl: Controller): void {
  caches.providers.on((_, p) => providerCtl.enqueue(objectKey(p)));
  caches.clusters.on((_, c) => {
    clusterCtl.enqueue(objectKey(c));
    const owner = c.metadata.ownerReferences?.find((o) => o.kind === 'ClusterBind9Provider');
    if (owner) providerCtl.enqueue(owner.name);
  });
  caches.instances.on((_, i) => {
    const cluster = i.metadata.labels?.[CLUSTER_LABELS.cluster];
    if (cluster) clusterCtl.enqueue(`${i.metadata.namespace}/${cluster}`);
  });
}

/**
 * COALESCE_MS is how long a record's change waits before its zone is rendered and pushed (and its
 * siblings re-judged): records arriving together — a bulk import, a Helm release — cost one push
 * per zone instead of one per record. Measured with 1,000 zones × 10 records (bench/convergence.ts).
 */
const COALESCE_MS = 200;

/**
 * ZONE_WORKERS: a zone reconcile waits on two status writes (the serial before the push, the
 * report after it) and the push; during a 1,000-zone import on a busy machine one took 773 ms on
 * average (2,744 reconciles), so 16 workers capped the zones at ≈ 20 a second.
 */
const ZONE_WORKERS = 32;

/**
 * RECORD_WORKERS per record kind: a record is Ready only once its status is written, one write
 * each, and the writes wait on the apiserver, not on this process's CPU. With four, 1,000 zones ×
 * 10 records reported Ready 25 s after every zone was served (bench/convergence.ts), the record
 * queue 3,000 deep for 300 zones; with sixteen, every zone was served at the last create but half
 * of the records still waited for their write (120 ms each on average).
 */
const RECORD_WORKERS = 32;

/** RESYNC_MS is how often zones and instances are checked against what their pods serve (ControllerTuning.resyncMs). */
const RESYNC_MS = 30_000;

/** FIRST_PASS_MS bounds how long a new leader's record controllers wait for its first pass over the zones. */
const FIRST_PASS_MS = 5_000;

/** wire maps cache events to the keys whose desired state they change (controllers ignore them while not leading). */
function wire(caches: Caches, instanceCtl: Controller, zoneCtl: Controller, recordCtls: Map<RecordKind, Controller>): void {
  // A zone's records become Ready when its pods confirm a new serial: a status-only change they
  // must hear of. The serial persisted before a push changes no record's verdict (each waits for
  // the pods' confirmation), so it re-judges nothing.
  const servedSerial: Shape = (o) => `${(o as DNSZone).status?.syncedSerial}`;
  const zonesServedBy = (i: Bind9Instance | undefined) => {
    if (i) for (const z of caches.zones.list()) if (servesZone(caches, z, i)) zoneCtl.enqueue(objectKey(z));
  };
  caches.instances.on((type, i, previous) => {
    instanceCtl.enqueue(objectKey(i));
    if (reshaped(type, i, previous)) zonesServedBy(i);
  });
  // A provider appearing or going changes which namespaces a zone's clusterRef reaches.
  // Its zone policy annotation changes which claims on its instances are granted, and so what they keep.
  caches.providers.on((_, p) => {
    for (const z of caches.zones.list()) if (z.spec.clusterRef === p.metadata.name) zoneCtl.enqueue(objectKey(z));
    for (const i of caches.instances.list()) if (i.spec.clusterRef === p.metadata.name) instanceCtl.enqueue(objectKey(i));
  });
  const byInstanceLabel = (o: KubeObject, alsoZones: boolean) => {
    const name = o.metadata.labels?.[INSTANCE_LABEL];
    if (!name) return;
    instanceCtl.enqueue(`${o.metadata.namespace}/${name}`);
    // New or lost pods: zones are pushed to a new pod at once, not at the next resync.
    if (alsoZones) zonesServedBy(caches.instances.get(`${o.metadata.namespace}/${name}`));
  };
  caches.deployments.on((_, d) => byInstanceLabel(d, false));
  caches.slices.on((_, s) => byInstanceLabel(s, true));
  // A slice may list a pod before the pod's informer has it: hearing of the pod pushes to it at once.
  caches.pods.on((type, p) => byInstanceLabel(p, type !== 'MODIFIED'));
  // zonesOf lists the zones whose recordsFrom select a record (more than one is an error the record reports).
  const zonesOf = (r: DnsRecord): DNSZone[] => caches.zoneIndex.selectingAny(r).filter((z) => attaches(z, r));
  // The records of a zone are re-judged when it or a sibling changes (a CNAME conflict appears or goes away).
  const recordsOf = (z: DNSZone) => {
    for (const { kind, record } of caches.recordIndex.entries(z)) if (attaches(z, record)) recordCtls.get(kind)?.enqueue(objectKey(record));
  };
  // A record's change re-judges its siblings once per zone per COALESCE_MS, not once per record:
  // importing 10,000 records into one zone enqueued all of them 10,000 times (10^8 enqueues).
  const siblingsDue = new Set<string>();
  let siblingsTimer: NodeJS.Timeout | undefined;
  const recordsOfSoon = (z: DNSZone) => {
    siblingsDue.add(objectKey(z));
    siblingsTimer ??= setTimeout(() => {
      siblingsTimer = undefined;
      const due = [...siblingsDue];
      siblingsDue.clear();
      for (const key of due) {
        const zone = caches.zones.get(key);
        if (zone) recordsOf(zone);
      }
    }, COALESCE_MS).unref();
  };
  // A zone's own status writes come back as events: they change nothing it reconciles from, and
  // re-running each zone after every write doubled the zone queue during a bulk import (and ran
  // on a cache that had not seen the write yet). Someone else's status edit is repaired at the resync.
  const zoneShape: Shape = (o) => `${o.metadata.generation}/${o.metadata.deletionTimestamp ?? ''}`;
  caches.zones.on((type, z, before) => {
    const key = objectKey(z);
    if (reshaped(type, z, before, zoneShape)) zoneCtl.enqueue(key);
    // A record is Ready only once its zone serves it and while its zone is Ready: a change of the
    // zone's served serials or of its Ready condition (both status-only) re-judges its records.
    const readyOf = (o: DNSZone | undefined) => {
      const c = o?.status?.conditions?.find((x) => x.type === 'Ready');
      return `${c?.status}/${c?.reason}/${c?.observedGeneration}`;
    };
    if (reshaped(type, z, before, servedSerial) || readyOf(before) !== readyOf(z)) recordsOf(z);
    if (!reshaped(type, z, before)) return;
    // Zones claiming the same name (before or after the edit) decide again which one serves it.
    for (const other of [...caches.zoneIndex.named(z.spec.zoneName ?? ''), ...(before ? caches.zoneIndex.named(before.spec.zoneName ?? '') : [])]) zoneCtl.enqueue(objectKey(other));
    // Every record of the namespace may have joined or left; zones that share a record with this
    // one (before or after the edit) must re-judge it too.
    for (const { kind, record } of [...caches.recordIndex.entries(z), ...(before ? caches.recordIndex.entries(before) : [])]) {
      if (!attaches(z, record) && !(before && attaches(before, record))) continue;
      recordCtls.get(kind)?.enqueue(objectKey(record));
      for (const other of zonesOf(record)) zoneCtl.enqueue(objectKey(other));
    }
    for (const i of caches.instances.list()) if (servesZone(caches, z, i) || (before && servesZone(caches, before, i))) instanceCtl.enqueue(objectKey(i));
  });
  for (const [kind, inf] of caches.records) {
    inf.on((type, r, before) => {
      const key = objectKey(r);
      // A record's own status writes come back as events that change nothing it is judged from
      // (a bulk import re-judged every record after each of its writes); the resync repairs
      // someone else's edit of its status.
      if (!reshaped(type, r, before)) return;
      recordCtls.get(kind)?.enqueue(key);
      // The zones it left (labels edited) and the zones it joined re-render, nothing else.
      const zones = new Map([...(before ? zonesOf(before) : []), ...zonesOf(r)].map((z) => [objectKey(z), z]));
      for (const [zoneKey, z] of zones) {
        zoneCtl.enqueueSoon(zoneKey, COALESCE_MS);
        recordsOfSoon(z);
      }
    });
  }
}
