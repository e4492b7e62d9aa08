/**
 * TypeScript shapes of the bindy custom resources (`bindy.firestoned.io/v1beta1`).
 *
 * These interfaces and the OpenAPI schemas in `definitions.ts` describe the same objects; the
 * tests in `test/infra/crds.test.ts` keep them in step. Optional fields that have a schema default
 * are optional here too: the apiserver fills the default on write, but objects built in memory
 * (tests, fakes) may omit them, so readers should use the `DEFAULTS` below.
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

/** KINDS lists every bindy kind: the two infrastructure kinds, then the record kinds. */
export const KINDS = ['Bind9Instance', 'DNSZone', ...RECORD_KINDS] as const;
/** Kind is one of KINDS. */
export type Kind = (typeof KINDS)[number];

/** isRecordKind narrows a kind string to a RecordKind. */
export function isRecordKind(kind: string): kind is RecordKind {
  return (RECORD_KINDS as readonly string[]).includes(kind);
}

// ---------------------------------------------------------------------------------------------
// Common

/** ConditionStatus is the tri-state value of a condition (as metav1.Condition). */
export type ConditionStatus = 'True' | 'False' | 'Unknown';

/**
 * Condition follows metav1.Condition. `type`, `status`, `reason`, `message` and
 * `lastTransitionTime` are required by the schema; `reason` is a non-empty CamelCase word,
 * `lastTransitionTime` an RFC 3339 date-time (e.g. `new Date().toISOString()`).
 */
