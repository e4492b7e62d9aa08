/**
 * TypeScript shapes of the bindy custom resources (`bindy.firestoned.io/v1beta1`).
 *
 * Shared names and shapes; `types-infra.ts` and `types-dns.ts` hold the kinds, which the schemas
 * in `schema-*.ts` describe for the apiserver (`test/infra/crds.test.ts` keeps them in step).
 * Optional fields may be absent or null, as upstream allows; readers use `DEFAULTS` for them.
 */

import type { KubeObject } from '../kube/objects.js';

/** GROUP is the API group of every bindy resource. */
export const GROUP = 'bindy.firestoned.io';
/** VERSION is the served and stored version of every bindy resource. */
export const VERSION = 'v1beta1';
/** API_VERSION is the `apiVersion` string of every bindy object. */
export const API_VERSION = `${GROUP}/${VERSION}` as const;

/** RECORD_KINDS lists the DNS record kinds, in the order they are documented. */
export const RECORD_KINDS = [
  'ARecord',
  'AAAARecord',
  'CNAMERecord',
  'MXRecord',
  'TXTRecord',
  'NSRecord',
  'SRVRecord',
  'CAARecord',
] as const;
/** RecordKind is one of RECORD_KINDS. */
export type RecordKind = (typeof RECORD_KINDS)[number];

/** INFRA_KINDS are the kinds that describe BIND9 servers, outermost first. */
export const INFRA_KINDS = ['ClusterBind9Provider', 'Bind9Cluster', 'Bind9Instance'] as const;
/** KINDS lists every bindy kind: the infrastructure kinds, DNSZone, then the record kinds. */
export const KINDS = [...INFRA_KINDS, 'DNSZone', ...RECORD_KINDS] as const;
/** Kind is one of KINDS. */
export type Kind = (typeof KINDS)[number];
/** CLUSTER_SCOPED_KINDS have no namespace. */
export const CLUSTER_SCOPED_KINDS = ['ClusterBind9Provider'] as const;

/** isRecordKind narrows a kind string to a RecordKind. */
export function isRecordKind(kind: string): kind is RecordKind {
  return (RECORD_KINDS as readonly string[]).includes(kind);
}

// ---------------------------------------------------------------------------------------------
// Common

/** ConditionStatus is the tri-state value of a condition (as metav1.Condition). */
export type ConditionStatus = 'True' | 'False' | 'Unknown';

/**
 * Condition is a status condition. Upstream requires only `type` and `status`; Bindy-TS always
 * writes all fields (`lastTransitionTime` as RFC 3339) and `observedGeneration`.
 */
export interface Condition {
  type: string;
  status: ConditionStatus;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  observedGeneration?: number;
}

/** READY is the condition type every bindy resource reports. */
export const READY = 'Ready';

/** CommonStatus is the status every bindy resource has. */
export interface CommonStatus {
  conditions?: Condition[];
  /** The metadata.generation the status describes (int64). */
  observedGeneration?: number;
}

/** LabelSelectorRequirement is one matchExpressions entry. */
export interface LabelSelectorRequirement {
  key: string;
  /** In, NotIn, Exists or DoesNotExist (others match nothing). */
  operator: string;
  values?: string[];
}

/** LabelSelector is a metav1.LabelSelector: every matchLabels entry and every requirement must hold. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

/** SelectorSource is one entry of recordsFrom / bind9InstancesFrom. */
export interface SelectorSource {
  selector: LabelSelector;
}

/** ObjectMeta is the subset of metav1.ObjectMeta the operator reads and writes (one definition for all objects). */
export type ObjectMeta = KubeObject['metadata'];

/** BindyObject is a whole custom object of kind K with spec S and status T. */
export interface BindyObject<K extends Kind, S, T extends CommonStatus> {
  apiVersion: typeof API_VERSION;
  kind: K;
  metadata: ObjectMeta;
  spec: S;
  status?: T;
}

export * from './types-infra.js';
export * from './types-dns.js';

/** BindyResource is any bindy object. */
export type BindyResource =
  | import('./types-infra.js').ClusterBind9Provider
  | import('./types-infra.js').Bind9Cluster
  | import('./types-infra.js').Bind9Instance
  | import('./types-dns.js').DNSZone
  | import('./types-dns.js').DnsRecord;
