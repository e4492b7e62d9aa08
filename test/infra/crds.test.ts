import { isIPv4, isIPv6 } from 'node:net';
import { CustomResourceDefinition as CrdModel } from 'kubernetes-models/apiextensions.k8s.io/v1/CustomResourceDefinition';
import {
  customResourceDefinitions,
  DEFAULTS,
  KINDS,
  PATTERNS,
  RECORD_KINDS,
  RESOURCES,
  resourcePath,
  type Bind9InstanceSpec,
  type Bind9InstanceStatus,
  type CommonStatus,
  type Condition,
  type DNSZoneSpec,
  type DNSZoneStatus,
  type JSONSchemaProps,
  type Kind,
  type RecordSpecByKind,
  type RecordStatus,
} from '../../src/crds/index.js';

const re = (p: string): RegExp => new RegExp(p);

describe('bindy CRDs', () => {
  const crds = customResourceDefinitions();

  it('defines one namespaced CRD per kind, named <plural>.<group>', () => {
    expect(crds.map((c) => c.spec.names.kind)).toEqual([...KINDS]);
    for (const c of crds) {
      expect(c.spec.scope).toBe('Namespaced');
      expect(c.metadata.name).toBe(`${RESOURCES[c.spec.names.kind as keyof typeof RESOURCES].plural}.bindy.firestoned.io`);
      expect(c.spec.versions[0]?.subresources.status).toEqual({});
      expect(c.spec.names.shortNames.length).toBeGreaterThan(0);
    }
  });

  it('passes the apiextensions.k8s.io/v1 offline schema', () => {
    for (const c of crds) expect(() => new CrdModel(c as never).validate()).not.toThrow();
  });

  it('has the agreed short names and plurals', () => {
    expect(RESOURCES.Bind9Instance.shortNames).toEqual(['b9i', 'b9']);
    expect(RESOURCES.DNSZone.shortNames).toEqual(['dz', 'zone']);
    expect(RESOURCES.AAAARecord.plural).toBe('aaaarecords');
    expect(resourcePath('DNSZone', 'dns-system')).toBe('/apis/bindy.firestoned.io/v1beta1/namespaces/dns-system/dnszones');
    expect(resourcePath('ARecord')).toBe('/apis/bindy.firestoned.io/v1beta1/arecords');
  });

  it('gives every record kind Record (owner name), Zone, Ready and Age columns', () => {
    for (const c of crds.filter((x) => (RECORD_KINDS as readonly string[]).includes(x.spec.names.kind))) {
      const names = c.spec.versions[0]!.additionalPrinterColumns.map((x) => x.name);
      expect(names.slice(0, 2)).toEqual(['Record', 'Zone']);
      expect(names.slice(-2)).toEqual(['Ready', 'Age']);
      expect(names.length).toBeGreaterThan(4);
    }
  });

  it('uses the same defaults in the schema as in DEFAULTS', () => {
    const spec = (kind: string): JSONSchemaProps =>
      crds.find((c) => c.spec.names.kind === kind)!.spec.versions[0]!.schema.openAPIV3Schema.properties!.spec!;
    const b9 = spec('Bind9Instance').properties!;
    expect(b9.replicas!.default).toBe(DEFAULTS.bind9Instance.replicas);
    expect(b9.image!.default).toBe(DEFAULTS.bind9Instance.image);
    for (const [k, v] of Object.entries(DEFAULTS.bind9Instance.config)) expect(b9.config!.properties![k]!.default).toEqual(v);
    const dz = spec('DNSZone').properties!;
    expect(dz.ttl!.default).toBe(DEFAULTS.dnsZone.ttl);
    for (const [k, v] of Object.entries(DEFAULTS.dnsZone.soaRecord)) expect(dz.soaRecord!.properties![k]!.default).toBe(v);
  });
});

