/**
 * AgentGate stands for the network between the operator and one pod's agent: it forwards every
 * request unchanged, except that a test can hold back one matching request (e.g. a PUT from a
 * given leader) and release it later — a write delayed in flight, deterministically. The agent
 * speaks only TLS, so the gate terminates it with the pod's own certificate and dials the agent
 * as the operator does (CA pinned, the instance's name checked).
 */
import type { IncomingMessage } from 'node:http';
import { createServer, request, type Server } from 'node:https';
import { identityCheck } from '../../src/agent/tls.js';

interface Hold {
  readonly match: (req: IncomingMessage) => boolean;
  used: boolean;
  readonly held: Deferred<void>;
  readonly release: Deferred<void>;
  readonly answered: Deferred<number>;
}

class Deferred<T> {
  resolve!: (value: T) => void;
  readonly promise = new Promise<T>((resolve) => (this.resolve = resolve));
}

/** GateTls is the pod's certificate and key (served by the gate), the CA and the name the agent's certificate carries. */
export interface GateTls {
  readonly cert: string;
  readonly key: string;
  readonly ca: string;
  readonly serverName: string;
}

/** HeldRequest controls one held request. */
export interface HeldRequest {
  /** held resolves once a matching request has arrived and is being held. */
  readonly held: Promise<void>;
  /** release forwards the held request and resolves with the agent's HTTP status. */
  release(): Promise<number>;
}

export class AgentGate {
  private readonly holds: Hold[] = [];
  private server: Server | undefined;

  constructor(
    private readonly listen: { host: string; port: number },
    private readonly target: { host: string; port: number },
    private readonly tls: GateTls,
  ) {}

  async start(): Promise<void> {
    this.server = createServer({ cert: this.tls.cert, key: this.tls.key }, (req, res) => {
      void this.forward(req).then(
        ({ status, headers, body }) => {
          res.writeHead(status, headers);
          res.end(body);
        },
        (err: Error) => {
          res.writeHead(502);
          res.end(err.message);
        },
      );
    });
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', reject);
      this.server?.listen(this.listen.port, this.listen.host, () => resolve());
    });
  }

  /** hold holds back the next request that matches. */
  hold(match: (req: IncomingMessage) => boolean): HeldRequest {
    const h: Hold = { match, used: false, held: new Deferred(), release: new Deferred(), answered: new Deferred() };
    this.holds.push(h);
    return {
      held: h.held.promise,
      release: () => {
        h.release.resolve();
        return h.answered.promise;
      },
    };
  }

  async close(): Promise<void> {
    for (const h of this.holds) h.release.resolve();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async forward(req: IncomingMessage): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
    const chunks: Buffer[] = [];
    for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
    const hold = this.holds.find((h) => !h.used && h.match(req));
    if (hold) {
      hold.used = true;
      hold.held.resolve();
      await hold.release.promise;
    }
    const answer = await new Promise<{ status: number; headers: Record<string, string>; body: Buffer }>((resolve, reject) => {
      const tls = { ca: this.tls.ca, servername: this.tls.serverName, checkServerIdentity: identityCheck(this.tls.serverName) };
      const out = request({ ...this.target, ...tls, method: req.method, path: req.url, headers: req.headers }, (res) => {
        const body: Buffer[] = [];
        res.on('data', (c: Buffer) => body.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: { 'content-type': String(res.headers['content-type'] ?? 'application/json') }, body: Buffer.concat(body) }));
        res.on('error', reject);
      });
      out.on('error', reject);
      out.end(Buffer.concat(chunks));
    });
    hold?.answered.resolve(answer.status);
    return answer;
  }
}
