/**
 * Specs, statuses and printer columns of DNSZone and the eight record kinds, in upstream Bindy's
 * shape (SPEC §6). Upstream's patterns are kept exactly; the controllers check addresses and
 * names more strictly and report a bad value in status instead of refusing the object.
 */
import {
  MAX_I32,
  bool,
  col,
  int32,
  int64,
  list,
  obj,
  opt,
  readyColumn,
  selectorSources,
  statusOf,
  str,
  stringMap,
  strings,
  ttlField,
  type JSONSchemaProps,
  type PrinterColumn,
} from './schema.js';
import type { RecordKind } from './types.js';

const LDH = '[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?';
/** UPSTREAM_PATTERNS are upstream's own schema patterns, kept so both schemas accept the same objects. */
export const UPSTREAM_PATTERNS = {
  zoneName: `^(${LDH}\\.)*${LDH}$`,
  /** An absolute name with its trailing dot (SOA names, name servers). */
  absoluteName: `^${LDH}(\\.${LDH})*\\.$`,
  ipv4: '^(?:[0-9]{1,3}\\.){3}[0-9]{1,3}$',
  ipv6: [
    '^([0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}$',
    '^::$',
    '^::1$',
    '^([0-9a-fA-F]{1,4}:){1,7}:$',
    '^([0-9a-fA-F]{1,4}:){1,6}:[0-9a-fA-F]{1,4}$',
    '^([0-9a-fA-F]{1,4}:){1,5}(:[0-9a-fA-F]{1,4}){1,2}$',
    '^([0-9a-fA-F]{1,4}:){1,4}(:[0-9a-fA-F]{1,4}){1,3}$',
    '^([0-9a-fA-F]{1,4}:){1,3}(:[0-9a-fA-F]{1,4}){1,4}$',
    '^([0-9a-fA-F]{1,4}:){1,2}(:[0-9a-fA-F]{1,4}){1,5}$',
    '^[0-9a-fA-F]{1,4}:((:[0-9a-fA-F]{1,4}){1,6})$',
    '^:((:[0-9a-fA-F]{1,4}){1,7}|:)$',
  ].join('|'),
  dnssecPolicy: '^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$',
} as const;

const objectRef = (description: string, extra: Record<string, JSONSchemaProps>, required: string[]): JSONSchemaProps =>
  obj(description, { apiVersion: str('apiVersion.'), kind: str('kind.'), name: str('name.'), namespace: str('namespace.'), ...extra }, required);

/** dnsZoneSpec is one authoritative zone, its serving instances and its record sources. */
export const dnsZoneSpec = (): JSONSchemaProps =>
  obj(
    'An authoritative DNS zone.',
    {
      zoneName: str('Zone name, e.g. example.com.', UPSTREAM_PATTERNS.zoneName),
      soaRecord: obj(
        'SOA data; times in seconds.',
        {
          primaryNs: str('Primary name server, absolute (trailing dot).', UPSTREAM_PATTERNS.absoluteName),
          adminEmail: str('Responsible mailbox as a name (hostmaster.example.com.).', UPSTREAM_PATTERNS.absoluteName),
          serial: int64('Initial serial; Bindy-TS never serves a lower one and raises it on every change.', 0, 4294967295),
          refresh: int32('SOA refresh.', 1, MAX_I32),
          retry: int32('SOA retry.', 1, MAX_I32),
          expire: int32('SOA expire.', 1, MAX_I32),
          negativeTtl: int32('SOA minimum (negative caching TTL).', 0, MAX_I32),
        },
        ['adminEmail', 'expire', 'negativeTtl', 'primaryNs', 'refresh', 'retry', 'serial'],
      ),
      ttl: ttlField('Default TTL of the records.'),
      clusterRef: opt(str('Bind9Cluster (same namespace) or ClusterBind9Provider whose instances serve the zone.')),
      bind9InstancesFrom: selectorSources('Label selectors of Bind9Instances (same namespace) that serve the zone; the union with clusterRef.'),
      recordsFrom: selectorSources('Label selectors of the records (same namespace) that belong to the zone.'),
      nameServers: opt(
        list(
          'Authoritative name servers: NS records at the apex, with glue for in-zone names.',
          obj(
            'A name server.',
            {
              hostname: str('Absolute host name (trailing dot).', UPSTREAM_PATTERNS.absoluteName),
              ipv4Address: opt(str('IPv4 glue.', UPSTREAM_PATTERNS.ipv4)),
              ipv6Address: opt(str('IPv6 glue.', UPSTREAM_PATTERNS.ipv6)),
            },
            ['hostname'],
          ),
        ),
      ),
      nameServerIps: opt(stringMap('Deprecated upstream: host name → IPv4 glue. Use nameServers.')),
      dnssecPolicy: opt(str('dnssec-policy for this zone (none disables signing).', UPSTREAM_PATTERNS.dnssecPolicy)),
    },
    ['soaRecord', 'zoneName'],
  );

