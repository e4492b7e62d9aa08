import { createConnection, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** TcpProxy forwards one loopback port to a target; the test can cut it like a network partition. */
export interface TcpProxy {
  /** url is the target URL with host:port replaced by the proxy's (same scheme: TLS passes through). */
  readonly url: string;
  readonly port: number;
  /**
   * blackhole stops forwarding bytes both ways without closing any socket, like a partition
   * where packets are lost: peers see no FIN/RST, only silence. New connections are accepted
   * (the kernel completes the handshake) but hang. Bytes sent meanwhile stay queued and are
   * delivered after heal(), as TCP retransmission would.
   */
  blackhole(): void;
  heal(): void;
  readonly blackholed: boolean;
  /** close destroys all connections and stops listening. */
  close(): Promise<void>;
}

interface Pair {
  readonly client: Socket;
  readonly upstream: Socket;
}

/** startTcpProxy listens on 127.0.0.1:<free port> and forwards to target (a URL or host:port). */
export async function startTcpProxy(target: string): Promise<TcpProxy> {
  const targetUrl = new URL(target.includes('://') ? target : `tcp://${target}`);
  const targetPort = Number(targetUrl.port || (targetUrl.protocol === 'https:' ? 443 : 80));
  const pairs = new Set<Pair>();
  let blackholed = false;

  const server = createServer((client) => {
    const upstream = createConnection({ host: targetUrl.hostname, port: targetPort });
    const pair = { client, upstream };
    pairs.add(pair);
    // Manual forwarding (not pipe()) so pause() reliably holds bytes while blackholed.
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk) => client.write(chunk));
    const end = (): void => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
    if (blackholed) {
      client.pause();
      upstream.pause();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  const url = new URL(targetUrl.href);
  url.host = `127.0.0.1:${port}`;

  return {
    url: url.href.replace(/\/$/, ''),
    port,
    get blackholed() {
      return blackholed;
    },
    blackhole() {
      blackholed = true;
      for (const { client, upstream } of pairs) {
        client.pause();
        upstream.pause();
      }
    },
    heal() {
      blackholed = false;
      for (const { client, upstream } of pairs) {
        client.resume();
        upstream.resume();
      }
    },
    close() {
      for (const { client, upstream } of pairs) {
        client.destroy();
        upstream.destroy();
      }
      pairs.clear();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
