/**
 * Kubeconfig loading and authentication (client-node's kubeconfig model and authenticators)
 * with real files and real plugin processes: tokens, rotated token files, exec plugins (cached,
 * shared by concurrent requests, clear errors), client certificates, KUBECONFIG lists.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { AuthError, Credentials } from '../../src/kube/credentials.js';
import { loadKubeConnection, loadKubeconfigFile, withToken } from '../../src/kube/kubeconfig.js';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'bindy-kubeconfig-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function kubeconfig(file: string, user: Record<string, unknown>, extra: { clusterName?: string; server?: string } = {}): string {
  const cluster = extra.clusterName ?? 'c';
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: cluster, cluster: { server: extra.server ?? 'https://127.0.0.1:6443/', 'certificate-authority-data': Buffer.from('CA PEM').toString('base64') } }],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'ctx', context: { cluster, user: 'u' } }],
    'current-context': 'ctx',
  };
  const path = join(dir, file);
  writeFileSync(path, stringify(doc));
  return path;
}

function plugin(name: string, body: string): void {
  writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`);
  chmodSync(join(dir, name), 0o755);
}

const CREDENTIAL = (token: string, expires = '2999-01-01T00:00:00Z') =>
  `echo run >> "${'$'}{0%/*}/runs"; printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"${token}","expirationTimestamp":"${expires}"}}'`;
const runs = () => readFileSync(join(dir, 'runs'), 'utf8').trim().split('\n').length;

describe('loadKubeconfigFile', () => {
  it('reads server, CA and a static token', async () => {
    const c = loadKubeconfigFile(kubeconfig('k', { token: 'static-token' }));
    expect(c.server).toBe('https://127.0.0.1:6443');
    expect(c.ca?.toString()).toBe('CA PEM');
    expect((await c.credentials.get()).headers).toEqual({ Authorization: 'Bearer static-token' });
    expect(c.credentials.method).toBe('bearer token');
  });

  it('reads kubectl\'s tokenFile (relative to the kubeconfig) through the token-file authenticator that in-cluster tokens use', async () => {
    writeFileSync(join(dir, 'token'), 'first');
    const c = loadKubeconfigFile(kubeconfig('k', { tokenFile: 'token' }));
    expect((await c.credentials.get()).headers.Authorization).toBe('Bearer first');
    expect(c.credentials.method).toBe(`token file ${join(dir, 'token')}`);
    // The file is read by the authenticator, not copied at load: a rotated file is what a new read sees.
    writeFileSync(join(dir, 'token'), 'second');
    expect((await new Credentials(c.credentials.user).get()).headers.Authorization).toBe('Bearer second');
  });

  it('passes client certificates per request', async () => {
    const c = loadKubeconfigFile(kubeconfig('k', { 'client-certificate-data': Buffer.from('CERT').toString('base64'), 'client-key-data': Buffer.from('KEY').toString('base64') }));
    const auth = await c.credentials.get();
    expect(auth.cert?.toString()).toBe('CERT');
    expect(auth.key?.toString()).toBe('KEY');
    expect(auth.headers).toEqual({});
  });

  it('names a missing context', () => {
    expect(() => loadKubeconfigFile(kubeconfig('k', { token: 't' }), 'other')).toThrow(/context "other" not found/);
  });

  it('withToken keeps the cluster and swaps the user', async () => {
    const c = withToken(loadKubeconfigFile(kubeconfig('k', { token: 'a' })), 'b');
    expect(c.server).toBe('https://127.0.0.1:6443');
    expect((await c.credentials.get()).headers.Authorization).toBe('Bearer b');
  });
});

describe('exec credential plugins', () => {
  const exec = (command: string) => ({ exec: { apiVersion: 'client.authentication.k8s.io/v1', command, interactiveMode: 'Never' } });

  it('runs the plugin (relative to the kubeconfig) once for many concurrent and later requests', async () => {
    plugin('plugin.sh', CREDENTIAL('from-plugin'));
    const c = loadKubeconfigFile(kubeconfig('k', exec('./plugin.sh')));
    const answers = await Promise.all(Array.from({ length: 20 }, () => c.credentials.get()));
    expect(new Set(answers.map((a) => a.headers.Authorization))).toEqual(new Set(['Bearer from-plugin']));
    await c.credentials.get();
    expect(runs()).toBe(1);
  });

  it('runs it again after a 401 drops the answer, and when the credential has expired', async () => {
    plugin('plugin.sh', CREDENTIAL('short', '2000-01-01T00:00:00Z'));
    const c = loadKubeconfigFile(kubeconfig('k', exec('./plugin.sh')));
    await c.credentials.get();
    expect(c.credentials.invalidate()).toBe(true);
    await c.credentials.get();
    expect(runs()).toBe(2);
  });

  it('reports a failing plugin with its stderr, and a missing one with ENOENT', async () => {
    plugin('fail.sh', 'echo "token expired: run login" >&2; exit 1');
    const failing = loadKubeconfigFile(kubeconfig('k', exec('./fail.sh')));
    const err = await failing.credentials.get().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).message).toBe(`exec plugin ${JSON.stringify(join(dir, 'fail.sh'))} failed: token expired: run login`);
    const missing = loadKubeconfigFile(kubeconfig('m', exec('no-such-credential-plugin')));
    await expect(missing.credentials.get()).rejects.toThrow(/exec plugin "no-such-credential-plugin" failed: .*ENOENT/);
  });

  it('gives up on a plugin that does not answer', async () => {
    plugin('hang.sh', 'sleep 5');
    const c = loadKubeconfigFile(kubeconfig('k', exec('./hang.sh')));
    const slow = new Credentials(c.credentials.user, 200);
    await expect(slow.get()).rejects.toThrow(/gave no credentials within 200 ms/);
  });
});

describe('loadKubeConnection', () => {
  it('merges a KUBECONFIG list: the first file defines the context, later files fill in', async () => {
    const first = kubeconfig('a', { token: 'from-a' }, { server: 'https://first:6443' });
    const second = kubeconfig('b', { token: 'from-b' }, { clusterName: 'other', server: 'https://second:6443' });
    const c = loadKubeConnection({ KUBECONFIG: `${first}:${second}` });
    expect(c.server).toBe('https://first:6443');
    expect((await c.credentials.get()).headers.Authorization).toBe('Bearer from-a');
  });

  it('fails with the file error when KUBECONFIG names a missing file', () => {
    expect(() => loadKubeConnection({ KUBECONFIG: join(dir, 'missing') })).toThrow(/ENOENT/);
  });
});
