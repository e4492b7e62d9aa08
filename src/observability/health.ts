import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { OperatorMetrics } from './metrics.js';

/** HealthChecks answers the probes of SPEC §5. */
export interface HealthChecks {
  /** live is false only for a wedged leader (last renew older than lease duration + 20 s). */
  live(): { ok: boolean; detail: string };
  /** ready: caches synced (leader / no election) or the Lease watched (standby). */
  ready(): { ok: boolean; detail: string };
}

/** HttpServer is a started listener; port is the bound port (useful with port 0). */
export interface HttpServer {
  readonly port: number;
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

async function listen(name: string, port: number, routes: Record<string, Handler>, log: Logger): Promise<HttpServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const route = routes[path];
    if (!route || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404).end('not found\n');
      return;
    }
    Promise.resolve(route(req, res)).catch((err: unknown) => {
      log.error({ err, path }, `${name} handler failed`);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  // Probes must not keep a draining process alive.
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  log.info({ port: bound, server: name }, `${name} server listening`);
  return {
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** startMetricsServer serves /metrics from the operator's private registry. */
export function startMetricsServer(port: number, metrics: OperatorMetrics, log: Logger): Promise<HttpServer> {
  return listen('Metrics', port, {
    '/metrics': async (_req, res) => {
      const body = await metrics.text();
      res.writeHead(200, { 'Content-Type': metrics.contentType }).end(body);
    },
  }, log);
}

/** startHealthServer serves /healthz and /readyz. */
export function startHealthServer(port: number, checks: HealthChecks, log: Logger): Promise<HttpServer> {
  const probe = (check: () => { ok: boolean; detail: string }): Handler => (_req, res) => {
    const { ok, detail } = check();
    res.writeHead(ok ? 200 : 500, { 'Content-Type': 'text/plain' }).end(`${ok ? 'ok' : 'failed'}: ${detail}\n`);
  };
  return listen('Health', port, { '/healthz': probe(() => checks.live()), '/readyz': probe(() => checks.ready()) }, log);
}
