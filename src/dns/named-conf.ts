/** PodPaths are the fixed locations inside a Bind9Instance pod; the ConfigMap refers to them. */
export const POD_PATHS = {
  /** named's working directory: zone files written by the agent, NZD files, pid. A pod volume. */
  data: '/var/lib/bind',
  /** The rndc key Secret is mounted here (file `rndc.key`). */
  rndcKeyDir: '/etc/bind/rndc',
  /** The rendered named.conf ConfigMap is mounted here (file `named.conf`). */
  configDir: '/etc/bind/config',
} as const;

/** NamedOptions mirrors Bind9Instance spec.config with defaults applied. */
export interface NamedOptions {
  readonly recursion: boolean;
  readonly allowQuery: readonly string[];
  readonly allowTransfer: readonly string[];
  readonly hideVersion: boolean;
  /** Address named listens on; "any" in a pod, which has its own network namespace. */
  readonly listenOn?: string;
  /** Address of the rndc control channel; loopback in a pod, only the agent sidecar uses it. */
  readonly controlsAddress?: string;
  readonly controlsPort?: number;
  /** `dnssec-policy` blocks the instance defines for its zones to sign with (see dnssec-policy.ts). */
  readonly dnssecPolicies?: string;
}

export const RNDC_KEY_NAME = 'bindy-rndc';

function aml(items: readonly string[]): string {
  // An address-match list: "any"/"none"/"localhost" keywords or addresses/CIDRs.
  return `{ ${items.map((i) => `${i.replace(/[;{}"\s]/g, '')};`).join(' ')} }`;
}

/**
 * renderNamedConf renders an authoritative-only named.conf: no recursion (unless asked), version
 * hidden, zones added at run time by the agent through rndc (allow-new-zones), and an rndc
 * control channel that only accepts the instance's key.
 */
export function renderNamedConf(o: NamedOptions): string {
  const listen = o.listenOn ?? 'any';
  const controls = o.controlsAddress ?? '127.0.0.1';
  const port = o.controlsPort ?? 953;
  return [
    '// Rendered by bindy from the Bind9Instance; edits are overwritten.',
    `include "${POD_PATHS.rndcKeyDir}/rndc.key";`,
    o.dnssecPolicies ?? '',
    'options {',
    `  directory "${POD_PATHS.data}";`,
    `  pid-file "${POD_PATHS.data}/named.pid";`,
    `  listen-on port 53 { ${listen}; };`,
    '  listen-on-v6 { none; };',
    `  recursion ${o.recursion ? 'yes' : 'no'};`,
    `  allow-query ${aml(o.allowQuery)};`,
    `  allow-transfer ${aml(o.allowTransfer)};`,
    o.hideVersion ? '  version none;' : '',
    '  allow-new-zones yes;',
    '  notify no;',
    '};',
    'controls {',
    `  inet ${controls} port ${port} allow { ${controls}; } keys { "${RNDC_KEY_NAME}"; };`,
    '};',
    '',
  ]
    .filter((line, i, all) => line !== '' || i === all.length - 1)
    .join('\n');
}

/** renderRndcKey renders the key file shared by named (include) and rndc (-k). */
export function renderRndcKey(secretBase64: string): string {
  return `key "${RNDC_KEY_NAME}" {\n  algorithm hmac-sha256;\n  secret "${secretBase64}";\n};\n`;
}