/** dnsZoneStatus is upstream's zone status plus the serial bookkeeping Bindy-TS needs. */
export const dnsZoneStatus = (): JSONSchemaProps =>
  statusOf({
    recordsCount: { ...int32('Records in the zone.'), default: 0 },
    records: {
      ...list('Records in the zone.', objectRef('A record.', { recordName: opt(str('Owner name.')), lastReconciledAt: opt({ ...str('Last render.'), format: 'date-time' }) }, ['apiVersion', 'kind', 'name', 'namespace'])),
      default: [],
    },
    bind9InstancesCount: opt(int32('Instances serving the zone.')),
    bind9Instances: list(
      'Instances serving the zone.',
      objectRef(
        'An instance.',
        { status: { type: 'string', enum: ['Claimed', 'Configured', 'Failed', 'Unclaimed'], description: 'Whether the zone is configured there.' }, message: opt(str('Details.')), lastReconciledAt: opt(str('Last push.')) },
        ['apiVersion', 'kind', 'name', 'namespace', 'status'],
      ),
    ),
    dnssec: opt(
      obj(
        'DNSSEC state.',
        {
          signed: bool('Whether the zone is signed.'),
          algorithm: opt(str('Key algorithm.')),
          keyTag: opt({ type: 'integer', format: 'uint32', minimum: 0, description: 'KSK key tag.' }),
          dsRecords: { ...strings('DS records for the parent.'), default: [] },
          lastKeyRollover: opt(str('Last rollover.')),
          nextKeyRollover: opt(str('Next rollover.')),
        },
        ['signed'],
      ),
    ),
    // Bindy-TS additions: persisted before every push so serials never go back across failover.
    serial: opt(int64('SOA serial of the last rendered content (Bindy-TS).', 0)),
    contentHash: opt(str('Hash of the rendered content without the serial (Bindy-TS).')),
    // Bindy-TS additions: what the pods' named processes confirmed loading (agents' rndc zonestatus).
    syncedSerial: opt(int64('The serial every target pod was last confirmed serving (Bindy-TS).', 0)),
    pods: opt(
      list(
        'Per target pod: the serial its named serves and the last push error (Bindy-TS).',
        obj('One pod.', { pod: str("The pod's agent address (ip:port)."), servedSerial: opt(int64('The serial its named serves.', 0)), error: opt(str('The last push error.')) }, ['pod']),
      ),
    ),
  });

/** DNS_ZONE_COLUMNS are upstream's DNSZone printer columns. */
export const DNS_ZONE_COLUMNS: PrinterColumn[] = [
  col('Zone', '.spec.zoneName'),
  // Upstream prints a field its schema no longer has; kept so `kubectl get` output matches.
  col('Provider', '.spec.clusterProviderRef'),
  col('Records', '.status.recordsCount', 'integer'),
  col('Instances', '.status.bind9InstancesCount', 'integer'),
  col('TTL', '.spec.ttl', 'integer'),
  readyColumn,
];