describe('validation patterns', () => {
  it.each(['0.0.0.0', '192.168.1.10', '255.255.255.255', '10.0.0.1'])('accepts IPv4 %s', (a) => {
    expect(isIPv4(a)).toBe(true);
    expect(re(PATTERNS.ipv4).test(a)).toBe(true);
  });
  it.each(['256.1.1.1', '1.2.3', '01.2.3.4', '1.2.3.4 ', 'a.b.c.d', '1.2.3.4/32'])('rejects IPv4 %j', (a) => {
    expect(re(PATTERNS.ipv4).test(a)).toBe(false);
  });
  it.each(['::', '::1', '2001:db8::1', 'fe80::1:2:3:4', '2001:0db8:0000:0000:0000:ff00:0042:8329', '::ffff:192.0.2.1', '64:ff9b::192.0.2.33', '1::', '1:2:3:4:5:6:7::'])(
    'accepts IPv6 %s',
    (a) => {
      expect(isIPv6(a)).toBe(true);
      expect(re(PATTERNS.ipv6).test(a)).toBe(true);
    },
  );
  it.each(['1.2.3.4', ':::', '2001:db8::1::1', '12345::', 'fe80::1%eth0', '2001:db8::/32', 'g::1', '1:2:3:4:5:6:7:8:9'])('rejects IPv6 %j', (a) => {
    // (node's isIPv6 accepts zone ids; the schema does not.)
    expect(re(PATTERNS.ipv6).test(a)).toBe(false);
  });
  it.each(['example.com', 'a.b-c.example', '1.168.192.in-addr.arpa', 'local'])('accepts zone name %s', (z) => {
    expect(re(PATTERNS.zoneName).test(z)).toBe(true);
  });
  it.each(['Example.com', 'example.com.', '-a.com', 'a..b', 'a_b.com', ''])('rejects zone name %j', (z) => {
    expect(re(PATTERNS.zoneName).test(z)).toBe(false);
  });
  it.each(['@', 'www', '*', '*.apps', '_sip._tcp', '_dmarc', 'a.b.c'])('accepts record name %s', (n) => {
    expect(re(PATTERNS.recordName).test(n)).toBe(true);
  });
  it.each(['www.', 'a..b', 'w w', '@.x', 'a.*', '-x', ''])('rejects record name %j', (n) => {
    expect(re(PATTERNS.recordName).test(n)).toBe(false);
  });
  it.each(['hostmaster@example.com', 'first.last@example.com', 'hostmaster.example.com', 'hostmaster.example.com.'])('accepts admin email %s', (e) => {
    expect(re(PATTERNS.adminEmail).test(e)).toBe(true);
  });
  it.each(['@example.com', 'a@@b.com', 'a b@c.com', 'x@'])('rejects admin email %j', (e) => {
    expect(re(PATTERNS.adminEmail).test(e)).toBe(false);
  });
  it.each(['any', 'none', '10.0.0.0/8', '!192.168.1.1', '2001:db8::/32', 'localnets'])('accepts ACL element %s', (e) => {
    expect(re(PATTERNS.addressMatchElement).test(e)).toBe(true);
  });
  it.each(['any; }; include "/etc/passwd"', 'a b', '"any"', '{any}', ''])('rejects ACL element %j', (e) => {
    expect(re(PATTERNS.addressMatchElement).test(e)).toBe(false);
  });
  it('accepts . as MX/SRV target but not as an NS name', () => {
    expect(re(PATTERNS.fqdnOrRoot).test('.')).toBe(true);
    expect(re(PATTERNS.fqdn).test('.')).toBe(false);
    expect(re(PATTERNS.fqdn).test('ns1.example.com.')).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// types.ts and the schemas describe the same fields: a full example of every spec and status,
// typed with the TS interfaces (so a field missing from types.ts fails to compile), must use
// exactly the schema's property paths.

type Tree = { [k: string]: unknown };
function examplePaths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.length > 0 && typeof value[0] === 'object' ? examplePaths(value[0], `${prefix}[]`) : [];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value as Tree).flatMap(([k, v]) => {
    const path = prefix ? `${prefix}.${k}` : k;
    // label maps are leaves (additionalProperties in the schema)
    return k === 'matchLabels' ? [path] : [path, ...examplePaths(v, path)];
  });
}
function schemaPaths(s: JSONSchemaProps | undefined, prefix = ''): string[] {
  if (!s) return [];
  if (s.type === 'array') return s.items?.type === 'object' ? schemaPaths(s.items, `${prefix}[]`) : [];
  return Object.entries(s.properties ?? {}).flatMap(([k, v]) => {
    const path = prefix ? `${prefix}.${k}` : k;
    return [path, ...schemaPaths(v, path)];
  });
}

const condition: Condition = { type: 'Ready', status: 'True', reason: 'Ready', message: '', lastTransitionTime: '2026-01-01T00:00:00Z', observedGeneration: 1 };
const common: Required<CommonStatus> = { conditions: [condition], observedGeneration: 1 };
const recordStatus: Required<RecordStatus> = { ...common, zone: 'example.com' };
const base = { zoneRef: 'z', name: '@', ttl: 60 };
const EXAMPLES: { [K in Kind]: { spec: object; status: object } } = {
  Bind9Instance: {
    spec: { replicas: 1, image: 'i', config: { recursion: false, allowQuery: ['any'], allowTransfer: ['none'], hideVersion: true } } satisfies Required<Bind9InstanceSpec>,
    status: { ...common, replicas: 1, readyReplicas: 1 } satisfies Required<Bind9InstanceStatus>,
  },
  DNSZone: {
    spec: {
      zoneName: 'example.com',
      instanceSelector: { matchLabels: {} },
      recordSelector: { matchLabels: {} },
      ttl: 1,
      soaRecord: { primaryNs: 'ns', adminEmail: 'a', refresh: 1, retry: 1, expire: 1, negativeTtl: 1 },
      nameServers: ['ns'],
    } satisfies Required<DNSZoneSpec>,
    status: { ...common, serial: 1, contentHash: 'h', recordCount: 1, instances: ['i'], syncedSerial: 1, pods: [{ pod: 'p', servedSerial: 1, error: 'e' }] } satisfies Required<DNSZoneStatus>,
  },
  ARecord: { spec: { ...base, ipv4Address: '1.2.3.4' } satisfies Required<RecordSpecByKind['ARecord']>, status: recordStatus },
  AAAARecord: { spec: { ...base, ipv6Address: '::1' } satisfies Required<RecordSpecByKind['AAAARecord']>, status: recordStatus },
  CNAMERecord: { spec: { ...base, target: 't' } satisfies Required<RecordSpecByKind['CNAMERecord']>, status: recordStatus },
  MXRecord: { spec: { ...base, priority: 1, mailServer: 'm' } satisfies Required<RecordSpecByKind['MXRecord']>, status: recordStatus },
  TXTRecord: { spec: { ...base, text: ['t'] } satisfies Required<RecordSpecByKind['TXTRecord']>, status: recordStatus },
  NSRecord: { spec: { ...base, nameserver: 'n' } satisfies Required<RecordSpecByKind['NSRecord']>, status: recordStatus },
  SRVRecord: { spec: { ...base, priority: 1, weight: 1, port: 1, target: 't' } satisfies Required<RecordSpecByKind['SRVRecord']>, status: recordStatus },
  CAARecord: { spec: { ...base, flags: 0, tag: 'issue', value: 'v' } satisfies Required<RecordSpecByKind['CAARecord']>, status: recordStatus },
};

describe('types.ts and the schemas', () => {
  const crds = customResourceDefinitions();
  it.each([...KINDS])('%s spec and status have the same fields in TypeScript and in the schema', (kind) => {
    const root = crds.find((c) => c.spec.names.kind === kind)!.spec.versions[0]!.schema.openAPIV3Schema.properties!;
    expect(examplePaths(EXAMPLES[kind].spec).sort()).toEqual(schemaPaths(root.spec).sort());
    expect(examplePaths(EXAMPLES[kind].status).sort()).toEqual(schemaPaths(root.status).sort());
  });
});
