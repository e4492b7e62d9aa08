/**
 * Address-match elements of a Bind9Instance config, each also judged by the real
 * named-checkconf; and the named-checkconf gate over the whole rendered named.conf.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkAcl, checkAclElement } from '../../src/dns/acl.js';
import { checkNamedConf } from '../../src/dns/checkconf.js';
import { renderNamedConf } from '../../src/dns/named-conf.js';

const dir = mkdtempSync(join(tmpdir(), 'acl-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function namedAccepts(element: string): boolean {
  const file = join(dir, 'named.conf');
  writeFileSync(file, `options { directory "${dir}"; allow-query { ${element}; }; };\n`);
  try {
    execFileSync('named-checkconf', [file], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

describe('checkAclElement, agreeing with named-checkconf', () => {
  it.each([
    ['any', true],
    ['none', true],
    ['localhost', true],
    ['!localnets', true],
    ['10.0.0.0/8', true],
    ['!192.0.2.0/24', true],
    ['192.0.2.10', true],
    ['2001:db8::/32', true],
    ['::ffff:192.0.2.0/120', true],
    ['foo', false],
    ['10.0.0.0/33', false],
    ['10.0.0.1/8', false],
    ['2001:db8::1/32', false],
    ['2001:db8::/129', false],
    ['10.0.0', false],
    ['key', false],
  ])('%s → %s', (element, ok) => {
    const v = checkAclElement(element, 'config.allowQuery');
    expect(v.ok).toBe(ok);
    expect(namedAccepts(element)).toBe(ok);
    if (!v.ok) expect(v.message).toContain(JSON.stringify(element));
  });

  // Stricter than named-checkconf: these parse, but name a key Bindy-TS never defines or use a
  // shorthand named reads differently from most people.
  it.each(['key foo', '10/8'])('refuses %s, which named-checkconf would let through', (element) => {
    expect(namedAccepts(element)).toBe(true);
    expect(checkAclElement(element, 'config.allowQuery').ok).toBe(false);
  });

  it('refuses an empty list and non-strings', () => {
    expect(checkAcl([], 'config.allowTransfer')).toMatchObject({ ok: false, message: expect.stringMatching(/empty/) });
    expect(checkAcl([42], 'config.allowTransfer')).toMatchObject({ ok: false });
    expect(checkAcl(undefined, 'config.allowTransfer')).toEqual({ ok: true });
  });
});

describe('checkNamedConf', () => {
  const conf = (allowQuery: string[]) => renderNamedConf({ recursion: false, allowQuery, allowTransfer: ['none'], hideVersion: true });

  it('passes the named.conf the operator renders', async () => {
    expect(await checkNamedConf(conf(['any']))).toEqual({ ok: true });
  });

  it('refuses a named.conf named would refuse, with named-checkconf\'s reason', async () => {
    const v = await checkNamedConf(conf(['foo']));
    expect(v).toMatchObject({ ok: false, reason: 'InvalidConfig', message: expect.stringMatching(/undefined ACL 'foo'/) });
  });
});
