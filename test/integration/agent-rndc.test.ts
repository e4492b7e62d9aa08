/**
 * The agent's in-process rndc client against a real named: commands answer with named's result,
 * text and error; a key named does not know and a control port nobody listens on are connection
 * failures (nothing was judged); key files parse as rndc reads them.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRndcKey, readRndcKey, RndcConnectError, rndcCommand, type RndcKey } from '../../src/agent/rndc-protocol.js';
import { renderRndcKey } from '../../src/dns/named-conf.js';
import { startLocalNamed, type LocalNamed } from '../support/local-named.js';

let named: LocalNamed;
let key: RndcKey;

beforeAll(async () => {
  named = await startLocalNamed();
  key = await readRndcKey(named.rndc.keyFile);
}, 30_000);

afterAll(async () => {
  await named?.close();
});

const send = (command: string, k: RndcKey = key, port = named.rndc.port) => rndcCommand(named.rndc.server, port, k, command, 5_000);

test('a zone is added, reported, refused a second add, and deleted, as named answers', async () => {
  const file = join(named.root, 'proto.test.zone');
  writeFileSync(file, '$TTL 300\n@ IN SOA ns1.proto.test. h.proto.test. 7 3600 600 604800 300\n@ IN NS ns1.proto.test.\nns1 IN A 192.0.2.1\n');
  const config = `{ type primary; file "${file}"; };`;
  expect(await send(`addzone proto.test ${config}`)).toEqual({ result: 0, text: '', err: '' });
  // addzone returns before the load is done: zonestatus says when it is.
  let status = await send('zonestatus proto.test');
  for (let i = 0; i < 50 && !/^serial: 7$/m.test(status.text); i++) status = await new Promise((r) => setTimeout(r, 20)).then(() => send('zonestatus proto.test'));
  expect(status.result).toBe(0);
  expect(status.text).toMatch(/^serial: 7$/m);
  expect(named.soaSerial('proto.test')).toBe(7);
  const again = await send(`addzone proto.test ${config}`);
  expect(again.result).not.toBe(0);
  expect(again.err).toBe('already exists');
  expect((await send('delzone proto.test')).result).toBe(0);
  const gone = await send('zonestatus proto.test');
  expect(gone.err).toBe('not found');
  expect(gone.text).toContain("no matching zone 'proto.test'");
});

test('an unknown command is refused by named, not by the client', async () => {
  const reply = await send('no-such-command');
  expect(reply.result).not.toBe(0);
  expect(reply.err).toBe('unknown command');
});

test('a key named does not accept and a closed port are connection failures', async () => {
  const stranger: RndcKey = { algorithm: 'hmac-sha256', secret: Buffer.alloc(32, 9) };
  await expect(send('status', stranger)).rejects.toThrow(RndcConnectError);
  await expect(send('status', key, 1)).rejects.toThrow(RndcConnectError);
  // named is unharmed and still answers the right key.
  expect((await send('status')).text).toMatch(/server is up and running/);
});

test('key files parse as rndc reads them, and an unsupported algorithm is refused by name', () => {
  const secret = Buffer.alloc(32, 3).toString('base64');
  expect(parseRndcKey(renderRndcKey(secret))).toEqual({ algorithm: 'hmac-sha256', secret: Buffer.from(secret, 'base64') });
  expect(parseRndcKey(`key "k" {\n\talgorithm "HMAC-SHA512";\n\tsecret "${secret}";\n};`).algorithm).toBe('hmac-sha512');
  expect(() => parseRndcKey(`key "k" { algorithm hmac-md5; secret "${secret}"; };`)).toThrow(/hmac-md5 is not supported/);
  expect(() => parseRndcKey('key "k" { };')).toThrow(/no algorithm or secret/);
});
