/**
 * The operator authenticating through a kubeconfig exec credential plugin (as on EKS, GKE, AKS):
 * a small script prints an ExecCredential with the bindy ServiceAccount's token, and the
 * operator elects with it. The plugin runs once for the many requests of startup and election
 * (cached until it expires, concurrent requests share one run). A failing or missing plugin
 * stops the operator at startup with one clear line and exit 1.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { KubeClient } from '../../src/kube/api-client.js';
import { adminClient, loadTestbed } from '../../testbed/state.js';
import { createNamespace, grantLeaseRole, readLease } from '../support/leader-cluster.js';
import { startReplica, type Replica } from '../support/replica.js';

const LEASE = 'bindy-leader';
const TIMING = { BINDY_DNS_CONTROLLERS: 'false', LEASE_DURATION_SECONDS: '4', LEASE_RENEW_DEADLINE_SECONDS: '3', LEASE_RETRY_PERIOD_SECONDS: '1' };

const PLUGIN = `#!/bin/sh
# Prints an ExecCredential (client.authentication.k8s.io/v1) valid for one hour; counts its runs.
echo run >> "$BINDY_EXEC_COUNT"
printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s","expirationTimestamp":"%s"}}\\n' \\
  "$BINDY_EXEC_TOKEN" "$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)"
`;
const FAILING_PLUGIN = `#!/bin/sh
echo "error: the SSO session has expired; run 'login' again" >&2
exit 1
`;

let admin: KubeClient;
let ns: string;
let dir: string;
const replicas: Replica[] = [];

/** execKubeconfig writes a kubeconfig for the bed's cluster whose user runs `command` (relative to the file). */
function execKubeconfig(name: string, command: string): string {
  const bed = loadTestbed();
  const source = parse(readFileSync(bed.kubeconfigs.bindy, 'utf8')) as { clusters: unknown[] };
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: source.clusters.slice(0, 1),
    users: [{
      name: 'exec-user',
      user: {
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1',
          command,
          interactiveMode: 'Never',
          env: [
            { name: 'BINDY_EXEC_TOKEN', value: bed.tokens.bindy },
            { name: 'BINDY_EXEC_COUNT', value: join(dir, `${name}.runs`) },
          ],
        },
      },
    }],
    contexts: [{ name: 'bed', context: { cluster: (source.clusters[0] as { name: string }).name, user: 'exec-user' } }],
    'current-context': 'bed',
  };
  const path = join(dir, `${name}.kubeconfig`);
  writeFileSync(path, stringify(doc), { mode: 0o600 });
  return path;
}

function script(name: string, text: string): void {
  writeFileSync(join(dir, name), text);
  chmodSync(join(dir, name), 0o755);
}

beforeAll(async () => {
  admin = adminClient();
  ns = await createNamespace(admin, 'exec-credentials');
  await grantLeaseRole(admin, ns, LEASE);
  dir = mkdtempSync(join(tmpdir(), 'bindy-exec-'));
  script('exec-plugin.sh', PLUGIN);
  script('failing-plugin.sh', FAILING_PLUGIN);
});

afterAll(async () => {
  await Promise.all(replicas.map((r) => r.stop()));
  await admin?.delete(`/api/v1/namespaces/${ns}`).catch(() => undefined);
  admin?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('an exec credential plugin in the kubeconfig', () => {
  it('authenticates the operator, which elects; the plugin runs once for all of its requests', async () => {
    const replica = startReplica({ name: 'exec-0', kubeconfig: execKubeconfig('ok', './exec-plugin.sh'), env: { LEASE_NAMESPACE: ns, ...TIMING } });
    replicas.push(replica);
    const loaded = await replica.waitForLog('Kubernetes API credentials loaded', 30_000);
    expect(loaded.auth).toBe(`exec plugin ${JSON.stringify(join(dir, 'exec-plugin.sh'))}`);
    await replica.waitForLog('Lease acquired, this instance is now the leader', 30_000);
    expect((await readLease(admin, ns, LEASE))?.spec.holderIdentity).toBe('exec-0');
    // A few renewals later, still one run: the credential is cached until it expires.
    await new Promise((r) => setTimeout(r, 3_000));
    expect(readFileSync(join(dir, 'ok.runs'), 'utf8').trim().split('\n')).toHaveLength(1);
    expect(replica.count((l) => l.level === 'error' || l.level === 'fatal')).toBe(0);
  }, 60_000);

  it.each([
    ['fails', './failing-plugin.sh', /exec plugin .*failing-plugin\.sh" failed: error: the SSO session has expired; run 'login' again/],
    ['is missing', './no-such-plugin', /exec plugin .*no-such-plugin" failed: .*ENOENT/],
  ])('that %s stops the operator at startup: one clear line, exit 1, nothing retried', async (name, command, reason) => {
    const replica = startReplica({ name: `exec-${name}`, kubeconfig: execKubeconfig(name, command), env: { LEASE_NAMESPACE: ns, ...TIMING } });
    replicas.push(replica);
    const exit = await replica.exited;
    expect(exit.code).toBe(1);
    const problems = replica.logs.filter((l) => l.level === 'error' || l.level === 'fatal' || l.raw === true);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.msg).toMatch(/^Cannot authenticate to the Kubernetes API: /);
    expect(problems[0]!.reason).toMatch(reason);
    expect(JSON.stringify(problems[0])).not.toMatch(/\n\s+at /);
    expect(replica.count('Attempting to acquire lease bindy-leader')).toBe(0);
  }, 60_000);
});
