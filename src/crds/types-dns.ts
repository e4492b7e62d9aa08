/**
 * TypeScript shapes of DNSZone and the eight record kinds (upstream Bindy's v1beta1);
 * `schema-dns.ts` describes the same objects for the apiserver.
 */
import type { ZoneReference } from './types-infra.js';
import type { BindyObject, CommonStatus, RecordKind, SelectorSource } from './types.js';

/** SoaRecord is the zone's SOA data; times are seconds, names absolute. */
export interface SoaRecord {
  primaryNs: string;
  /** Mailbox as a name (`hostmaster.example.com.`); `user@domain` is accepted too. */
  adminEmail: string;
  /** Initial serial: the served serial never goes below it. */
  serial: number;
  refresh: number;
  retry: number;
  expire: number;
  negativeTtl: number;
}

/** NameServer is one authoritative server of the zone; addresses give glue for in-zone names. */
export interface NameServer {
  hostname: string;
  ipv4Address?: string | null;
  ipv6Address?: string | null;
}

/** DNSZoneSpec is the desired state of one authoritative zone. */
export interface DNSZoneSpec {
  zoneName: string;
  soaRecord: SoaRecord;
  /** Default TTL of the zone's records; 3600 when absent. */
  ttl?: number | null;
  /** A Bind9Cluster (same namespace) or ClusterBind9Provider whose instances serve the zone. */
  clusterRef?: string | null;
  /** Bind9Instances (same namespace) selected by label; the union with clusterRef's. */
  bind9InstancesFrom?: SelectorSource[] | null;
  /** The records (same namespace) of the zone, by label. */
  recordsFrom?: SelectorSource[] | null;
  nameServers?: NameServer[] | null;
  /** Deprecated upstream: host name → IPv4 glue. */
  nameServerIps?: Record<string, string> | null;
  dnssecPolicy?: string | null;
}

/** InstanceStatus is whether a zone is configured on one instance. */
export type InstanceStatus = 'Claimed' | 'Configured' | 'Failed' | 'Unclaimed';

/** InstanceReferenceWithStatus is one instance serving a zone. */
export interface InstanceReferenceWithStatus {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string;
  status: InstanceStatus;
  message?: string;
  lastReconciledAt?: string;
}

/** RecordReference is one record of a zone. */
export interface RecordReference {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string;
  recordName?: string;
  lastReconciledAt?: string;
}

/** DNSZoneStatus reports the zone's instances, records and (Bindy-TS) serial bookkeeping. */
export interface DNSZoneStatus extends CommonStatus {
  recordsCount?: number;
  records?: RecordReference[];
  bind9InstancesCount?: number;
  bind9Instances?: InstanceReferenceWithStatus[];
  dnssec?: { signed: boolean; algorithm?: string; keyTag?: number; dsRecords?: string[]; lastKeyRollover?: string; nextKeyRollover?: string };
  /** SOA serial of the last rendered content (int64, monotonic; Bindy-TS). */
  serial?: number;
  /** Hash of the rendered zone content without the serial (Bindy-TS). */
  contentHash?: string;
  /** The serial every target pod was last confirmed serving: the zone was Synced at it (Bindy-TS). */
  syncedSerial?: number;
  /** Per target pod: the serial its named serves, as its agent confirmed it, and the last push error (Bindy-TS). */
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

/** RecordSpecBase is the part of the spec every record kind has. */
export interface RecordSpecBase {
  /** Owner name relative to the zone; `@` is the apex, `*` a wildcard first label. */
  name: string;
  /** Record TTL; the zone's ttl when absent. */
  ttl?: number | null;
}

export interface ARecordSpec extends RecordSpecBase {
  ipv4Addresses: string[];
}
export interface AAAARecordSpec extends RecordSpecBase {
  ipv6Addresses: string[];
}
export interface CNAMERecordSpec extends RecordSpecBase {
  target: string;
}
export interface MXRecordSpec extends RecordSpecBase {
  priority: number;
  mailServer: string;
}
export interface TXTRecordSpec extends RecordSpecBase {
  text: string[];
}
export interface NSRecordSpec extends RecordSpecBase {
  nameserver: string;
}
export interface SRVRecordSpec extends RecordSpecBase {
  priority: number;
  weight: number;
  port: number;
  target: string;
}
export interface CAARecordSpec extends RecordSpecBase {
  flags: number;
  tag: string;
  value: string;
}

/** RecordStatus reports which zone a record was attached to. */
export interface RecordStatus extends CommonStatus {
  /** zoneName of the DNSZone the record belongs to. */
  zone?: string;
  /** The DNSZone the record was attached to: the same reference an instance lists its zones by. */
  zoneRef?: ZoneReference;
  /** Comma-separated served addresses (A/AAAA). */
  addresses?: string;
  publishedName?: string;
  recordHash?: string;
  lastUpdated?: string;
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

/** DEFAULTS are what the operator uses where upstream's schema leaves a field optional without a default. */
export const DEFAULTS = {
  bind9Instance: {
    replicas: 1,
    version: '9.18',
    config: { recursion: false, allowQuery: ['any'], allowTransfer: ['none'] },
  },
  dnsZone: { ttl: 3600 },
} as const;
