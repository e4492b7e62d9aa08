import type { Bind9Cluster, Bind9Instance, ClusterBind9Provider, DNSZone, DnsRecord, RecordKind } from '../crds/types.js';
import type { Informer } from '../kube/informer.js';
import type { RecordIndex } from './record-index.js';
import type { ZoneBuilds } from './zone-builds.js';
import type { ZoneIndex } from './zone-index.js';
import type { DeploymentView, EndpointSliceView } from '../kube/cache-transform.js';
import type { KubeObject } from '../kube/objects.js';

/** EndpointSlice is the part of discovery.k8s.io/v1 EndpointSlice the pusher reads (and the cache keeps). */
export type EndpointSlice = EndpointSliceView;

/** Deployment is the part of apps/v1 Deployment the instance status reads (and the cache keeps). */
export type Deployment = DeploymentView;

/** Secret is a core/v1 Secret (only bindy's own, by label, are cached). */
export interface Secret extends KubeObject {
  data?: Record<string, string>;
}

/** Caches are the informers every controller reads from (never the apiserver, for lists). */
export interface Caches {
  readonly providers: Informer<ClusterBind9Provider & KubeObject>;
  readonly clusters: Informer<Bind9Cluster & KubeObject>;
  readonly instances: Informer<Bind9Instance & KubeObject>;
  readonly zones: Informer<DNSZone & KubeObject>;
  readonly records: ReadonlyMap<RecordKind, Informer<DnsRecord & KubeObject>>;
  /** The records of each zone, kept from the record informers' events. */
  readonly recordIndex: RecordIndex;
  /** Which zones serve their name, and which may select a record, kept from the zone informer's events. */
  readonly zoneIndex: ZoneIndex;
  /** Each zone's last build, kept until its spec, its records' spec or labels, or another zone change. */
  readonly zoneBuilds: ZoneBuilds;
  readonly slices: Informer<EndpointSlice>;
  readonly deployments: Informer<Deployment>;
  /** bindy's pods and ReplicaSets (by label), to push only to pods the instance's Deployment made (owned-pods.ts). */
  readonly pods: Informer<KubeObject>;
  readonly replicaSets: Informer<KubeObject>;
  /** Only Secrets labelled managed-by=bindy (the agent tokens and rndc keys it generated). */
  readonly secrets: Informer<Secret>;
}
