/**
 * The CustomResourceDefinitions of bindy, as plain `apiextensions.k8s.io/v1` JSON objects.
 * This is the single source: `infra/constructs/crds.ts` wraps these objects for cdk8s, and the
 * operator uses `RESOURCES` to build API paths.
 */
import {
  RECORDS,
  ageColumn,
  bind9InstanceSpec,
  col,
  dnsZoneSpec,
  readyColumn,
  recordSpec,
  statusSchema,
  type JSONSchemaProps,
  type PrinterColumn,
} from './schema.js';
import { API_VERSION, GROUP, KINDS, RECORD_KINDS, VERSION, type Kind, type RecordKind } from './types.js';

export type { JSONSchemaProps, PrinterColumn } from './schema.js';

/** CustomResourceDefinition is the plain JSON shape of an apiextensions.k8s.io/v1 CRD. */
export interface CustomResourceDefinition {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: {
    group: string;
    scope: 'Namespaced';
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
}

const SHORT_NAMES: Record<Kind, readonly string[]> = {
  Bind9Instance: ['b9i', 'b9'],
  DNSZone: ['dz', 'zone'],
  ARecord: ['arec'],
  AAAARecord: ['aaaarec'],
  CNAMERecord: ['cnamerec'],
  MXRecord: ['mxrec'],
  TXTRecord: ['txtrec'],
  NSRecord: ['nsrec'],
  SRVRecord: ['srvrec'],
  CAARecord: ['caarec'],
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
      scope: 'Namespaced',
      names: {
        kind,
        listKind: r.listKind,
        plural: r.plural,
        singular: r.singular,
        shortNames: [...r.shortNames],
        categories: ['bindy', ...(RECORD_KINDS as readonly string[]).includes(kind) ? ['bindy-records'] : []],
      },
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description: `${kind} (bindy.firestoned.io).`,
              // A spec without required fields may be omitted and is then filled with defaults.
              ...(spec.required === undefined ? {} : { required: ['spec'] }),
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                spec: spec.required === undefined ? { ...spec, default: {} } : spec,
                status,
              },
            },
          },
          subresources: { status: {} },
          additionalPrinterColumns: columns,
        },
      ],
    },
  };
}

/** customResourceDefinitions returns fresh copies of all bindy CRDs, in KINDS order. */
export function customResourceDefinitions(): CustomResourceDefinition[] {
  const recordColumns = (kind: RecordKind): PrinterColumn[] => [
    // Not "Name": the apiserver always prints metadata.name as the first NAME column.
    col('Record', 'name'),
    { name: 'Zone', type: 'string', jsonPath: '.status.zone' },
    ...RECORDS[kind].columns,
    readyColumn,
    ageColumn,
  ];
  const defs = [
    crd(
      'Bind9Instance',
      bind9InstanceSpec,
      statusSchema({
        replicas: { type: 'integer', format: 'int32', minimum: 0 },
        readyReplicas: { type: 'integer', format: 'int32', minimum: 0 },
      }),
      [
        col('Replicas', 'replicas', 'integer'),
        { name: 'Ready', type: 'integer', jsonPath: '.status.readyReplicas' },
        { ...readyColumn, name: 'Status' },
        ageColumn,
      ],
    ),
    crd(
      'DNSZone',
      dnsZoneSpec,
      statusSchema({
        serial: { type: 'integer', format: 'int64', minimum: 0 },
        contentHash: { type: 'string' },
        recordCount: { type: 'integer', format: 'int32', minimum: 0 },
        instances: { type: 'array', items: { type: 'string' } },
        syncedSerial: { type: 'integer', format: 'int64', minimum: 0 },
        pods: {
          type: 'array',
          items: {
            type: 'object',
            required: ['pod'],
            properties: { pod: { type: 'string' }, servedSerial: { type: 'integer', format: 'int64', minimum: 0 }, error: { type: 'string' } },
          },
        },
      }),
      [
        col('Zone', 'zoneName'),
        { name: 'Serial', type: 'integer', jsonPath: '.status.serial' },
        { name: 'Records', type: 'integer', jsonPath: '.status.recordCount' },
        readyColumn,
        ageColumn,
      ],
    ),
    ...RECORD_KINDS.map((kind) =>
      crd(kind, recordSpec(kind), statusSchema({ zone: { type: 'string' } }), recordColumns(kind)),
    ),
  ];
  // Deep copy: callers (cdk8s) may mutate what they get.
  return JSON.parse(JSON.stringify(defs)) as CustomResourceDefinition[];
}
