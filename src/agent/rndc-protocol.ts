/**
 * rndc-protocol.ts speaks named's control channel — the protocol the rndc tool uses — from the
 * agent's own process. Why not the tool: each rndc process costs ≈ 12 ms of CPU and ≈ 23 ms
 * (measured, 100 calls on this machine), and a bulk import of 1,000 zones is 1,000 `addzone`s
 * plus their reloads; over a socket a call is two loopback round trips.
 *
 * A message is a length, a version (1) and a table of key → value, where a value is binary data
 * or a nested table; `_auth` (first) carries an HMAC over the rest, `_ctrl` the timestamps,
 * serial and the server's nonce, `_data` the command text and the reply's result, text and err.
 * The server answers a "null" command with the nonce every later message on that connection must
 * carry. Each call here opens its own connection: no state survives a named restart.
 */
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';

type Value = Buffer | Table;
type Table = Map<string, Value>;

const BINARY = 1;
const TABLE = 2;
const VERSION = 1;
/** The HMAC's base64 digest field is NUL-padded to this length, after one byte naming the algorithm. */
const DIGEST_FIELD = 88;
/** How long a message is valid (named refuses expired ones). */
const VALID_SECONDS = 60;
/** A reply larger than this is refused (named's own control channel caps messages far lower). */
const MAX_MESSAGE = 16 * 1024 * 1024;

/** The HMAC algorithms of rndc keys and the byte that names each in `_auth.hsha`. */
const ALGORITHMS: Readonly<Record<string, { hash: string; code: number }>> = {
  'hmac-sha1': { hash: 'sha1', code: 161 },
  'hmac-sha224': { hash: 'sha224', code: 162 },
  'hmac-sha256': { hash: 'sha256', code: 163 },
  'hmac-sha384': { hash: 'sha384', code: 164 },
  'hmac-sha512': { hash: 'sha512', code: 165 },
};

/** RndcKey is a control-channel key: its HMAC algorithm and secret. */
export interface RndcKey {
  readonly algorithm: string;
  readonly secret: Buffer;
}

/** RndcReply is named's answer to one command: result 0 is success; text is its output, err the reason of a failure. */
export interface RndcReply {
  readonly result: number;
  readonly text: string;
  readonly err: string;
}

/** RndcConnectError: named's control channel could not be reached or did not answer; nothing was judged. */
export class RndcConnectError extends Error {
  override readonly name = 'RndcConnectError';
}

/** parseRndcKey reads a key file as rndc -k does (`key "name" { algorithm …; secret "…"; };`). */
export function parseRndcKey(text: string): RndcKey {
  const algorithm = /\balgorithm\s+"?([\w-]+)"?\s*;/.exec(text)?.[1]?.toLowerCase();
  const secret = /\bsecret\s+"([^"]+)"\s*;/.exec(text)?.[1];
  if (!algorithm || !secret) throw new Error('rndc key file has no algorithm or secret');
  if (!ALGORITHMS[algorithm]) throw new Error(`rndc key algorithm ${algorithm} is not supported (one of ${Object.keys(ALGORITHMS).join(', ')})`);
  return { algorithm, secret: Buffer.from(secret, 'base64') };
}

/** readRndcKey reads and parses a key file. */
export async function readRndcKey(file: string): Promise<RndcKey> {
  return parseRndcKey(await readFile(file, 'utf8'));
}

/**
 * rndcCommand sends one command (the words rndc would join, e.g. `addzone example.com { … };`)
 * and returns named's reply. It throws RndcConnectError when named does not answer in time.
 */
export async function rndcCommand(host: string, port: number, key: RndcKey, command: string, timeoutMs = 10_000): Promise<RndcReply> {
  const socket = connect({ host, port });
  const replies = new Replies(socket);
  const timer = setTimeout(() => socket.destroy(new RndcConnectError(`rndc ${host}:${port}: timed out after ${timeoutMs} ms`)), timeoutMs);
  try {
    const serial = randomInt(2 ** 31);
    socket.write(frame(key, ctrl(serial), 'null'));
    const hello = verified(key, await replies.next());
    const nonce = table(hello.get('_ctrl')).get('_nonce');
    if (!Buffer.isBuffer(nonce)) throw new RndcConnectError(`rndc ${host}:${port}: no nonce in named's greeting`);
    socket.write(frame(key, ctrl(serial + 1, nonce), command));
    const data = table(verified(key, await replies.next()).get('_data'));
    const field = (name: string) => {
      const v = data.get(name);
      return Buffer.isBuffer(v) ? v.toString('utf8') : '';
    };
    return { result: Number(field('result') || '0'), text: field('text'), err: field('err') };
  } catch (err) {
    throw err instanceof RndcConnectError ? err : new RndcConnectError(`rndc ${host}:${port}: ${(err as Error).message}`, { cause: err });
  } finally {
    clearTimeout(timer);
    socket.destroy();
  }
}

