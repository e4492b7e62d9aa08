/**
 * external.ts prepares an existing cluster (from $KUBECONFIG) as a test bed: the
 * integration tests then run there unchanged. It needs cluster-admin in that
 * kubeconfig. ServiceAccounts dns-system/bindy and dns-system/bindy-agent are
 * created if absent and get short-lived tokens from the TokenRequest API.
 */
import { join } from 'node:path';
import { KubeClient } from '../src/kube/api-client.js';
import { isConflict } from '../src/kube/api-error.js';
import { loadKubeconfigFile } from '../src/kube/kubeconfig.js';
import { SERVICE_ACCOUNT_USERS, type ServiceAccountName } from './control-plane.js';
import { writeTokenKubeconfig } from './kubeconfig-files.js';
import type { TestbedState } from './state.js';

const NAMESPACE = 'dns-system';
const TOKEN_SECONDS = 4 * 3600;

/** ensureIgnoringExists creates an object, treating "already exists" (409) as success. */
export async function ensureIgnoringExists(client: KubeClient, path: string, body: unknown): Promise<void> {
  try {
    await client.create(path, body);
  } catch (err) {
    if (!isConflict(err)) throw err;
  }
}

/** ensureServiceAccounts creates namespace dns-system and the bindy ServiceAccounts if absent. */
export async function ensureServiceAccounts(admin: KubeClient): Promise<void> {
  await ensureIgnoringExists(admin, '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } });
  for (const name of Object.keys(SERVICE_ACCOUNT_USERS)) {
    await ensureIgnoringExists(admin, `/api/v1/namespaces/${NAMESPACE}/serviceaccounts`, {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name },
    });
  }
}

/** useExistingCluster writes ServiceAccount kubeconfigs for the cluster of `kubeconfigPath` into stateDir. */
export async function useExistingCluster(kubeconfigPath: string, stateDir: string): Promise<TestbedState> {
  let connection;
  try {
    connection = loadKubeconfigFile(kubeconfigPath);
  } catch (err) {
    throw new Error(`testbed: cannot read KUBECONFIG=${kubeconfigPath}: ${(err as Error).message}`, { cause: err });
  }
  const admin = new KubeClient(connection, { userAgent: 'bindy-testbed-setup' });
  try {
    await ensureServiceAccounts(admin);
    const kubeconfigs = { admin: kubeconfigPath } as { admin: string } & Record<ServiceAccountName, string>;
    const tokens = {} as Record<ServiceAccountName, string>;
    for (const name of Object.keys(SERVICE_ACCOUNT_USERS) as ServiceAccountName[]) {
      const answer = await admin.create<{ status: { token: string } }>(`/api/v1/namespaces/${NAMESPACE}/serviceaccounts/${name}/token`, {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { expirationSeconds: TOKEN_SECONDS },
      });
      tokens[name] = answer.status.token;
      kubeconfigs[name] = join(stateDir, `${name}.kubeconfig`);
      writeTokenKubeconfig(kubeconfigs[name], {
        server: connection.server,
        caPem: connection.ca?.toString('utf8'),
        insecure: connection.insecureSkipTlsVerify,
        user: name,
        token: tokens[name],
        namespace: NAMESPACE,
      });
    }
    return { local: false, server: connection.server, kubeconfigs, tokens, stateDir, pids: [] };
  } catch (err) {
    throw new Error(`testbed: cannot prepare the cluster of KUBECONFIG=${kubeconfigPath}: ${(err as Error).message}`, { cause: err });
  } finally {
    admin.close();
  }
}
