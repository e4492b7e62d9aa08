import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** LogLine is one parsed JSON log line of a replica (non-JSON output is kept as `{ msg, raw: true }`). */
export type LogLine = Record<string, unknown> & { msg: string; level?: string; time?: string; receivedAt: number };

export type LogMatch = string | RegExp | ((line: LogLine) => boolean);

export interface ReplicaOptions {
  /** name becomes POD_NAME (the Lease holder identity). */
  readonly name: string;
  readonly kubeconfig: string;
  /** env is added to a minimal environment (PATH, HOME); METRICS_PORT/HEALTH_PORT default to 0. */
  readonly env?: Readonly<Record<string, string>>;
  /** echo copies the replica's output to this process's stderr (debugging). */
  readonly echo?: boolean;
  /** entry is the node arguments that start the operator. @default the sources through tsx */
  readonly entry?: readonly string[];
}

/** BUILT_ENTRY runs the compiled operator (`npm run build`) with the image's node flags (its ENTRYPOINT, checked in packaging.test.ts). */
export const BUILT_ENTRY = ['--optimize-for-size', 'build/main.js'] as const;
const SOURCE_ENTRY = ['--import', 'tsx', 'src/main.ts'] as const;

export interface Replica {
  readonly name: string;
  readonly proc: ChildProcess;
  /** logs grows as the replica writes; receivedAt is this process's Date.now() on arrival. */
  readonly logs: LogLine[];
  /** waitForLog resolves with the first line (at index >= after) that matches. */
  waitForLog(match: LogMatch, timeoutMs?: number, after?: number): Promise<LogLine>;
  /** count is the number of lines matching so far. */
  count(match: LogMatch): number;
  /** metrics fetches /metrics and returns `name{labels}` → value. */
  metrics(): Promise<Map<string, number>>;
  /** probe fetches /healthz or /readyz and returns the status code. */
  probe(path: '/healthz' | '/readyz'): Promise<number>;
  kill(signal?: NodeJS.Signals): void;
  /** exited resolves when the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** stop SIGKILLs the replica if it still runs and waits for it. */
  stop(): Promise<void>;
}

function matches(line: LogLine, match: LogMatch): boolean {
  if (typeof match === 'string') return line.msg === match;
  if (match instanceof RegExp) return match.test(line.msg);
  return match(line);
}

/** startReplica runs the operator (its sources through tsx, or `entry`) as a child process with its own identity. */
export function startReplica(options: ReplicaOptions): Replica {
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    METRICS_PORT: '0',
    HEALTH_PORT: '0',
    ...options.env,
    POD_NAME: options.name,
    KUBECONFIG: options.kubeconfig,
  };
  const proc = spawn(process.execPath, [...(options.entry ?? SOURCE_ENTRY)], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: LogLine[] = [];
  const listeners = new Set<() => void>();
  const onLine = (raw: string): void => {
    if (options.echo) process.stderr.write(`[${options.name}] ${raw}\n`);
    let line: LogLine;
    try {
      line = { ...(JSON.parse(raw) as Record<string, unknown>), receivedAt: Date.now() } as LogLine;
      if (typeof line.msg !== 'string') line.msg = '';
    } catch {
      line = { msg: raw, raw: true, receivedAt: Date.now() };
    }
    logs.push(line);
    for (const l of [...listeners]) l();
  };
  createInterface({ input: proc.stdout! }).on('line', onLine);
  createInterface({ input: proc.stderr! }).on('line', onLine);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('exit', (code, signal) => {
      resolve({ code, signal });
      for (const l of [...listeners]) l();
    }),
  );
  let exitedYet = false;
  void exited.then(() => (exitedYet = true));

  const waitForLog = (match: LogMatch, timeoutMs = 20_000, after = 0): Promise<LogLine> =>
    new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = logs.slice(after).find((l) => matches(l, match));
        if (!found) return false;
        done();
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${options.name}: no log matching ${String(match)} within ${timeoutMs} ms; last lines:\n${logs.slice(-8).map((l) => JSON.stringify(l)).join('\n')}`));
      }, timeoutMs);
      const listener = (): void => void check();
      const done = (): void => {
        clearTimeout(timer);
        listeners.delete(listener);
      };
      if (!check()) listeners.add(listener);
    });

  const port = async (server: 'Metrics' | 'Health'): Promise<number> =>
    Number((await waitForLog((l) => l.msg === `${server} server listening`, 30_000)).port);

  return {
    name: options.name,
    proc,
    logs,
    waitForLog,
    count: (match) => logs.filter((l) => matches(l, match)).length,
    metrics: async () => parseMetrics((await httpGet(await port('Metrics'), '/metrics')).body),
    probe: async (path) => (await httpGet(await port('Health'), path)).status,
    kill: (signal = 'SIGTERM') => void proc.kill(signal),
    exited,
    stop: async () => {
      if (!exitedYet) proc.kill('SIGKILL');
      await exited;
    },
  };
}

function httpGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET :${port}${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** parseMetrics reads the Prometheus text format into `name{labels}` → value. */
export function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const space = line.lastIndexOf(' ');
    out.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return out;
}

/** kubeconfigVia writes a copy of a kubeconfig whose clusters point at `server` (e.g. a proxy). */
export function kubeconfigVia(source: string, server: string, target: string): string {
  const doc = parse(readFileSync(source, 'utf8')) as { clusters?: Array<{ cluster: { server: string } }> };
  for (const c of doc.clusters ?? []) c.cluster.server = server;
  writeFileSync(target, stringify(doc), { mode: 0o600 });
  return target;
}
