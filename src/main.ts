/**
 * Process entry: config → logger → metrics and health servers → apiserver clients → operator
 * (informers always, controllers only while leading) → on SIGTERM/SIGINT: controllers stop, the
 * Lease is released and handed over, servers close, exit 0.
 */
import { createControllers } from './controllers/manager.js';
import { ConfigError, loggableConfig, parseConfig, type Config } from './config.js';
import { KubeClient } from './kube/api-client.js';
import { loadKubeConnection, type KubeConnection } from './kube/kubeconfig.js';
import { KubeLeaseLock } from './leader/lease-lock.js';
import { startHealthServer, startMetricsServer, type HttpServer } from './observability/health.js';
import { createLogger, type Logger } from './observability/log.js';
import { OperatorMetrics } from './observability/metrics.js';
import { LeadershipProbe } from './operator/leadership-probe.js';
import { Operator } from './operator/operator.js';
import type { ControllerSet } from './operator/runnable.js';

/** EXIT_CONFIG is the exit code for a bad configuration (SPEC §1). */
const EXIT_CONFIG = 2;
/** Shutdown must finish inside the pod's default 30 s termination grace period. */
const SHUTDOWN_LIMIT_MS = 25_000;

function loadConfig(): Config {
  try {
    return parseConfig(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    // One line naming variable, value and rule; nothing has touched the cluster yet.
    createLogger('info').fatal({ variable: err.variable, value: err.value, rule: err.rule }, `Invalid configuration: ${err.message}`);
    process.exit(EXIT_CONFIG);
  }
}

/** controllerSets lists what runs; the DNS controllers hook in here. */
function controllerSets(config: Config, client: KubeClient, log: Logger, metrics: OperatorMetrics): ControllerSet[] {
  const sets: ControllerSet[] = [];
  if (config.dnsControllers) sets.push(createControllers({ client, log, metrics, config }));
  if (config.leadershipProbe) {
    const probe = new LeadershipProbe({ client, target: config.leadershipProbe, periodMs: config.retryPeriodSeconds * 1000, log, metrics });
    sets.push({ names: ['leadership-probe'], reconcilers: (leadership) => probe.forTerm(leadership) });
  }
  return sets;
}

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  log.info({ config: loggableConfig(config) }, 'Starting bindy operator');
  if (config.ignoredRustLog !== undefined) {
    log.warn({ logLevel: config.logLevel, RUST_LOG: config.ignoredRustLog }, 'RUST_LOG is ignored because LOG_LEVEL is set (LOG_LEVEL wins)');
  }
  installCrashHandlers(log);
  const metrics = new OperatorMetrics();
  const shutdown = new AbortController();
  onSignals(log, shutdown);

  const connection = await connectOrExit(log);
  const client = new KubeClient(connection, { userAgent: `bindy/${config.identity}`, onRequest: metrics.apiRequestCounter('controllers') });
  // The Lease gets its own connection and a short per-request timeout so a renewal never waits
  // behind reconcile traffic and a dead link is noticed well inside the renew deadline.
  const leaseTimeoutMs = Math.min(config.retryPeriodSeconds, config.renewDeadlineSeconds / 2) * 1000;
  const leaseClient = new KubeClient(connection, { timeoutMs: leaseTimeoutMs, userAgent: `bindy/${config.identity}/leader-election`, onRequest: metrics.apiRequestCounter('leader-election') });
  const lock = new KubeLeaseLock({
    client: leaseClient,
    namespace: config.leaseNamespace,
    name: config.leaseName,
    timeoutMs: leaseTimeoutMs,
    watchIdleMs: Math.max(2 * config.leaseDurationSeconds * 1000, 10_000),
  });
  const operator = new Operator({ config, log, metrics, lock, controllers: controllerSets(config, client, log, metrics) });

  const servers: HttpServer[] = [
    await startMetricsServer(config.metricsPort, metrics, log),
    await startHealthServer(config.healthPort, operator, log),
  ];
  await operator.run(shutdown.signal);
  await Promise.all(servers.map((s) => s.close()));
  client.close();
  leaseClient.close();
  log.info('Shutdown complete');
}

/**
 * connectOrExit loads the kubeconfig / in-cluster identity and authenticates once before anything
 * starts: a missing kubeconfig or a failing exec plugin ends the process with one clear line and
 * exit 1, instead of every component retrying and logging stack traces in a loop.
 */
async function connectOrExit(log: Logger): Promise<KubeConnection> {
  let connection: KubeConnection | undefined;
  try {
    connection = loadKubeConnection(process.env);
    await connection.credentials.get();
    log.info({ server: connection.server, auth: connection.credentials.method }, 'Kubernetes API credentials loaded');
    return connection;
  } catch (err) {
    const reason = (err as Error).message;
    log.fatal({ server: connection?.server, auth: connection?.credentials.method, reason }, `Cannot authenticate to the Kubernetes API: ${reason}`);
    process.exit(1);
  }
}

function onSignals(log: Logger, shutdown: AbortController): void {
  const handle = (signal: NodeJS.Signals): void => {
    if (shutdown.signal.aborted) {
      log.warn({ signal }, 'Second signal: exiting at once');
      process.exit(1);
    }
    log.info({ signal }, 'Shutting down: stopping controllers, then releasing the lease');
    shutdown.abort();
    setTimeout(() => {
      log.error({ limitMs: SHUTDOWN_LIMIT_MS }, 'Shutdown did not finish in time; exiting');
      process.exit(1);
    }, SHUTDOWN_LIMIT_MS).unref();
  };
  process.on('SIGTERM', handle);
  process.on('SIGINT', handle);
}

/** A bug must end the process (its lease then expires) rather than leave a half-working leader. */
function installCrashHandlers(log: Logger): void {
  process.on('unhandledRejection', (reason) => {
    log.fatal({ err: reason }, 'Unhandled promise rejection; exiting');
    process.exit(1);
  });
  process.on('uncaughtException', (err) => {
    log.fatal({ err }, 'Uncaught exception; exiting');
    process.exit(1);
  });
}

/** runAgentCommand is `bindy agent`: the sidecar of Bind9Instance pods ships in the same image. */
async function runAgentCommand(): Promise<void> {
  const agent = await import('./agent/cli.js');
  await agent.main(process.env);
}

if (process.argv[2] === 'agent') {
  runAgentCommand().catch((err: unknown) => {
    createLogger('info').fatal({ err }, 'Agent failed to start');
    process.exit(1);
  });
} else {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      createLogger('info').fatal({ err }, 'Operator failed to start');
      process.exit(1);
    },
  );
}
