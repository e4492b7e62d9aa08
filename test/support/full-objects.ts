/**
 * One object per bindy kind that sets every field of upstream Bindy's v1beta1 schema (typed with
 * our interfaces, so a field missing from `src/crds/types*.ts` fails to compile). The CRD tests
 * compare their field paths with our schemas; the round-trip test stores them in a real apiserver.
 */
import type {
  Bind9ClusterSpec,
  Bind9ClusterStatus,
  Bind9Config,
  Bind9InstanceSpec,
  Bind9InstanceStatus,
  ClusterBind9ProviderSpec,
  CommonStatus,
  Condition,
  DNSZoneSpec,
  DNSZoneStatus,
  Kind,
  RecordSpecByKind,
  RecordStatus,
  RndcKeyConfig,
  RndcSecretRef,
  RoleConfig,
} from '../../src/crds/index.js';

const condition: Required<Condition> = { type: 'Ready', status: 'True', reason: 'Ready', message: 'ok', lastTransitionTime: '2026-01-01T00:00:00Z', observedGeneration: 1 };
const common: Required<CommonStatus> = { conditions: [condition], observedGeneration: 1 };
const selector = { matchLabels: { app: 'x' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['dev', 'prod'] }] };
const secretRef: Required<RndcSecretRef> = { name: 's', algorithm: 'hmac-sha512', keyNameKey: 'kn', secretKey: 'sk' };
const rndcKey: Required<RndcKeyConfig> = {
  algorithm: 'hmac-sha384',
  autoRotate: true,
  rotateAfter: '48h',
  secretRef,
  secret: { metadata: { name: 'k', labels: { a: 'b' }, annotations: { c: 'd' } }, type: 'Opaque', data: { k: 'dg==' }, stringData: { s: 'v' } },
};
const env = [{ name: 'RUST_LOG', value: 'debug' }];
const bindcar = { image: 'bindcar:1', imagePullPolicy: 'Always', logLevel: 'debug', port: 8080, envVars: env, resources: { limits: { cpu: '1' } }, serviceSpec: { type: 'ClusterIP' } };
const config: Required<Bind9Config> = {
  recursion: false,
  allowQuery: ['any'],
  allowTransfer: ['10.0.0.0/8'],
  forwarders: ['192.0.2.1'],
  listenOn: ['any'],
  listenOnV6: ['none'],
  dnssec: {
    validation: true,
    signing: {
      enabled: true,
      policy: 'default',
      algorithm: 'ECDSAP256SHA256',
      kskLifetime: '365d',
      zskLifetime: '90d',
      nsec3: true,
      nsec3Iterations: 0,
      nsec3Salt: 'ab',
      autoGenerate: true,
      exportToSecret: true,
      keysFrom: { secretRef: { name: 'keys', namespace: 'dns' }, persistentVolume: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } },
    },
  },
  rndcSecretRef: secretRef,
  bindcarConfig: bindcar,
};
const volumes = [{ name: 'extra', emptyDir: { medium: 'Memory' } }];
const volumeMounts = [{ name: 'extra', mountPath: '/extra', readOnly: true }];
const role: Required<RoleConfig> = {
  replicas: 2,
  labels: { tier: 'dns' },
  allowTransfer: ['10.0.0.0/8'],
  rndcKey,
  rndcSecretRef: secretRef,
  service: { annotations: { a: 'b' }, spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Local' } },
};
const clusterSpec: Required<Bind9ClusterSpec> = {
  version: '9.20',
  image: { image: 'bind9:9.20', imagePullPolicy: 'IfNotPresent', imagePullSecrets: ['regcred'] },
  configMapRefs: { namedConf: 'a', namedConfOptions: 'b', namedConfZones: 'c' },
  global: config,
  primary: role,
  secondary: role,
  acls: { internal: ['10.0.0.0/8', '!192.0.2.1'] },
  rndcSecretRefs: [secretRef],
  volumes,
  volumeMounts,
};
const clusterStatus: Required<Bind9ClusterStatus> = { ...common, instanceCount: 2, readyInstances: 1, instances: ['a-primary-0'] };
const ref = { apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'DNSZone', name: 'z', namespace: 'ns' };
const recordStatus: Required<RecordStatus> = {
  ...common,
  zone: 'example.com',
  zoneRef: { ...ref, zoneName: 'example.com', lastReconciledAt: '2026-01-01T00:00:00Z' },
  addresses: '192.0.2.1',
  publishedName: 'www.example.com.',
  recordHash: 'h',
  lastUpdated: '2026-01-01T00:00:00Z',
};
const base = { name: 'www', ttl: 60 };

/** FULL_OBJECTS holds, per kind, a spec and a status that set every upstream field (and ours). */
export const FULL_OBJECTS: { [K in Kind]: { spec: object; status: object } } = {
  ClusterBind9Provider: { spec: { ...clusterSpec, namespace: 'dns-system' } satisfies Required<ClusterBind9ProviderSpec>, status: clusterStatus },
  Bind9Cluster: { spec: clusterSpec, status: clusterStatus },
  Bind9Instance: {
    spec: {
      clusterRef: 'c',
      role: 'secondary',
      replicas: 1,
      version: '9.18',
      image: { image: 'bind9:9.18', imagePullPolicy: 'IfNotPresent', imagePullSecrets: ['regcred'] },
      configMapRefs: { namedConf: 'a', namedConfOptions: 'b', namedConfZones: 'c' },
      config,
      primaryServers: ['192.0.2.1'],
      rndcKey,
      rndcSecretRef: secretRef,
      storage: { storageType: 'persistentVolumeClaim', emptyDir: { sizeLimit: '1Gi' }, persistentVolumeClaim: { claimName: 'c', storageClassName: 'fast', size: '1Gi', accessModes: ['ReadWriteOnce'] } },
      bindcarConfig: bindcar,
      volumes,
      volumeMounts,
    } satisfies Required<Bind9InstanceSpec>,
    status: {
      ...common,
      observedParentGeneration: 2,
      clusterRef: { apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'Bind9Cluster', name: 'c', namespace: 'ns' },
      serviceAddress: '10.0.0.1',
      zones: [{ ...ref, zoneName: 'example.com', lastReconciledAt: '2026-01-01T00:00:00Z' }],
      zonesCount: 1,
      rndcKeyRotation: { createdAt: '2026-01-01T00:00:00Z', lastRotatedAt: '2026-01-02T00:00:00Z', rotateAt: '2026-02-01T00:00:00Z', rotationCount: 1 },
      replicas: 1,
      readyReplicas: 1,
    } satisfies Required<Bind9InstanceStatus>,
  },
  DNSZone: {
    spec: {
      zoneName: 'example.com',
      soaRecord: { primaryNs: 'ns1.example.com.', adminEmail: 'admin.example.com.', serial: 2026010101, refresh: 3600, retry: 600, expire: 604800, negativeTtl: 86400 },
      ttl: 300,
      clusterRef: 'c',
      bind9InstancesFrom: [{ selector }],
      recordsFrom: [{ selector }],
      nameServers: [{ hostname: 'ns2.example.com.', ipv4Address: '192.0.2.2', ipv6Address: '2001:db8::2' }],
      nameServerIps: { 'ns1.example.com.': '192.0.2.1' },
      dnssecPolicy: 'default',
    } satisfies Required<DNSZoneSpec>,
    status: {
      ...common,
      recordsCount: 1,
      records: [{ apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'ARecord', name: 'www', namespace: 'ns', recordName: 'www', lastReconciledAt: '2026-01-01T00:00:00Z' }],
      bind9InstancesCount: 1,
      bind9Instances: [{ apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'Bind9Instance', name: 'i', namespace: 'ns', status: 'Configured', message: 'ok', lastReconciledAt: '2026-01-01T00:00:00Z' }],
      dnssec: { signed: true, algorithm: 'ECDSAP256SHA256', keyTag: 12345, dsRecords: ['example.com. IN DS 1 13 2 AB'], lastKeyRollover: '2026-01-01T00:00:00Z', nextKeyRollover: '2026-04-01T00:00:00Z' },
      serial: 2026010101,
      contentHash: 'h',
      syncedSerial: 2026010101,
      pods: [{ pod: '10.0.0.1:8053', servedSerial: 2026010101, error: 'e' }],
    } satisfies Required<DNSZoneStatus>,
  },
  ARecord: { spec: { ...base, ipv4Addresses: ['192.0.2.1', '192.0.2.2'] } satisfies Required<RecordSpecByKind['ARecord']>, status: recordStatus },
  AAAARecord: { spec: { ...base, ipv6Addresses: ['2001:db8::1'] } satisfies Required<RecordSpecByKind['AAAARecord']>, status: recordStatus },
  CNAMERecord: { spec: { ...base, target: 'web.example.com.' } satisfies Required<RecordSpecByKind['CNAMERecord']>, status: recordStatus },
  MXRecord: { spec: { ...base, priority: 10, mailServer: 'mail.example.com.' } satisfies Required<RecordSpecByKind['MXRecord']>, status: recordStatus },
  TXTRecord: { spec: { ...base, text: ['v=spf1 -all'] } satisfies Required<RecordSpecByKind['TXTRecord']>, status: recordStatus },
  NSRecord: { spec: { ...base, nameserver: 'ns.other.example.' } satisfies Required<RecordSpecByKind['NSRecord']>, status: recordStatus },
  SRVRecord: { spec: { ...base, priority: 1, weight: 2, port: 5060, target: 'sip.example.com.' } satisfies Required<RecordSpecByKind['SRVRecord']>, status: recordStatus },
  CAARecord: { spec: { ...base, flags: 0, tag: 'issue', value: 'letsencrypt.org' } satisfies Required<RecordSpecByKind['CAARecord']>, status: recordStatus },
};
