/**
 * The CustomResourceDefinitions of bindy, as plain `apiextensions.k8s.io/v1` JSON objects.
 * This is the single source: `infra/constructs/crds.ts` wraps these objects for cdk8s, and the
 * operator uses `RESOURCES` to build API paths.
 */
import { PATTERNS } from './patterns.js';
import { API_VERSION, GROUP, KINDS, READY, RECORD_KINDS, VERSION, type Kind, type RecordKind } from './types.js';

/** JSONSchemaProps is the subset of the OpenAPI v3 schema the bindy CRDs use. */
export interface JSONSchemaProps {
  type?: 'object' | 'array' | 'string' | 'integer' | 'boolean' | 'number';
  description?: string;
  format?: string;
  pattern?: string;
  enum?: Array<string | number>;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  items?: JSONSchemaProps;
  properties?: Record<string, JSONSchemaProps>;
  required?: string[];
  additionalProperties?: JSONSchemaProps;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-validations'?: Array<{ rule: string; message: string }>;
}

/** PrinterColumn is a CustomResourceColumnDefinition. */
export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'date' | 'boolean' | 'number';
  jsonPath: string;
  description?: string;
  priority?: number;
}

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
// Schema building blocks

const MAX_TTL = 2147483647;
const int = (description: string, minimum: number, maximum: number, dflt?: number): JSONSchemaProps => ({
  type: 'integer',
  format: 'int32',
  description,
  minimum,
  maximum,
  ...(dflt === undefined ? {} : { default: dflt }),
});
const str = (description: string, pattern?: string, maxLength = 253): JSONSchemaProps => ({
  type: 'string',
  description,
  minLength: 1,
  maxLength,
  ...(pattern === undefined ? {} : { pattern }),
});
const labelMap = (description: string): JSONSchemaProps => ({
  type: 'object',
  description,
  additionalProperties: { type: 'string' },
});
const ttl = (description: string, dflt?: number): JSONSchemaProps => ({
  ...int(description, 0, MAX_TTL, dflt),
});
const u16 = (description: string): JSONSchemaProps => int(description, 0, 65535);

const conditionSchema: JSONSchemaProps = {
  type: 'object',
  description: 'A metav1.Condition.',
  required: ['type', 'status', 'reason', 'message', 'lastTransitionTime'],
  properties: {
    type: str('Condition type, e.g. Ready.', undefined, 316),
    status: { type: 'string', enum: ['True', 'False', 'Unknown'] },
    reason: str('CamelCase reason for the last transition.', PATTERNS.conditionReason, 1024),
    message: { type: 'string', maxLength: 32768, description: 'Human readable details.' },
    lastTransitionTime: { type: 'string', format: 'date-time' },
    observedGeneration: { type: 'integer', format: 'int64', minimum: 0 },
  },
};

function statusSchema(extra: Record<string, JSONSchemaProps>): JSONSchemaProps {
  return {
    type: 'object',
    properties: {
      conditions: {
        type: 'array',
        items: conditionSchema,
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['type'],
      },
      observedGeneration: { type: 'integer', format: 'int64', minimum: 0 },
      ...extra,
    },
  };
}

const readyColumn: PrinterColumn = {
  name: 'Ready',
  type: 'string',
  jsonPath: `.status.conditions[?(@.type=="${READY}")].status`,
};
const ageColumn: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

// ---------------------------------------------------------------------------------------------
// Per-kind specs

const bind9InstanceSpec: JSONSchemaProps = {
  type: 'object',
  properties: {
    replicas: int('Number of BIND9 pods.', 1, 10, 1),
    image: { ...str('BIND9 container image.', undefined, 512), default: 'internetsystemsconsortium/bind9:9.18' },
    config: {
      type: 'object',
      default: {},
      properties: {
        recursion: { type: 'boolean', default: false, description: 'Allow recursive queries.' },
        allowQuery: {
          type: 'array',
          description: 'allow-query address match list.',
          default: ['any'],
          maxItems: 64,
          items: str('ACL name, address or CIDR, optionally negated with !.', PATTERNS.addressMatchElement, 64),
        },
        allowTransfer: {
          type: 'array',
          description: 'allow-transfer address match list.',
          default: ['none'],
          maxItems: 64,
          items: str('ACL name, address or CIDR, optionally negated with !.', PATTERNS.addressMatchElement, 64),
        },
        hideVersion: { type: 'boolean', default: true, description: 'Hide the BIND version (version none).' },
      },
    },
  },
};

