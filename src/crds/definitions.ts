/**
 * The CustomResourceDefinitions of bindy, as plain `apiextensions.k8s.io/v1` JSON objects.
 * This is the single source: `infra/constructs/crds.ts` wraps these objects for cdk8s, and the
 * operator uses `RESOURCES` to build API paths.
 */
import { DNS_ZONE_COLUMNS, dnsZoneSpec, dnsZoneStatus, recordColumns, recordSpec, recordStatus } from './schema-dns.js';
import { bind9ClusterSpec, bind9ClusterStatus, bind9InstanceSpec, bind9InstanceStatus, clusterBind9ProviderSpec } from './schema-infra.js';
import { col, readyColumn, type JSONSchemaProps, type PrinterColumn } from './schema.js';
import { API_VERSION, CLUSTER_SCOPED_KINDS, GROUP, KINDS, RECORD_KINDS, VERSION, type Kind } from './types.js';

export type { JSONSchemaProps, PrinterColumn } from './schema.js';

/** CustomResourceDefinition is the plain JSON shape of an apiextensions.k8s.io/v1 CRD. */
export interface CustomResourceDefinition {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: {
    group: string;
    scope: 'Namespaced' | 'Cluster';
    names: { kind: string; listKind: string; plural: string; singular: string; shortNames: string[]; categories: string[] };
    versions: Array<{
      name: string;
      served: boolean;
      storage: boolean;
      schema: { openAPIV3Schema: JSONSchemaProps };
      subresources: { status: Record<string, never> };
      additionalPrinterColumns: PrinterColumn[];
    }>;
  };
}

/** ResourceInfo names a kind's REST resource; `plural` builds `/apis/<group>/<version>/namespaces/<ns>/<plural>`. */
export interface ResourceInfo {
  readonly kind: Kind;
  readonly listKind: string;
  readonly plural: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
  readonly apiVersion: typeof API_VERSION;
  /** Cluster-scoped kinds (ClusterBind9Provider) have no namespace. */
  readonly namespaced: boolean;
}

/** SHORT_NAMES are upstream's short names. */
const SHORT_NAMES: Record<Kind, readonly string[]> = {
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
};

/** RESOURCES maps every kind to its REST names. */
export const RESOURCES: Readonly<Record<Kind, ResourceInfo>> = Object.freeze(
  Object.fromEntries(
    KINDS.map((kind) => {
      const singular = kind.toLowerCase();
      const info: ResourceInfo = {
        kind,
        listKind: `${kind}List`,
        plural: `${singular}s`,
        singular,
        shortNames: SHORT_NAMES[kind],
        apiVersion: API_VERSION,
        namespaced: !(CLUSTER_SCOPED_KINDS as readonly string[]).includes(kind),
      };
      return [kind, Object.freeze(info)];
    }),
  ) as Record<Kind, ResourceInfo>,
);

/** resourcePath returns the collection path of a kind in a namespace (or across all namespaces). */
export function resourcePath(kind: Kind, namespace?: string): string {
  const ns = namespace === undefined ? '' : `/namespaces/${encodeURIComponent(namespace)}`;
  return `/apis/${GROUP}/${VERSION}${ns}/${RESOURCES[kind].plural}`;
}

// ---------------------------------------------------------------------------------------------
// CRD assembly

function crd(kind: Kind, spec: JSONSchemaProps, status: JSONSchemaProps, columns: PrinterColumn[]): CustomResourceDefinition {
  const r = RESOURCES[kind];
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${r.plural}.${GROUP}`, labels: { 'app.kubernetes.io/part-of': 'bindy' } },
    spec: {
      group: GROUP,
      scope: r.namespaced ? 'Namespaced' : 'Cluster',
      names: {
        kind,
        listKind: r.listKind,
        plural: r.plural,
        singular: r.singular,
        shortNames: [...r.shortNames],
        // Not in upstream (it has none); additive: `kubectl get bindy` lists every bindy object.
        categories: ['bindy', ...((RECORD_KINDS as readonly string[]).includes(kind) ? ['bindy-records'] : [])],
      },
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description: `${kind} (bindy.firestoned.io, upstream Bindy's v1beta1 API).`,
              required: ['spec'],
              properties: { spec, status },
            },
          },
          subresources: { status: {} },
          additionalPrinterColumns: columns,
        },
      ],
    },
  };
}

const CLUSTER_COLUMNS: PrinterColumn[] = [
  col('Version', '.spec.version'),
  col('Primary', '.spec.primary.replicas', 'integer'),
  col('Secondary', '.spec.secondary.replicas', 'integer'),
  readyColumn,
];

/** customResourceDefinitions returns fresh copies of all bindy CRDs, in KINDS order. */
export function customResourceDefinitions(): CustomResourceDefinition[] {
  const instanceColumns = [
    col('Cluster', '.spec.clusterRef'),
    col('Role', '.spec.role'),
    col('Replicas', '.spec.replicas', 'integer'),
    col('Zones', '.status.zonesCount', 'integer'),
    readyColumn,
  ];
  const defs: Record<Kind, () => CustomResourceDefinition> = {
    ClusterBind9Provider: () => crd('ClusterBind9Provider', clusterBind9ProviderSpec(), bind9ClusterStatus(), CLUSTER_COLUMNS),
    Bind9Cluster: () => crd('Bind9Cluster', bind9ClusterSpec(), bind9ClusterStatus(), CLUSTER_COLUMNS),
    Bind9Instance: () => crd('Bind9Instance', bind9InstanceSpec(), bind9InstanceStatus(), instanceColumns),
    DNSZone: () => crd('DNSZone', dnsZoneSpec(), dnsZoneStatus(), DNS_ZONE_COLUMNS),
    ...(Object.fromEntries(RECORD_KINDS.map((k) => [k, () => crd(k, recordSpec(k), recordStatus(), recordColumns(k))])) as Record<(typeof RECORD_KINDS)[number], () => CustomResourceDefinition>),
  };
  // Fresh objects each call: callers (cdk8s) may mutate what they get.
  return KINDS.map((k) => defs[k]());
}
