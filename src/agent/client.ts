import { request } from 'node:http';
import type { Epoch } from './epoch.js';
import type { ZoneInfo } from './zones.js';

/** AGENT_PORT is the agent's API port in every Bind9Instance pod. */
export const AGENT_PORT = 8053;

/** StaleEpochError is the agent's 409: the caller is no longer the leader and must stop writing. */
export class StaleEpochError extends Error {
  override readonly name = 'StaleEpochError';
}

/** AgentError is any other failed agent call; `status` 0 means no answer. */
export class AgentError extends Error {
  override readonly name = 'AgentError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** AgentClient talks to one pod's agent. */
export class AgentClient {
  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly token: string,
    private readonly timeoutMs = 10_000,
  ) {}

  get address(): string {
    return `${this.host}:${this.port}`;
  }

  async list(): Promise<ZoneInfo[]> {
    const body = (await this.call('GET', '/v1/zones')) as { zones: ZoneInfo[] };
    return body.zones;
  }

  async put(zone: string, text: string, epoch: Epoch): Promise<ZoneInfo> {
    return (await this.call('PUT', `/v1/zones/${encodeURIComponent(zone)}`, epoch, text)) as ZoneInfo;
  }

  /** delete removes a zone; a zone the agent does not have counts as deleted. */
  async delete(zone: string, epoch: Epoch): Promise<void> {
    await this.call('DELETE', `/v1/zones/${encodeURIComponent(zone)}`, epoch, undefined, [404]);
  }

  private call(method: string, path: string, epoch?: Epoch, body?: string, okStatuses: number[] = []): Promise<unknown> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}` };
    if (epoch) {
      headers['x-bindy-epoch-holder'] = epoch.holder;
      headers['x-bindy-epoch-transitions'] = String(epoch.transitions);
    }
    if (body !== undefined) {
      headers['content-type'] = 'text/plain';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    return new Promise((resolve, reject) => {
      const req = request({ host: this.host, port: this.port, method, path, headers, timeout: this.timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          const parsed = parse(text);
          if ((status >= 200 && status < 300) || okStatuses.includes(status)) return resolve(parsed);
          const message = `${method} ${this.address}${path}: ${status}: ${(parsed as { error?: string })?.error ?? text}`;
          reject(status === 409 ? new StaleEpochError(message) : new AgentError(status, message));
        });
        res.on('error', (err) => reject(new AgentError(0, `${method} ${this.address}${path}: ${err.message}`)));
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
      req.on('error', (err) => reject(new AgentError(0, `${method} ${this.address}${path}: ${err.message}`)));
      req.end(body);
    });
  }
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