const dnsZoneSpec: JSONSchemaProps = {
  type: 'object',
  required: ['zoneName', 'instanceSelector', 'soaRecord'],
  properties: {
    zoneName: {
      ...str('Lowercase FQDN of the zone without trailing dot. Immutable.', PATTERNS.zoneName),
      'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'zoneName is immutable' }],
    },
    instanceSelector: {
      type: 'object',
      description: 'Selects the Bind9Instances (same namespace) that serve this zone.',
      required: ['matchLabels'],
      properties: { matchLabels: labelMap('Labels a Bind9Instance must have.') },
    },
    recordSelector: {
      type: 'object',
      description: 'Selects records (same namespace) by label, besides records whose zoneRef names this zone.',
      properties: { matchLabels: labelMap('Labels a record must have.') },
    },
    ttl: ttl('Default TTL of the records, seconds.', 3600),
    soaRecord: {
      type: 'object',
      required: ['primaryNs', 'adminEmail'],
      properties: {
        primaryNs: str('FQDN of the primary name server.', PATTERNS.fqdn),
        adminEmail: str('Responsible mailbox: user@domain or user.domain.', PATTERNS.adminEmail),
        refresh: ttl('SOA refresh, seconds.', 3600),
        retry: ttl('SOA retry, seconds.', 600),
        expire: ttl('SOA expire, seconds.', 604800),
        negativeTtl: ttl('SOA minimum (negative caching TTL), seconds.', 300),
      },
    },
    nameServers: {
      type: 'array',
      description: 'FQDNs of the apex NS records; defaults to [soaRecord.primaryNs].',
      maxItems: 32,
      items: str('Name server FQDN.', PATTERNS.fqdn),
    },
  },
};

const recordBase: Record<string, JSONSchemaProps> = {
  zoneRef: str('metadata.name of a DNSZone in the same namespace.', PATTERNS.objectName),
  name: str('Owner name relative to the zone; @ for the apex.', PATTERNS.recordName),
  ttl: ttl('TTL, seconds; the zone ttl when absent.'),
};

interface RecordShape {
  readonly properties: Record<string, JSONSchemaProps>;
  readonly columns: PrinterColumn[];
}

const col = (name: string, field: string, type: PrinterColumn['type'] = 'string'): PrinterColumn => ({
  name,
  type,
  jsonPath: `.spec.${field}`,
});

const RECORDS: Record<RecordKind, RecordShape> = {
  ARecord: {
    properties: { ipv4Address: str('IPv4 address.', PATTERNS.ipv4, 15) },
    columns: [col('Address', 'ipv4Address')],
  },
  AAAARecord: {
    properties: { ipv6Address: str('IPv6 address.', PATTERNS.ipv6, 45) },
    columns: [col('Address', 'ipv6Address')],
  },
  CNAMERecord: {
    properties: { target: str('FQDN this name is an alias of.', PATTERNS.fqdn) },
    columns: [col('Target', 'target')],
  },
  MXRecord: {
    properties: {
      priority: u16('Preference; lower is preferred.'),
      mailServer: str('FQDN of the mail server, or . for a null MX.', PATTERNS.fqdnOrRoot),
    },
    columns: [col('Priority', 'priority', 'integer'), col('Mail Server', 'mailServer')],
  },
  TXTRecord: {
    properties: {
      text: {
        type: 'array',
        description: 'Character strings; long strings are split into 255-octet chunks.',
        minItems: 1,
        maxItems: 64,
        items: { type: 'string', maxLength: 4096 },
      },
    },
    columns: [col('Text', 'text[0]')],
  },
  NSRecord: {
    properties: { nameserver: str('FQDN of the name server.', PATTERNS.fqdn) },
    columns: [col('Nameserver', 'nameserver')],
  },
  SRVRecord: {
    properties: {
      priority: u16('Priority; lower is preferred.'),
      weight: u16('Relative weight among equal priorities.'),
      port: u16('Service port.'),
      target: str('FQDN of the target host, or . for no service.', PATTERNS.fqdnOrRoot),
    },
    columns: [col('Priority', 'priority', 'integer'), col('Port', 'port', 'integer'), col('Target', 'target')],
  },
  CAARecord: {
    properties: {
      flags: int('Flags; 128 is issuer critical.', 0, 255),
      tag: { type: 'string', enum: ['issue', 'issuewild', 'iodef'], description: 'Property tag.' },
      value: { type: 'string', maxLength: 1024, description: 'Property value, e.g. letsencrypt.org.' },
    },
    columns: [col('Tag', 'tag'), col('Value', 'value')],
  },
};

function recordSpec(kind: RecordKind): JSONSchemaProps {
  const own = RECORDS[kind].properties;
  return {
    type: 'object',
    required: ['name', ...Object.keys(own)],
    properties: { ...recordBase, ...own },
  };
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
    col('Name', 'name'),
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
