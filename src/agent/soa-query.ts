import { createSocket } from 'node:dgram';
import { randomInt } from 'node:crypto';

/** SoaAnswer is what named said about a zone: the serial it serves authoritatively, or that it did not. */
export type SoaAnswer = { readonly served: true; readonly serial: number } | { readonly served: false; readonly rcode: number };

const TYPE_SOA = 6;
const CLASS_IN = 1;

/** encodeName writes a domain name as DNS labels. */
function encodeName(zone: string): Buffer {
  const labels = zone.replace(/\.$/, '').split('.').filter((l) => l.length > 0);
  return Buffer.concat([...labels.map((l) => Buffer.concat([Buffer.from([Buffer.byteLength(l)]), Buffer.from(l)])), Buffer.from([0])]);
}

/** skipName returns the offset after a (possibly compressed) name. */
function skipName(msg: Buffer, offset: number): number {
  for (let i = offset; i < msg.length; ) {
    const len = msg[i]!;
    if (len === 0) return i + 1;
    if ((len & 0xc0) === 0xc0) return i + 2;
    i += len + 1;
  }
  throw new Error('truncated name');
}

/** parseSoaAnswer reads the SOA serial from an authoritative answer to query `id`. */
export function parseSoaAnswer(msg: Buffer, id: number): SoaAnswer | undefined {
  if (msg.length < 12 || msg.readUInt16BE(0) !== id) return undefined;
  const flags = msg.readUInt16BE(2);
  const rcode = flags & 0x0f;
  const authoritative = (flags & 0x0400) !== 0;
  const [qd, an] = [msg.readUInt16BE(4), msg.readUInt16BE(6)];
  if (rcode !== 0 || !authoritative || an === 0) return { served: false, rcode };
  let offset = 12;
  for (let q = 0; q < qd; q++) offset = skipName(msg, offset) + 4;
  for (let a = 0; a < an; a++) {
    offset = skipName(msg, offset);
    const type = msg.readUInt16BE(offset);
    const rdlength = msg.readUInt16BE(offset + 8);
    const rdata = offset + 10;
    if (type === TYPE_SOA) return { served: true, serial: msg.readUInt32BE(skipName(msg, skipName(msg, rdata))) };
    offset = rdata + rdlength;
  }
  return { served: false, rcode };
}

/**
 * querySoa asks named for a zone's SOA over UDP, as a resolver would: one datagram each way,
 * instead of spawning `rndc zonestatus` (a process per call, which dominated a bulk load).
 * Rejects when nothing answers within `timeoutMs`.
 */
export function querySoa(server: string, port: number, zone: string, timeoutMs = 1_000): Promise<SoaAnswer> {
  const id = randomInt(0, 0x10000);
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(1, 4);
  const question = Buffer.concat([encodeName(zone), Buffer.from([0, TYPE_SOA, 0, CLASS_IN])]);
  const socket = createSocket(server.includes(':') ? 'udp6' : 'udp4');
  return new Promise<SoaAnswer>((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`no DNS answer from ${server}:${port} within ${timeoutMs} ms`)), timeoutMs);
    let done = false;
    function finish(result: SoaAnswer | Error): void {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.close();
      if (result instanceof Error) reject(result);
      else resolve(result);
    }
    socket.on('error', (err) => finish(err));
    socket.on('message', (msg) => {
      const answer = parseSoaAnswer(msg, id);
      if (answer) finish(answer);
    });
    socket.send(Buffer.concat([header, question]), port, server);
  });
}
