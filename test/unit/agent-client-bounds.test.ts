/**
 * The operator's agent client against a real HTTPS server on 127.0.0.1 (with a certificate of the
 * operator CA, so the failures below are the agent's answers, not the handshake) that misbehaves the way a
 * broken or hostile agent can: an endless or huge answer, a trickle that never ends, garbage.
 * Each must fail that one call (and, through the Pusher, that pod's push) without a crash and
 * without buffering the answer.
 */
import type { ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { pino } from 'pino';
import { AgentClient, AgentError } from '../../src/agent/client.js';
import type { Caches } from '../../src/controllers/caches.js';
import { Pusher } from '../../src/controllers/push.js';
import type { KubeClient } from '../../src/kube/api-client.js';
import { agentTlsFixture } from '../support/agent-tls.js';

const pki = agentTlsFixture();
const client = (port: number, limits = {}) => new AgentClient('127.0.0.1', port, 't', pki.connection(), limits);

type Behaviour = (res: ServerResponse) => void;

/** Hostile is an "agent" whose every answer is `behaviour`; it counts the bytes it managed to send. */
class Hostile {
  sent = 0;
  closed = 0;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  readonly server: Server;
  constructor(private readonly behaviour: Behaviour) {
    this.server = createServer({ cert: pki.tls.cert, key: pki.tls.key }, (_req, res) => {
      res.on('close', () => this.closed++);
      this.behaviour(res);
    });
    this.server.on('connection', (s) => {
      this.sockets.add(s as Socket);
      s.on('close', () => this.sockets.delete(s as Socket));
    });
  }
  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }
  every(ms: number, fn: () => void): void {
    this.timers.add(setInterval(fn, ms));
  }
  /** stream writes `chunk` whenever the socket drains, until the client goes away. */
  stream(res: ServerResponse, chunk: Buffer): void {
    const pump = (): void => {
      while (!res.destroyed && !res.writableEnded) {
        this.sent += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
    };
    pump();
  }
  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    for (const s of this.sockets) s.destroy();
    await new Promise((r) => this.server.close(r));
  }
}

async function hostile(behaviour: (h: Hostile) => Behaviour): Promise<Hostile> {
  let h!: Hostile;
  h = new Hostile((res) => behaviour(h)(res));
  await new Promise<void>((r) => h.server.listen(0, '127.0.0.1', r));
  return h;
}

const MiB = 1024 * 1024;

describe('agent client limits (a misbehaving agent on 127.0.0.1)', () => {
  let h: Hostile | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('stops reading an endless answer at the size limit and closes the connection', async () => {
    h = await hostile((self) => (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      self.stream(res, Buffer.alloc(MiB, 0x61));
    });
    const heapBefore = process.memoryUsage().heapUsed;
    const call = client(h.port, { maxResponseBytes: 4 * MiB }).list();
    await expect(call).rejects.toThrow(/answer exceeds the 4194304-byte limit/);
    await expect(call).rejects.toBeInstanceOf(AgentError);
    await eventually(() => h!.closed === 1);
    // What the server got out is bounded by the limit plus socket buffers, not by its patience.
    expect(h.sent).toBeLessThan(64 * MiB);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * MiB);
  });

  it('refuses a declared 700 MB answer before reading it', async () => {
    h = await hostile((self) => (res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(700 * 1000 * 1000) });
      self.stream(res, Buffer.alloc(MiB, 0x61));
    });
    await expect(client(h.port).list()).rejects.toThrow(/answer of 700000000 bytes exceeds the 16777216-byte limit/);
    expect(h.sent).toBeLessThan(64 * MiB);
  });

  it('gives up on an agent that trickles a byte at a time, at the total deadline', async () => {
    h = await hostile((self) => (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{');
      self.every(50, () => res.write(' '));
    });
    const started = Date.now();
    // The idle timeout (10 s) never fires: a byte arrives every 50 ms.
    await expect(client(h.port, { totalMs: 400 }).list()).rejects.toThrow(/no complete answer within 400 ms/);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('fails a garbled answer (not JSON, or not the shape asked for) instead of trusting it', async () => {
    const bodies = ['this is not json', '{"zones":"all of them"}', '{"zones":[{"name":"a.test","serial":"7"}]}', 'null'];
    let next = 0;
    h = await hostile(() => (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(bodies[next++]);
    });
    const agent = client(h.port);
    for (let i = 0; i < bodies.length; i++) await expect(agent.list()).rejects.toThrow(/garbled answer/);
    await expect(agent.put('a.test', 'x', { holder: 'a', transitions: 1 })).rejects.toThrow(/garbled answer/);
  });

  it('makes a bad agent a failed push for its pod only; the good pod is still pushed', async () => {
    h = await hostile((self) => (res) => {
      res.writeHead(200);
      self.stream(res, Buffer.alloc(MiB, 0x61));
    });
    const good = await hostile(() => (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(res.req.method === 'GET' ? '{"zones":[]}' : '{"name":"a.test","serial":3}');
    });
    try {
      const leadership = { fence: () => ({ holder: 'a', transitions: 1 }), deposed: () => undefined, signal: new AbortController().signal };
      const pusher = new Pusher({} as KubeClient, {} as Caches, leadership, { fencedWritesTotal: { inc: () => undefined } }, { ...pki.ca, fingerprint: '' });
      const agents = [client(h.port, { maxResponseBytes: MiB }), client(good.port)];
      const results = await pusher.syncZone(agents, 'a.test', { name: 'a.test', serial: 3, text: 'zone' }, pino({ level: 'silent' }));
      expect(results[0]).toMatchObject({ changed: false, error: expect.stringMatching(/exceeds the 1048576-byte limit/) });
      expect(results[1]).toMatchObject({ changed: true, serial: 3 });
      expect(results[1]!.error).toBeUndefined();
    } finally {
      await good.close();
    }
  });
});

async function eventually(check: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