export interface Condition {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
  lastTransitionTime: string;
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

/** LabelSelector selects objects by exact label values (all must match). */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
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

// ---------------------------------------------------------------------------------------------
// Bind9Instance

/** Bind9Config holds the named.conf options the operator renders for an instance. */
export interface Bind9Config {
  /** @default false */
  recursion?: boolean;
  /** Address match list elements (`any`, `none`, `localhost`, `localnets`, IPs, CIDRs, `!x`). @default ["any"] */
  allowQuery?: string[];
  /** Address match list for zone transfers. @default ["none"] */
  allowTransfer?: string[];
  /** Answers `version.bind` with nothing. @default true */
  hideVersion?: boolean;
}

/** Bind9InstanceSpec is the desired state of a set of BIND9 pods. */
export interface Bind9InstanceSpec {
  /** Number of named pods, 1..10. @default 1 */
  replicas?: number;
  /** The BIND9 container image. @default "internetsystemsconsortium/bind9:9.18" */
  image?: string;
  config?: Bind9Config;
}

/** Bind9InstanceStatus reports the pods of an instance. */
export interface Bind9InstanceStatus extends CommonStatus {
  replicas?: number;
  readyReplicas?: number;
}

export type Bind9Instance = BindyObject<'Bind9Instance', Bind9InstanceSpec, Bind9InstanceStatus>;

// ---------------------------------------------------------------------------------------------
// DNSZone

/** SoaRecord is the zone's SOA data; times are seconds. */
export interface SoaRecord {
  /** FQDN of the primary name server (MNAME); a trailing dot is optional. */
  primaryNs: string;
  /** Responsible mailbox: `hostmaster@example.com` or `hostmaster.example.com` (RNAME). */
  adminEmail: string;
  /** @default 3600 */
  refresh?: number;
  /** @default 600 */
  retry?: number;
  /** @default 604800 */
  expire?: number;
  /** @default 300 */
  negativeTtl?: number;
}

/** DNSZoneSpec is the desired state of one authoritative zone. */
export interface DNSZoneSpec {
  /** Lowercase FQDN without trailing dot, e.g. `example.com`. Immutable. */
  zoneName: string;
  /** Selects the Bind9Instances (same namespace) that serve the zone. */
  instanceSelector: { matchLabels: Record<string, string> };
  /** Selects records (same namespace) by label, in addition to records whose zoneRef names this zone. */
  recordSelector?: LabelSelector;
  /** Default TTL of the zone's records. @default 3600 */
  ttl?: number;
  soaRecord: SoaRecord;
  /** NS records at the apex (FQDNs). @default [soaRecord.primaryNs] (applied by the controller) */
  nameServers?: string[];
}

/** DNSZoneStatus reports what was last pushed for the zone. */
export interface DNSZoneStatus extends CommonStatus {
  /** SOA serial of the last rendered content (int64, monotonic). */
  serial?: number;
  /** Hash of the rendered zone content (without the serial). */
  contentHash?: string;
  recordCount?: number;
  /** `namespace/name` (or name) of the Bind9Instances serving the zone. */
  instances?: string[];
  /** The serial every target pod was last confirmed serving (the zone was Synced at it). */
  syncedSerial?: number;
  /** Per target pod: the serial its named serves, as its agent confirmed it, and the last push error. */
  pods?: PodServing[];
}

/** PodServing is one pod's line in DNSZone status.pods. */
export interface PodServing {
  /** The pod's agent address (`ip:port`). */
  pod: string;
  /** The serial the pod's named serves; absent when it serves none. */
  servedSerial?: number;
  error?: string;
}

export type DNSZone = BindyObject<'DNSZone', DNSZoneSpec, DNSZoneStatus>;

// ---------------------------------------------------------------------------------------------
// Records

/** RecordSpecBase is the part of the spec every record kind has. */
export interface RecordSpecBase {
  /** metadata.name of a DNSZone in the same namespace. */
  zoneRef?: string;
  /** Owner name relative to the zone; `@` is the apex, `*` a wildcard first label. */
  name: string;
  /** Record TTL; the zone's ttl when absent. */
  ttl?: number;
}

export interface ARecordSpec extends RecordSpecBase {
  ipv4Address: string;
}
export interface AAAARecordSpec extends RecordSpecBase {
  ipv6Address: string;
}
export interface CNAMERecordSpec extends RecordSpecBase {
  /** FQDN the name is an alias of; a trailing dot is optional. */
  target: string;
}
export interface MXRecordSpec extends RecordSpecBase {
  priority: number;
  /** FQDN of the mail server, or `.` for a null MX (RFC 7505). */
  mailServer: string;
}
export interface TXTRecordSpec extends RecordSpecBase {
  /** One or more character strings; the renderer quotes, escapes and splits at 255 octets. */
  text: string[];
}
export interface NSRecordSpec extends RecordSpecBase {
  /** FQDN of the delegated name server. */
  nameserver: string;
}
export interface SRVRecordSpec extends RecordSpecBase {
  priority: number;
  weight: number;
  port: number;
  /** FQDN of the target host, or `.` for "service not available". */
  target: string;
}
/** CaaTag is the fixed vocabulary of CAA property tags the schema accepts. */
export type CaaTag = 'issue' | 'issuewild' | 'iodef';
export interface CAARecordSpec extends RecordSpecBase {
  flags: number;
  tag: CaaTag;
  value: string;
}

/** RecordStatus reports which zone a record was attached to. */
export interface RecordStatus extends CommonStatus {
  /** zoneName of the DNSZone the record belongs to. */
  zone?: string;
}

/** RecordSpecByKind maps each record kind to its spec type. */
export interface RecordSpecByKind {
  ARecord: ARecordSpec;
  AAAARecord: AAAARecordSpec;
  CNAMERecord: CNAMERecordSpec;
  MXRecord: MXRecordSpec;
  TXTRecord: TXTRecordSpec;
  NSRecord: NSRecordSpec;
  SRVRecord: SRVRecordSpec;
  CAARecord: CAARecordSpec;
}

/** DnsRecord<K> is a whole record object of kind K. */
export type DnsRecord<K extends RecordKind = RecordKind> = {
  [P in K]: BindyObject<P, RecordSpecByKind[P], RecordStatus>;
}[K];

export type ARecord = DnsRecord<'ARecord'>;
export type AAAARecord = DnsRecord<'AAAARecord'>;
export type CNAMERecord = DnsRecord<'CNAMERecord'>;
export type MXRecord = DnsRecord<'MXRecord'>;
export type TXTRecord = DnsRecord<'TXTRecord'>;
export type NSRecord = DnsRecord<'NSRecord'>;
export type SRVRecord = DnsRecord<'SRVRecord'>;
export type CAARecord = DnsRecord<'CAARecord'>;

/** BindyResource is any bindy object. */
export type BindyResource = Bind9Instance | DNSZone | DnsRecord;

// ---------------------------------------------------------------------------------------------
// Defaults (the same values as the schema defaults)

/** DEFAULTS are the schema defaults, for objects that did not pass through the apiserver. */
export const DEFAULTS = {
  bind9Instance: {
    replicas: 1,
    image: 'internetsystemsconsortium/bind9:9.18',
    config: { recursion: false, allowQuery: ['any'], allowTransfer: ['none'], hideVersion: true },
  },
  dnsZone: {
    ttl: 3600,
    soaRecord: { refresh: 3600, retry: 600, expire: 604800, negativeTtl: 300 },
  },
} as const;
