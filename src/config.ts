/**
 * Process configuration from the environment (SPEC §1). Parsed once at startup; nothing else
 * reads `process.env`. An empty variable counts as unset (Kubernetes renders `value: ""` for
 * optional fields); a malformed value never falls back to the default.
 */

import { imageReferenceProblem } from './controllers/image-reference.js';

/** LogLevel is a pino level name. */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** ObjectRef names one namespaced object. */
export interface ObjectRef {
  readonly namespace: string;
  readonly name: string;
}

/** Config is the validated process configuration. */
export interface Config {
  readonly leaderElection: boolean;
  readonly leaseName: string;
  readonly leaseNamespace: string;
  readonly leaseDurationSeconds: number;
  readonly renewDeadlineSeconds: number;
  readonly retryPeriodSeconds: number;
  /** identity is written to the Lease's holderIdentity (POD_NAME, else HOSTNAME). */
  readonly identity: string;
  readonly logLevel: LogLevel;
  /** logLevelFrom names where logLevel came from (LOG_LEVEL wins over its alias RUST_LOG). */
  readonly logLevelFrom: 'LOG_LEVEL' | 'RUST_LOG' | 'default';
  /** ignoredRustLog is RUST_LOG's value when LOG_LEVEL was also set and so won (logged as a warning). */
  readonly ignoredRustLog?: string;
  /** metricsPort serves /metrics; 0 picks a free port (tests run several replicas on one host). */
  readonly metricsPort: number;
  /** healthPort serves /healthz and /readyz; 0 picks a free port. */
  readonly healthPort: number;
  /**
   * leadershipProbe (BINDY_LEADERSHIP_PROBE=<namespace>/<configmap>) enables the drill/diagnostic
   * writer that records every leadership term in a ConfigMap, to prove there is never more than
   * one writer. Off unless set.
   */
  readonly leadershipProbe?: ObjectRef;
  /**
   * dnsControllers (BINDY_DNS_CONTROLLERS, default true) runs the DNS controllers. `false` is a
   * drill/diagnostic mode: only leader election (and the probe) run, so election drills on a
   * shared cluster never touch DNS objects.
   */
  readonly dnsControllers: boolean;
  /** watchNamespace (WATCH_NAMESPACE) limits the DNS controllers to one namespace; absent = all namespaces. */
  readonly watchNamespace?: string;
  /** podNamespace (POD_NAMESPACE, from the downward API) is the operator's own namespace; absent = LEASE_NAMESPACE. */
  readonly podNamespace?: string;
  /** agentImage (BINDY_AGENT_IMAGE) overrides the agent sidecar image, else the operator's own Pod's image (agent-image.ts). */
  readonly agentImage?: string;
}

/** ConfigError names the variable, the offending value and the rule it breaks. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly variable: string,
    readonly value: string,
    readonly rule: string,
  ) {
    super(`invalid ${variable}=${JSON.stringify(value)}: ${rule}`);
  }
}

type Env = Readonly<Record<string, string | undefined>>;

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function raw(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  const lower = value.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  throw new ConfigError(name, value, 'must be true or false (case-insensitive)');
}

function integer(env: Env, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  // Strict digits only: "15s", "1.5" or " 15" are mistakes, not numbers to round.
  const n = /^[0-9]+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
    throw new ConfigError(name, value, `must be ${range}`);
  }
  return n;
}

function dnsName(env: Env, name: string, fallback: string, kind: 'label' | 'subdomain'): string {
  const value = raw(env, name) ?? fallback;
  const ok = kind === 'label' ? DNS1123_LABEL.test(value) && value.length <= 63 : DNS1123_SUBDOMAIN.test(value) && value.length <= 253;
  if (!ok) {
    const rule =
      kind === 'label'
        ? 'must be a DNS-1123 label (lowercase a-z, 0-9 and "-", starting and ending alphanumeric, at most 63 characters)'
        : 'must be a DNS-1123 subdomain (lowercase a-z, 0-9, "-" and ".", each part starting and ending alphanumeric, at most 253 characters)';
    throw new ConfigError(name, value, rule);
  }
  return value;
}

/**
 * logLevel reads LOG_LEVEL, else its alias RUST_LOG (SPEC §1), else `info`. Both are validated
 * when set, so a malformed RUST_LOG is an error even while LOG_LEVEL shadows it.
 */
function logLevel(env: Env): Pick<Config, 'logLevel' | 'logLevelFrom' | 'ignoredRustLog'> {
  const value = raw(env, 'LOG_LEVEL');
  const level = value === undefined ? undefined : LOG_LEVELS.find((l) => l === value.toLowerCase());
  if (value !== undefined && !level) throw new ConfigError('LOG_LEVEL', value, `must be one of ${LOG_LEVELS.join(', ')}`);
  const rust = raw(env, 'RUST_LOG');
  const rustLevel = rust === undefined ? undefined : rustLogLevel(rust);
  if (level) return { logLevel: level, logLevelFrom: 'LOG_LEVEL', ignoredRustLog: rust };
  if (rustLevel) return { logLevel: rustLevel, logLevelFrom: 'RUST_LOG' };
  return { logLevel: 'info', logLevelFrom: 'default' };
}

/** RUST_LEVELS maps env_logger's level names (plus pino's own) to pino levels. */
const RUST_LEVELS: Readonly<Record<string, LogLevel>> = {
  off: 'silent',
  ...Object.fromEntries(LOG_LEVELS.map((l) => [l, l])),
};

const RUST_LOG_RULE =
  'must be a level (error, warn, info, debug, trace, off) or env_logger directives that set one for bindy, e.g. "bindy=debug" or "info,kube=debug"';