/** recordStatus is the status every record kind has. */
export const recordStatus = (): JSONSchemaProps =>
  statusOf({
    zone: opt(str('Zone name the record is served in.')),
    zoneRef: opt(objectRef('The DNSZone the record belongs to.', { zoneName: str('Zone name.'), lastReconciledAt: opt(str('Last render.')) }, ['apiVersion', 'kind', 'name', 'namespace', 'zoneName'])),
    addresses: opt(str('Served addresses, comma-separated (A/AAAA).')),
    publishedName: opt(str('Absolute owner name served.')),
    recordHash: opt(str('Hash of the record data.')),
    lastUpdated: opt(str('Last status change.')),
  });

const u16 = (d: string) => int32(d, 0, 65535);

/** RecordShape is a record kind's own spec properties, required fields and data columns. */
export interface RecordShape {
  readonly properties: Record<string, JSONSchemaProps>;
  readonly required: string[];
  readonly columns: PrinterColumn[];
}

/** RECORDS describes every record kind as upstream does. */
export const RECORDS: Record<RecordKind, RecordShape> = {
  ARecord: { properties: { ipv4Addresses: { ...strings('IPv4 addresses, served as one RRset.'), minItems: 1 } }, required: ['ipv4Addresses'], columns: [col('Addresses', '.status.addresses')] },
  AAAARecord: { properties: { ipv6Addresses: { ...strings('IPv6 addresses, served as one RRset.'), minItems: 1 } }, required: ['ipv6Addresses'], columns: [col('Addresses', '.status.addresses')] },
  CNAMERecord: { properties: { target: str('Name this name is an alias of.') }, required: ['target'], columns: [col('Target', '.spec.target')] },
  MXRecord: {
    properties: { priority: u16('Preference; lower is preferred.'), mailServer: str('Mail server name.') },
    required: ['mailServer', 'priority'],
    columns: [col('Priority', '.spec.priority', 'integer'), col('Mail Server', '.spec.mailServer')],
  },
  TXTRecord: { properties: { text: strings('Character strings; long ones are split at 255 octets.') }, required: ['text'], columns: [] },
  NSRecord: { properties: { nameserver: str('Name server of the delegation.') }, required: ['nameserver'], columns: [col('Nameserver', '.spec.nameserver')] },
  SRVRecord: {
    properties: { priority: u16('Priority; lower is preferred.'), weight: u16('Weight among equal priorities.'), port: u16('Service port.'), target: str('Target host, or . for no service.') },
    required: ['port', 'priority', 'target', 'weight'],
    columns: [col('Target', '.spec.target'), col('Port', '.spec.port', 'integer')],
  },
  CAARecord: {
    properties: { flags: int32('Flags; 128 is issuer critical.', 0, 255), tag: str('Property tag (issue, issuewild, iodef).'), value: str('Property value.') },
    required: ['flags', 'tag', 'value'],
    columns: [col('Tag', '.spec.tag'), col('Value', '.spec.value')],
  },
};

/** recordSpec is a record kind's spec: the owner name, an optional TTL and the kind's data. */
export function recordSpec(kind: RecordKind): JSONSchemaProps {
  const shape = RECORDS[kind];
  return obj(
    `${kind} data.`,
    { name: str('Owner name relative to the zone; @ is the apex.'), ttl: ttlField('TTL; the zone TTL when absent.'), ...shape.properties },
    [...shape.required, 'name'].sort(),
  );
}

/** recordColumns are upstream's printer columns of a record kind. */
export function recordColumns(kind: RecordKind): PrinterColumn[] {
  return [col('Name', '.spec.name'), col('Zone', '.status.zoneRef.zoneName'), ...RECORDS[kind].columns, col('TTL', '.spec.ttl', 'integer'), readyColumn];
}
