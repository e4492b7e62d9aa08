/**
 * TypeScript shapes of ClusterBind9Provider, Bind9Cluster and Bind9Instance (upstream Bindy's
 * v1beta1). `schema-infra.ts` describes the same objects for the apiserver. Embedded Kubernetes
 * core types (volumes, env vars, service specs) are kept as plain JSON objects.
 */
import type { BindyObject, CommonStatus } from './types.js';

/** RndcAlgorithm is the HMAC algorithm of an rndc or TSIG key. */
export type RndcAlgorithm = 'hmac-sha1' | 'hmac-sha224' | 'hmac-sha256' | 'hmac-sha384' | 'hmac-sha512';

/** RndcSecretRef names a Secret holding a key. */
export interface RndcSecretRef {
  name: string;
  /** @default "hmac-sha256" */
  algorithm?: RndcAlgorithm;
  /** @default "key-name" */
  keyNameKey?: string;
  /** @default "secret" */
  secretKey?: string;
}

/** RndcKeyConfig says where an rndc key comes from. */
export interface RndcKeyConfig {
  algorithm?: RndcAlgorithm;
  autoRotate?: boolean;
  rotateAfter?: string;
  secretRef?: RndcSecretRef | null;
  secret?: { metadata: { name: string; labels?: Record<string, string> | null; annotations?: Record<string, string> | null }; type?: string; data?: Record<string, string> | null; stringData?: Record<string, string> | null } | null;
}

/** JsonObject is an embedded Kubernetes object kept as written. */
export type JsonObject = Record<string, unknown>;

/** BindcarConfig configures upstream's API sidecar (Bindy-TS runs its own agent instead). */
export interface BindcarConfig {
  image?: string | null;
  imagePullPolicy?: string | null;
  logLevel?: string | null;
  port?: number | null;
  envVars?: JsonObject[] | null;
  resources?: JsonObject | null;
  serviceSpec?: JsonObject | null;
}

/** DnssecSigning configures zone signing. */
export interface DnssecSigning {
  /** @default false */
  enabled?: boolean;
  policy?: string | null;
  algorithm?: string | null;
  kskLifetime?: string | null;
  zskLifetime?: string | null;
  nsec3?: boolean | null;
  nsec3Iterations?: number | null;
  nsec3Salt?: string | null;
  autoGenerate?: boolean | null;
  exportToSecret?: boolean | null;
  keysFrom?: { secretRef?: { name: string; namespace?: string | null } | null; persistentVolume?: JsonObject | null } | null;
}

/** Bind9Config is a named.conf options block (a cluster's `global` or an instance's `config`). */
export interface Bind9Config {
  recursion?: boolean | null;
  allowQuery?: string[] | null;
  allowTransfer?: string[] | null;
  forwarders?: string[] | null;
  listenOn?: string[] | null;
  listenOnV6?: string[] | null;
  dnssec?: { validation?: boolean | null; signing?: DnssecSigning | null } | null;
  rndcSecretRef?: RndcSecretRef | null;
  bindcarConfig?: BindcarConfig | null;
}

/** ImageConfig is the named container image. */
export interface ImageConfig {
  image?: string | null;
  imagePullPolicy?: string | null;
  imagePullSecrets?: string[] | null;
}

/** ConfigMapRefs replace generated named.conf parts. */
export interface ConfigMapRefs {
  namedConf?: string | null;
  namedConfOptions?: string | null;
  namedConfZones?: string | null;
}

/** RoleConfig is the primary or secondary part of a cluster. */
export interface RoleConfig {
  replicas?: number | null;
  labels?: Record<string, string> | null;
  allowTransfer?: string[] | null;
  rndcKey?: RndcKeyConfig | null;
  rndcSecretRef?: RndcSecretRef | null;
  service?: { annotations?: Record<string, string> | null; spec?: JsonObject | null } | null;
}

/** Bind9ClusterSpec is shared by Bind9Cluster and ClusterBind9Provider. */
export interface Bind9ClusterSpec {
  /** @default "9.18" */
  version?: string | null;
  image?: ImageConfig | null;
  configMapRefs?: ConfigMapRefs | null;
  global?: Bind9Config | null;
  primary?: RoleConfig | null;
  secondary?: RoleConfig | null;
  acls?: Record<string, string[]> | null;
  rndcSecretRefs?: RndcSecretRef[] | null;
  volumes?: JsonObject[] | null;
  volumeMounts?: JsonObject[] | null;
}

/** ClusterBind9ProviderSpec is a cluster-scoped Bind9ClusterSpec plus the instances' namespace. */
export interface ClusterBind9ProviderSpec extends Bind9ClusterSpec {
  namespace?: string | null;
}

/** Bind9ClusterStatus reports a cluster's instances. */
export interface Bind9ClusterStatus extends CommonStatus {
  instanceCount?: number;
  readyInstances?: number;
  instances?: string[];
}

export type Bind9Cluster = BindyObject<'Bind9Cluster', Bind9ClusterSpec, Bind9ClusterStatus>;
export type ClusterBind9Provider = BindyObject<'ClusterBind9Provider', ClusterBind9ProviderSpec, Bind9ClusterStatus>;

/** ServerRole is an instance's role: zones are pushed to primaries and transferred to secondaries. */
export type ServerRole = 'primary' | 'secondary';

/** StorageConfig says where zone files live. */
export interface StorageConfig {
  /** @default "emptyDir" */
  storageType?: 'emptyDir' | 'persistentVolumeClaim';
  emptyDir?: JsonObject | null;
  persistentVolumeClaim?: { claimName?: string | null; storageClassName?: string | null; size?: string | null; accessModes?: string[] | null } | null;
}

/** Bind9InstanceSpec is one set of named pods of one role. */
export interface Bind9InstanceSpec {
  clusterRef: string;
  role: ServerRole;
  /** Pods; 1 when absent. */
  replicas?: number | null;
  version?: string | null;
  image?: ImageConfig | null;
  configMapRefs?: ConfigMapRefs | null;
  config?: Bind9Config | null;
  primaryServers?: string[] | null;
  rndcKey?: RndcKeyConfig | null;
  rndcSecretRef?: RndcSecretRef | null;
  storage?: StorageConfig | null;
  bindcarConfig?: BindcarConfig | null;
  volumes?: JsonObject[] | null;
  volumeMounts?: JsonObject[] | null;
}

/** ZoneReference names a DNSZone by object and zone name: a zone an instance serves, or the zone a record joined. */
export interface ZoneReference {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string;
  zoneName: string;
  lastReconciledAt?: string;
}

/** Bind9InstanceStatus reports the instance's pods and zones. */
export interface Bind9InstanceStatus extends CommonStatus {
  observedParentGeneration?: number;
  clusterRef?: { apiVersion: string; kind: string; name: string; namespace?: string };
  serviceAddress?: string;
  zones?: ZoneReference[];
  zonesCount?: number;
  rndcKeyRotation?: { createdAt: string; lastRotatedAt?: string; rotateAt?: string; rotationCount?: number };
  /** Pods of the instance (Bindy-TS). */
  replicas?: number;
  /** Ready pods (Bindy-TS). */
  readyReplicas?: number;
}

export type Bind9Instance = BindyObject<'Bind9Instance', Bind9InstanceSpec, Bind9InstanceStatus>;