/**
 * rustLogLevel reads the seed guide's RUST_LOG: a bare level, or env_logger's comma-separated
 * directives, of which only a bare level (the default) and `bindy` / `bindy::…` targets apply
 * here (other targets name Rust crates Bindy-TS does not have). The most specific applies:
 * `bindy=…` over the bare level. A value that sets no level for bindy is rejected rather than
 * silently meaning `info`.
 */
function rustLogLevel(value: string): LogLevel {
  let global: LogLevel | undefined;
  let bindy: LogLevel | undefined;
  for (const directive of value.split(',').map((d) => d.trim()).filter((d) => d !== '')) {
    const match = /^(?:([A-Za-z_][A-Za-z0-9_]*(?:::[A-Za-z_][A-Za-z0-9_]*)*)=)?([A-Za-z]+)$/.exec(directive);
    const level = match ? RUST_LEVELS[match[2]!.toLowerCase()] : undefined;
    if (!match || !level) throw new ConfigError('RUST_LOG', value, RUST_LOG_RULE);
    const target = match[1];
    if (target === undefined) global = level;
    else if (target === 'bindy' || target.startsWith('bindy::')) bindy = level;
  }
  const level = bindy ?? global;
  if (!level) throw new ConfigError('RUST_LOG', value, RUST_LOG_RULE);
  return level;
}

function probe(env: Env): ObjectRef | undefined {
  const value = raw(env, 'BINDY_LEADERSHIP_PROBE');
  if (value === undefined) return undefined;
  const [namespace, name, ...rest] = value.split('/');
  if (rest.length > 0 || !namespace || !name || !DNS1123_LABEL.test(namespace) || !DNS1123_SUBDOMAIN.test(name)) {
    throw new ConfigError('BINDY_LEADERSHIP_PROBE', value, 'must be <namespace>/<configmap name>');
  }
  return { namespace, name };
}

/** timing validates the lease timings together: lease > renew deadline > 1.2 x retry period. */
function timing(env: Env): Pick<Config, 'leaseDurationSeconds' | 'renewDeadlineSeconds' | 'retryPeriodSeconds'> {
  const leaseDurationSeconds = integer(env, 'LEASE_DURATION_SECONDS', 15, 1);
  const renewDeadlineSeconds = integer(env, 'LEASE_RENEW_DEADLINE_SECONDS', 10, 1);
  const retryPeriodSeconds = integer(env, 'LEASE_RETRY_PERIOD_SECONDS', 2, 1);
  if (renewDeadlineSeconds >= leaseDurationSeconds) {
    throw new ConfigError(
      'LEASE_RENEW_DEADLINE_SECONDS',
      String(renewDeadlineSeconds),
      `must be less than LEASE_DURATION_SECONDS (${leaseDurationSeconds})`,
    );
  }
  // Integer arithmetic for "renew > 1.2 x retry" so 12 vs 10 x 1.2 has no rounding surprise.
  if (renewDeadlineSeconds * 10 <= retryPeriodSeconds * 12) {
    throw new ConfigError(
      'LEASE_RETRY_PERIOD_SECONDS',
      String(retryPeriodSeconds),
      `LEASE_RENEW_DEADLINE_SECONDS (${renewDeadlineSeconds}) must be greater than 1.2 x LEASE_RETRY_PERIOD_SECONDS`,
    );
  }
  return { leaseDurationSeconds, renewDeadlineSeconds, retryPeriodSeconds };
}

/** imageVar reads an optional image reference (the distribution/reference grammar). */
function imageVar(env: Env, name: string): string | undefined {
  const value = raw(env, name);
  if (value === undefined) return undefined;
  const problem = imageReferenceProblem(value, name);
  if (problem) throw new ConfigError(name, value, problem);
  return value;
}

/** parseConfig validates the whole environment; it throws ConfigError on the first bad value. */
export function parseConfig(env: Env): Config {
  const identity = raw(env, 'POD_NAME') ?? raw(env, 'HOSTNAME');
  if (identity === undefined) throw new ConfigError('POD_NAME', '', 'POD_NAME or HOSTNAME must be set (the Lease holder identity)');
  const metricsPort = integer(env, 'METRICS_PORT', 8080, 0, 65535);
  const healthPort = integer(env, 'HEALTH_PORT', 8081, 0, 65535);
  if (metricsPort !== 0 && metricsPort === healthPort) {
    throw new ConfigError('HEALTH_PORT', String(healthPort), `must differ from METRICS_PORT (${metricsPort})`);
  }
  return {
    leaderElection: bool(env, 'ENABLE_LEADER_ELECTION', true),
    leaseName: dnsName(env, 'LEASE_NAME', 'bindy-leader', 'subdomain'),
    leaseNamespace: dnsName(env, 'LEASE_NAMESPACE', 'dns-system', 'label'),
    ...timing(env),
    identity,
    ...logLevel(env),
    metricsPort,
    healthPort,
    leadershipProbe: probe(env),
    dnsControllers: bool(env, 'BINDY_DNS_CONTROLLERS', true),
    watchNamespace: raw(env, 'WATCH_NAMESPACE') === undefined ? undefined : dnsName(env, 'WATCH_NAMESPACE', '', 'label'),
    podNamespace: raw(env, 'POD_NAMESPACE') === undefined ? undefined : dnsName(env, 'POD_NAMESPACE', '', 'label'),
    agentImage: imageVar(env, 'BINDY_AGENT_IMAGE'),
  };
}

/** loggableConfig is the config as logged at startup (it holds no secrets). */
export function loggableConfig(config: Config): Record<string, unknown> {
  return { ...config, leadershipProbe: config.leadershipProbe && `${config.leadershipProbe.namespace}/${config.leadershipProbe.name}` };
}