function ctrl(serial: number, nonce?: Buffer): Table {
  const now = Math.floor(Date.now() / 1000);
  const entries: Array<[string, Value]> = [
    ['_ser', Buffer.from(String(serial))],
    ['_tim', Buffer.from(String(now))],
    ['_exp', Buffer.from(String(now + VALID_SECONDS))],
  ];
  if (nonce) entries.push(['_nonce', nonce]);
  return new Map(entries);
}

/** frame is a signed message: length, version, `_auth`, then the signed `_ctrl` and `_data`. */
function frame(key: RndcKey, control: Table, command: string): Buffer {
  const signed = encodeEntries(new Map<string, Value>([['_ctrl', control], ['_data', new Map([['type', Buffer.from(command, 'utf8')]])]]));
  const auth = encodeEntries(new Map([['_auth', new Map([['hsha', digestField(key, signed)]])]]));
  const head = Buffer.alloc(8);
  head.writeUInt32BE(4 + auth.length + signed.length, 0);
  head.writeUInt32BE(VERSION, 4);
  return Buffer.concat([head, auth, signed]);
}

function digestField(key: RndcKey, signed: Buffer): Buffer {
  const { hash, code } = ALGORITHMS[key.algorithm]!;
  const field = Buffer.alloc(1 + DIGEST_FIELD);
  field[0] = code;
  field.write(createHmac(hash, key.secret).update(signed).digest('base64'), 1, 'ascii');
  return field;
}

/** verified checks a reply's `_auth` against the key (a reply not from named is refused) and returns its table. */
function verified(key: RndcKey, message: Buffer): Table {
  const authEnd = entryEnd(message, 0);
  const auth = decodeEntries(message.subarray(0, authEnd));
  const hsha = table(auth.get('_auth')).get('hsha');
  const expected = digestField(key, message.subarray(authEnd));
  if (!Buffer.isBuffer(hsha) || hsha.length !== expected.length || !timingSafeEqual(hsha, expected)) throw new Error("named's reply is not signed with the rndc key");
  return decodeEntries(message.subarray(authEnd));
}

function table(value: Value | undefined): Table {
  if (value === undefined || Buffer.isBuffer(value)) throw new Error('malformed rndc message: a table is missing');
  return value;
}

function encodeEntries(entries: Table): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of entries) {
    const head = Buffer.alloc(1 + name.length + 5);
    head[0] = name.length;
    head.write(name, 1, 'ascii');
    const data = Buffer.isBuffer(value) ? value : encodeEntries(value);
    head[1 + name.length] = Buffer.isBuffer(value) ? BINARY : TABLE;
    head.writeUInt32BE(data.length, 2 + name.length);
    parts.push(head, data);
  }
  return Buffer.concat(parts);
}

/** entryEnd is the offset just past the entry starting at `at`. */
function entryEnd(buf: Buffer, at: number): number {
  const nameLength = buf[at];
  if (nameLength === undefined || at + 1 + nameLength + 5 > buf.length) throw new Error('malformed rndc message: truncated entry');
  const end = at + 1 + nameLength + 5 + buf.readUInt32BE(at + 2 + nameLength);
  if (end > buf.length) throw new Error('malformed rndc message: truncated value');
  return end;
}

function decodeEntries(buf: Buffer): Table {
  const entries: Table = new Map();
  for (let at = 0; at < buf.length; ) {
    const end = entryEnd(buf, at);
    const nameLength = buf[at]!;
    const name = buf.toString('ascii', at + 1, at + 1 + nameLength);
    const type = buf[at + 1 + nameLength];
    const data = buf.subarray(at + 1 + nameLength + 5, end);
    // Lists (type 3) are not in named's replies to the commands the agent sends.
    if (type === TABLE) entries.set(name, decodeEntries(data));
    else if (type === BINARY) entries.set(name, data);
    at = end;
  }
  return entries;
}

/** Replies reads length-prefixed messages off a socket, returning each without its length and version. */
class Replies {
  private buffered = Buffer.alloc(0);
  private waiting?: { resolve: (m: Buffer) => void; reject: (e: Error) => void };
  private failure?: Error;

  constructor(socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      this.deliver();
    });
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.fail(new Error('connection closed by named (a key named does not accept, or named stopping)')));
  }

  next(): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.deliver();
      if (this.waiting && this.failure) this.fail(this.failure);
    });
  }

  private deliver(): void {
    if (!this.waiting || this.buffered.length < 4) return;
    const length = this.buffered.readUInt32BE(0);
    if (length < 4 || length > MAX_MESSAGE) return this.fail(new Error(`malformed rndc message: length ${length}`));
    if (this.buffered.length < 4 + length) return;
    const message = this.buffered.subarray(8, 4 + length);
    this.buffered = this.buffered.subarray(4 + length);
    const { resolve } = this.waiting;
    this.waiting = undefined;
    resolve(message);
  }

  private fail(err: Error): void {
    this.failure ??= err;
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.reject(this.failure);
  }
}
