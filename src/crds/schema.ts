/**
 * OpenAPI v3 schemas of the bindy specs and statuses, and their printer columns. `definitions.ts`
 * assembles them into CustomResourceDefinitions.
 */
import { PATTERNS } from './patterns.js';
import { READY, type RecordKind } from './types.js';

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

export function statusSchema(extra: Record<string, JSONSchemaProps>): JSONSchemaProps {
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

export const readyColumn: PrinterColumn = {
  name: 'Ready',
  type: 'string',
  jsonPath: `.status.conditions[?(@.type=="${READY}")].status`,
};
export const ageColumn: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

// ---------------------------------------------------------------------------------------------
// Per-kind specs

export const bind9InstanceSpec: JSONSchemaProps = {
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

export const dnsZoneSpec: JSONSchemaProps = {
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

/** RecordShape is a record kind's own spec properties and data columns. */
export interface RecordShape {
  readonly properties: Record<string, JSONSchemaProps>;
  readonly columns: PrinterColumn[];
}

export const col = (name: string, field: string, type: PrinterColumn['type'] = 'string'): PrinterColumn => ({
  name,
  type,
  jsonPath: `.spec.${field}`,
});

export const RECORDS: Record<RecordKind, RecordShape> = {
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

export function recordSpec(kind: RecordKind): JSONSchemaProps {
  const own = RECORDS[kind].properties;
  return {
    type: 'object',
    required: ['name', ...Object.keys(own)],
    properties: { ...recordBase, ...own },
  };
}
