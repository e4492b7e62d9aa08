/**
 * cache-objects.ts: DNSZones and A records shaped as the apiserver returns them once bindy wrote
 * their status (the cache-memory benchmark's load), as JSON text.
 */
import { API_VERSION } from '../../src/crds/types.js';
import { zoneName } from './dns-load.js';

export const NS = 'bench-cache-memory';

const time = (i: number) => new Date(Date.UTC(2026, 11, 2, 2, 47, 13 + Math.floor(i / 300))).toISOString().replace('.000Z', 'Z');
const uid = (i: number, salt: number) => `${(0x10000000 + i * 7919 + salt).toString(16)}-4e1f-4c1a-9b7e-${(0x100000000000 + i * 104729 + salt).toString(16)}`;
const managed = (manager: string, at: string, fields: object, subresource?: string) => ({ apiVersion: API_VERSION, fieldsType: 'FieldsV1', fieldsV1: fields, manager, operation: 'Update', ...(subresource ? { subresource } : {}), time: at });

/** recordJson is an A record as a list returns it after bindy judged it Ready. */
export function recordJson(z: number, r: number, withStatus = true): string {
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
    ...(withStatus ? { status: {
      addresses: `198.51.100.${r + 1}`,
      conditions: [{ lastTransitionTime: created, message: `served in zone ${zoneName(z)} (DNSZone z${z}) at serial 2026120201 by every pod`, observedGeneration: 1, reason: 'Attached', status: 'True', type: 'Ready' }],
      observedGeneration: 1,
      zone: zoneName(z),
      zoneRef: { apiVersion: API_VERSION, kind: 'DNSZone', name: `z${z}`, namespace: NS, zoneName: zoneName(z) },
    } } : {}),
  });
}

/** zoneJson is a DNSZone as a list returns it once bindy pushed it and its pod serves it. */
export function zoneJson(z: number, records: number, withStatus = true): string {
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
    ...(withStatus ? { status: {
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
    } } : {}),
  });
}

