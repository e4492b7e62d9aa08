import { CustomResourceDefinition as CrdModel } from 'kubernetes-models/apiextensions.k8s.io/v1/CustomResourceDefinition';
import { customResourceDefinitions, KINDS, PATTERNS, RECORD_KINDS, RESOURCES, resourcePath, UPSTREAM_PATTERNS, type JSONSchemaProps, type Kind } from '../../src/crds/index.js';
import { FULL_OBJECTS } from '../support/full-objects.js';

const re = (p: string): RegExp => new RegExp(p);
const crds = customResourceDefinitions();
const version = (kind: Kind) => crds.find((c) => c.spec.names.kind === kind)!.spec.versions[0]!;

describe('bindy CRDs (upstream Bindy v1beta1)', () => {
  it('defines one CRD per kind, named <plural>.<group>, with a status subresource', () => {
    expect(crds.map((c) => c.spec.names.kind)).toEqual([...KINDS]);
    for (const c of crds) {
      expect(c.metadata.name).toBe(`${RESOURCES[c.spec.names.kind as Kind].plural}.bindy.firestoned.io`);
      expect(c.spec.versions[0]?.subresources.status).toEqual({});
    }
  });

  it('makes ClusterBind9Provider cluster-scoped and every other kind namespaced', () => {
    for (const c of crds) expect(c.spec.scope).toBe(c.spec.names.kind === 'ClusterBind9Provider' ? 'Cluster' : 'Namespaced');
    expect(RESOURCES.ClusterBind9Provider.namespaced).toBe(false);
  });

  it('passes the apiextensions.k8s.io/v1 offline schema', () => {
    for (const c of crds) expect(() => new CrdModel(c as never).validate()).not.toThrow();
  });

  it("has upstream's short names and plurals", () => {
    const short = Object.fromEntries(KINDS.map((k) => [k, RESOURCES[k].shortNames]));
    expect(short).toEqual({
      ClusterBind9Provider: ['cb9p', 'cb9ps'],
      Bind9Cluster: ['b9c', 'b9cs'],
      Bind9Instance: ['b9', 'b9s'],
      DNSZone: ['zone', 'zones', 'dz', 'dzs'],
      ARecord: ['a'],
      AAAARecord: ['aaaa'],
      CNAMERecord: ['cname'],
      MXRecord: ['mx'],
      TXTRecord: ['txt'],
      NSRecord: ['ns'],
      SRVRecord: ['srv'],
      CAARecord: ['caa'],
    });
    expect(RESOURCES.ClusterBind9Provider.plural).toBe('clusterbind9providers');
    expect(resourcePath('DNSZone', 'dns-system')).toBe('/apis/bindy.firestoned.io/v1beta1/namespaces/dns-system/dnszones');
    expect(resourcePath('ARecord')).toBe('/apis/bindy.firestoned.io/v1beta1/arecords');
  });

  it("has upstream's printer columns", () => {
    const cols = (k: Kind) => version(k).additionalPrinterColumns.map((c) => `${c.name}=${c.jsonPath}`);
    expect(cols('DNSZone')).toEqual(['Zone=.spec.zoneName', 'Provider=.spec.clusterProviderRef', 'Records=.status.recordsCount', 'Instances=.status.bind9InstancesCount', 'TTL=.spec.ttl', "Ready=.status.conditions[?(@.type=='Ready')].status"]);
    expect(cols('Bind9Instance')).toEqual(['Cluster=.spec.clusterRef', 'Role=.spec.role', 'Replicas=.spec.replicas', 'Zones=.status.zonesCount', "Ready=.status.conditions[?(@.type=='Ready')].status"]);
    expect(cols('Bind9Cluster')).toEqual(['Version=.spec.version', 'Primary=.spec.primary.replicas', 'Secondary=.spec.secondary.replicas', "Ready=.status.conditions[?(@.type=='Ready')].status"]);
    expect(cols('ARecord')).toEqual(['Name=.spec.name', 'Zone=.status.zoneRef.zoneName', 'Addresses=.status.addresses', 'TTL=.spec.ttl', "Ready=.status.conditions[?(@.type=='Ready')].status"]);
    for (const k of RECORD_KINDS) expect(cols(k).slice(0, 2)).toEqual(['Name=.spec.name', 'Zone=.status.zoneRef.zoneName']);
  });

  it("requires upstream's required fields, and only those", () => {
    const spec = (k: Kind) => version(k).schema.openAPIV3Schema.properties!.spec!;
    expect(spec('Bind9Instance').required).toEqual(['clusterRef', 'role']);
    expect(spec('DNSZone').required).toEqual(['soaRecord', 'zoneName']);
    expect(spec('DNSZone').properties!.soaRecord!.required).toEqual(['adminEmail', 'expire', 'negativeTtl', 'primaryNs', 'refresh', 'retry', 'serial']);
    expect(spec('Bind9Cluster').required).toBeUndefined();
    expect(spec('ARecord').required).toEqual(['ipv4Addresses', 'name']);
    expect(spec('SRVRecord').required).toEqual(['name', 'port', 'priority', 'target', 'weight']);
  });

  it('has no Bindy-TS-only spec field', () => {
    const all = JSON.stringify(crds.map((c) => c.spec.versions[0]!.schema.openAPIV3Schema.properties!.spec));
    for (const field of ['zoneRef', 'instanceSelector', 'recordSelector', 'hideVersion']) expect(all).not.toContain(`"${field}"`);
  });
});

