import { ConfigError, parseConfig } from '../../src/config.js';

const base = { POD_NAME: 'bindy-0' };

function errorOf(env: Record<string, string>): ConfigError {
  try {
    parseConfig({ ...base, ...env });
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

describe('parseConfig', () => {
  it('applies every default of SPEC §1', () => {
    expect(parseConfig(base)).toEqual({
      leaderElection: true,
      leaseName: 'bindy-leader',
      leaseNamespace: 'dns-system',
      leaseDurationSeconds: 15,
      renewDeadlineSeconds: 10,
      retryPeriodSeconds: 2,
      identity: 'bindy-0',
      logLevel: 'info',
      logLevelFrom: 'default',
      metricsPort: 8080,
      healthPort: 8081,
      leadershipProbe: undefined,
      dnsControllers: true,
      watchNamespace: undefined,
    });
  });

  it('reads the operator namespace (POD_NAMESPACE) and an agent image override (BINDY_AGENT_IMAGE)', () => {
    const config = parseConfig({ ...base, POD_NAMESPACE: 'dns-ops', BINDY_AGENT_IMAGE: 'mirror.example.com:5000/bindy-ts@sha256:' + 'a'.repeat(64) });
    expect(config).toMatchObject({ podNamespace: 'dns-ops', agentImage: `mirror.example.com:5000/bindy-ts@sha256:${'a'.repeat(64)}` });
  });

  it('limits the DNS controllers to WATCH_NAMESPACE when set', () => {
    expect(parseConfig({ ...base, WATCH_NAMESPACE: 'tenant-a' }).watchNamespace).toBe('tenant-a');
  });

  it('accepts valid overrides', () => {
    const config = parseConfig({
      POD_NAME: 'p',
      ENABLE_LEADER_ELECTION: 'FALSE',
      LEASE_NAME: 'my.lease-1',
      LEASE_NAMESPACE: 'other-ns',
      LEASE_DURATION_SECONDS: '30',
      LEASE_RENEW_DEADLINE_SECONDS: '20',
      LEASE_RETRY_PERIOD_SECONDS: '2',
      LOG_LEVEL: 'DEBUG',
      METRICS_PORT: '0',
      HEALTH_PORT: '0',
      BINDY_LEADERSHIP_PROBE: 'ns/probe',
    });
    expect(config).toMatchObject({ leaderElection: false, leaseName: 'my.lease-1', leaseNamespace: 'other-ns', logLevel: 'debug' });
    expect(config.leadershipProbe).toEqual({ namespace: 'ns', name: 'probe' });
  });

  it.each([
    ['debug', 'debug'],
    ['DEBUG', 'debug'],
    ['trace', 'trace'],
    ['warn', 'warn'],
    ['off', 'silent'],
    ['bindy=debug', 'debug'],
    ['info,bindy=trace', 'trace'],
    ['bindy::leader=debug,warn', 'debug'],
    ['error, kube=debug', 'error'],
  ])('takes the log level %j from RUST_LOG (the seed guide alias) when LOG_LEVEL is unset', (rustLog, level) => {
    const config = parseConfig({ ...base, RUST_LOG: rustLog });
    expect(config).toMatchObject({ logLevel: level, logLevelFrom: 'RUST_LOG' });
    expect(config.ignoredRustLog).toBeUndefined();
    expect(parseConfig({ ...base, LOG_LEVEL: '', RUST_LOG: rustLog }).logLevel).toBe(level);
  });

  it('lets LOG_LEVEL win over RUST_LOG and reports the RUST_LOG it ignored', () => {
    expect(parseConfig({ ...base, LOG_LEVEL: 'warn', RUST_LOG: 'debug' })).toMatchObject({
      logLevel: 'warn',
      logLevelFrom: 'LOG_LEVEL',
      ignoredRustLog: 'debug',
    });
    expect(parseConfig({ ...base, LOG_LEVEL: 'info' }).ignoredRustLog).toBeUndefined();
  });

  it('takes the identity from HOSTNAME when POD_NAME is unset or empty', () => {
    expect(parseConfig({ HOSTNAME: 'host-1' }).identity).toBe('host-1');
    expect(parseConfig({ POD_NAME: '', HOSTNAME: 'host-1' }).identity).toBe('host-1');
    expect(parseConfig({ POD_NAME: 'pod', HOSTNAME: 'host-1' }).identity).toBe('pod');
  });

  it('accepts the smallest legal timing (4/3/1) and the cost-optimized profile (30/20/2)', () => {
    expect(parseConfig({ ...base, LEASE_DURATION_SECONDS: '4', LEASE_RENEW_DEADLINE_SECONDS: '3', LEASE_RETRY_PERIOD_SECONDS: '1' })).toMatchObject({
      leaseDurationSeconds: 4,
    });
    expect(parseConfig({ ...base, LEASE_DURATION_SECONDS: '30', LEASE_RENEW_DEADLINE_SECONDS: '20' }).renewDeadlineSeconds).toBe(20);
  });

  it.each([
    [{ ENABLE_LEADER_ELECTION: 'yes' }, 'ENABLE_LEADER_ELECTION', 'yes', /true or false/],
    [{ ENABLE_LEADER_ELECTION: '1' }, 'ENABLE_LEADER_ELECTION', '1', /true or false/],
    [{ BINDY_DNS_CONTROLLERS: 'off' }, 'BINDY_DNS_CONTROLLERS', 'off', /true or false/],
    [{ WATCH_NAMESPACE: 'Tenant_A' }, 'WATCH_NAMESPACE', 'Tenant_A', /DNS-1123 label/],
    [{ POD_NAMESPACE: 'DNS' }, 'POD_NAMESPACE', 'DNS', /DNS-1123 label/],
    [{ BINDY_AGENT_IMAGE: 'Bindy TS' }, 'BINDY_AGENT_IMAGE', 'Bindy TS', /whitespace/],
    [{ LEASE_NAME: 'Bindy_Leader' }, 'LEASE_NAME', 'Bindy_Leader', /DNS-1123 subdomain/],
    [{ LEASE_NAME: 'a'.repeat(254) }, 'LEASE_NAME', 'a'.repeat(254), /DNS-1123 subdomain/],
    [{ LEASE_NAMESPACE: 'dns.system' }, 'LEASE_NAMESPACE', 'dns.system', /DNS-1123 label/],
    [{ LEASE_NAMESPACE: 'a'.repeat(64) }, 'LEASE_NAMESPACE', 'a'.repeat(64), /DNS-1123 label/],
    [{ LEASE_DURATION_SECONDS: '0' }, 'LEASE_DURATION_SECONDS', '0', /integer >= 1/],
    [{ LEASE_DURATION_SECONDS: '15s' }, 'LEASE_DURATION_SECONDS', '15s', /integer >= 1/],
    [{ LEASE_DURATION_SECONDS: '1.5' }, 'LEASE_DURATION_SECONDS', '1.5', /integer >= 1/],
    [{ LEASE_DURATION_SECONDS: '-3' }, 'LEASE_DURATION_SECONDS', '-3', /integer >= 1/],
    [{ LEASE_RENEW_DEADLINE_SECONDS: '15' }, 'LEASE_RENEW_DEADLINE_SECONDS', '15', /less than LEASE_DURATION_SECONDS \(15\)/],
    [{ LEASE_RETRY_PERIOD_SECONDS: '0' }, 'LEASE_RETRY_PERIOD_SECONDS', '0', /integer >= 1/],
    [{ LEASE_RENEW_DEADLINE_SECONDS: '12', LEASE_RETRY_PERIOD_SECONDS: '10' }, 'LEASE_RETRY_PERIOD_SECONDS', '10', /greater than 1.2 x/],
    [{ LOG_LEVEL: 'verbose' }, 'LOG_LEVEL', 'verbose', /one of fatal, error/],
    [{ RUST_LOG: 'verbose' }, 'RUST_LOG', 'verbose', /a level \(error, warn, info, debug, trace, off\)/],
    [{ RUST_LOG: 'kube=debug' }, 'RUST_LOG', 'kube=debug', /set one for bindy/],
    [{ RUST_LOG: 'bindy=loud' }, 'RUST_LOG', 'bindy=loud', /bindy=debug/],
    [{ RUST_LOG: 'bindy=debug/regex' }, 'RUST_LOG', 'bindy=debug/regex', /env_logger directives/],
    [{ LOG_LEVEL: 'debug', RUST_LOG: 'debug=' }, 'RUST_LOG', 'debug=', /env_logger directives/],
    [{ LOG_LEVEL: 'loud', RUST_LOG: 'debug' }, 'LOG_LEVEL', 'loud', /one of fatal, error/],
    [{ METRICS_PORT: '70000' }, 'METRICS_PORT', '70000', /from 0 to 65535/],
    [{ HEALTH_PORT: 'http' }, 'HEALTH_PORT', 'http', /from 0 to 65535/],
    [{ METRICS_PORT: '9000', HEALTH_PORT: '9000' }, 'HEALTH_PORT', '9000', /differ from METRICS_PORT/],
    [{ BINDY_LEADERSHIP_PROBE: 'just-a-name' }, 'BINDY_LEADERSHIP_PROBE', 'just-a-name', /<namespace>\/<configmap name>/],
  ])('rejects %j naming the variable, value and rule', (env, variable, value, rule) => {
    const err = errorOf(env as Record<string, string>);
    expect(err.variable).toBe(variable);
    expect(err.value).toBe(value);
    expect(err.rule).toMatch(rule);
  });

  it('rejects a missing identity', () => {
    expect(() => parseConfig({})).toThrow(ConfigError);
    expect(() => parseConfig({ POD_NAME: '', HOSTNAME: '' })).toThrow(/POD_NAME or HOSTNAME/);
  });
});
