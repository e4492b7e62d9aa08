import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

/** KubeConnection is everything needed to reach one apiserver as one user. */
export interface KubeConnection {
  readonly server: string;
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly insecureSkipTlsVerify?: boolean;
  /** Returns the bearer token; a function because in-cluster tokens rotate on disk. */
  readonly token?: () => string;
}

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

interface KubeconfigFile {
  'current-context'?: string;
  clusters?: { name: string; cluster: Record<string, string | boolean | undefined> }[];
  users?: { name: string; user: Record<string, string | undefined> }[];
  contexts?: { name: string; context: { cluster: string; user: string } }[];
}

function fileOrData(data: string | undefined, file: string | undefined, base: string): Buffer | undefined {
  if (typeof data === 'string') return Buffer.from(data, 'base64');
  if (typeof file === 'string') return readFileSync(file.startsWith('/') ? file : join(base, file));
  return undefined;
}

/** loadKubeconfigFile reads the current context of a kubeconfig file (token, client cert or none). */
export function loadKubeconfigFile(path: string, contextName?: string): KubeConnection {
  const doc = parse(readFileSync(path, 'utf8')) as KubeconfigFile;
  const base = join(path, '..');
  const name = contextName ?? doc['current-context'];
  const context = doc.contexts?.find((c) => c.name === name)?.context;
  if (!context) throw new Error(`kubeconfig ${path}: context ${JSON.stringify(name)} not found`);
  const cluster = doc.clusters?.find((c) => c.name === context.cluster)?.cluster;
  if (!cluster || typeof cluster.server !== 'string') {
    throw new Error(`kubeconfig ${path}: cluster ${JSON.stringify(context.cluster)} has no server`);
  }
  const user = doc.users?.find((u) => u.name === context.user)?.user ?? {};
  const tokenValue = user.token ?? (user.tokenFile ? readFileSync(user.tokenFile, 'utf8').trim() : undefined);
  return {
    server: cluster.server.replace(/\/+$/, ''),
    ca: fileOrData(cluster['certificate-authority-data'] as string | undefined, cluster['certificate-authority'] as string | undefined, base),
    cert: fileOrData(user['client-certificate-data'], user['client-certificate'], base),
    key: fileOrData(user['client-key-data'], user['client-key'], base),
    insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true,
    token: tokenValue === undefined ? undefined : () => tokenValue,
  };
}

/** inClusterConnection uses the pod's service account; the token is re-read so rotation is honoured. */
export function inClusterConnection(env: NodeJS.ProcessEnv): KubeConnection {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT ?? '443';
  if (!host) throw new Error('not in a cluster: KUBERNETES_SERVICE_HOST is not set');
  const tokenPath = join(SERVICE_ACCOUNT_DIR, 'token');
  let cached = { value: '', readAt: 0 };
  return {
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    ca: readFileSync(join(SERVICE_ACCOUNT_DIR, 'ca.crt')),
    token: () => {
      // kubelet rotates projected tokens well before expiry; a minute of caching is safe.
      if (Date.now() - cached.readAt > 60_000) cached = { value: readFileSync(tokenPath, 'utf8').trim(), readAt: Date.now() };
      return cached.value;
    },
  };
}

/** loadKubeConnection follows client-go's order: $KUBECONFIG, then in-cluster, then ~/.kube/config. */
export function loadKubeConnection(env: NodeJS.ProcessEnv = process.env): KubeConnection {
  const explicit = env.KUBECONFIG?.split(':').find((p) => p.length > 0);
  if (explicit) return loadKubeconfigFile(explicit);
  if (env.KUBERNETES_SERVICE_HOST && existsSync(join(SERVICE_ACCOUNT_DIR, 'token'))) return inClusterConnection(env);
  const home = join(homedir(), '.kube', 'config');
  if (existsSync(home)) return loadKubeconfigFile(home);
  throw new Error('no Kubernetes connection: set KUBECONFIG, run in a pod, or create ~/.kube/config');
}

/** withToken returns the same connection authenticated by a fixed bearer token instead. */
export function withToken(conn: KubeConnection, token: string): KubeConnection {
  return { server: conn.server, ca: conn.ca, insecureSkipTlsVerify: conn.insecureSkipTlsVerify, token: () => token };
}