describe('validation patterns', () => {
  it.each(['any', 'none', '10.0.0.0/8', '!192.168.1.1', '2001:db8::/32', 'localnets'])('accepts ACL element %s', (e) => {
    expect(re(PATTERNS.addressMatchElement).test(e)).toBe(true);
  });
  it.each(['any; }; include "/etc/passwd"', 'a b', '"any"', '{any}', ''])('rejects ACL element %j', (e) => {
    expect(re(PATTERNS.addressMatchElement).test(e)).toBe(false);
  });
  it.each(['example.com', 'Example.COM', '1.168.192.in-addr.arpa', 'local'])("upstream's zoneName pattern accepts %s", (z) => {
    expect(re(UPSTREAM_PATTERNS.zoneName).test(z)).toBe(true);
  });
  it.each(['ns1.example.com.', 'admin.example.com.'])("upstream's absolute-name pattern accepts %s", (n) => {
    expect(re(UPSTREAM_PATTERNS.absoluteName).test(n)).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// types*.ts and the schemas describe the same fields: the full example of every spec and status,
// typed with the TS interfaces, must use exactly the schema's property paths. Free-form maps
// and embedded Kubernetes objects are leaves.

function paths(s: JSONSchemaProps | undefined, value: unknown, prefix: string, out: { schema: string[]; example: string[] }): void {
  if (!s) return;
  if (s.type === 'array' && s.items?.properties) {
    const first = Array.isArray(value) ? value[0] : undefined;
    return paths(s.items, first, `${prefix}[]`, out);
  }
  const v = (value ?? {}) as Record<string, unknown>;
  for (const [k, child] of Object.entries(s.properties ?? {})) {
    const p = prefix ? `${prefix}.${k}` : k;
    out.schema.push(p);
    if (k in v) out.example.push(p);
    paths(child, v[k], p, out);
  }
  if (s.properties) for (const k of Object.keys(v)) if (!(k in s.properties)) out.example.push(`${prefix}.${k} (not in schema)`);
}

describe('types and the schemas', () => {
  it.each([...KINDS])('%s: the full example sets exactly the schema fields', (kind) => {
    const root = version(kind).schema.openAPIV3Schema.properties!;
    for (const part of ['spec', 'status'] as const) {
      const out = { schema: [] as string[], example: [] as string[] };
      paths(root[part], FULL_OBJECTS[kind][part], '', out);
      expect(out.example.sort()).toEqual(out.schema.sort());
    }
  });
});
