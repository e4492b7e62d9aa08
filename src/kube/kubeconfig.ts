/**
 * Where the apiserver is and who we are to it: kubeconfig files (parsed with
 * @kubernetes/client-node's kubeconfig model) or the pod's ServiceAccount, authenticated by
 * client-node's authenticators (credentials.ts). The transport stays ours (api-client.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { newClusters, newContexts, newUsers, type Cluster, type Context, type User } from '@kubernetes/client-node/dist/config_types.js';
import { parse } from 'yaml';
import { Credentials, fileOrData } from './credentials.js';

/** KubeConnection is everything needed to reach one apiserver as one user. */
export interface KubeConnection {
  readonly server: string;
  readonly ca?: Buffer;
  readonly insecureSkipTlsVerify?: boolean;
  /** TLS server name to verify when it differs from the server's host (kubeconfig `tls-server-name`). */
  readonly servername?: string;
  /** How each request authenticates (tokens, token files, exec plugins, OIDC, client certificates). */
  readonly credentials: Credentials;
}

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

interface Kubeconfig {
  readonly clusters: Cluster[];
  readonly users: User[];
  readonly contexts: Context[];
  readonly currentContext?: string;
}

/** readKubeconfig parses one file; relative paths are made absolute against its directory, as kubectl does. */
function readKubeconfig(path: string): Kubeconfig {
  const doc = (parse(readFileSync(path, 'utf8')) ?? {}) as Record<string, unknown>;
  const base = dirname(path);
  const abs = (p: string | undefined | null) => (p && !isAbsolute(p) ? join(base, p) : (p ?? undefined));
  const rawUsers = (doc.users ?? []) as { name: string; user?: { tokenFile?: string } }[];
  const users = newUsers(doc.users ?? []).map((u, i) => {
    // kubectl's `tokenFile` (client-node only knows `token-file`, read once): re-read through
    // client-node's token-file authenticator so a rotated token is picked up.
    const tokenFile = abs(rawUsers[i]?.user?.tokenFile);
    const authProvider = u.authProvider ?? (tokenFile ? { name: 'tokenFile', config: { tokenFile } } : undefined);
    const command = u.exec?.command as string | undefined;
    const exec = u.exec && command?.includes('/') ? { ...u.exec, command: abs(command) } : u.exec;
    return { ...u, certFile: abs(u.certFile), keyFile: abs(u.keyFile), authProvider, exec };
  });
  return {
    clusters: newClusters(doc.clusters ?? []).map((c) => ({ ...c, caFile: abs(c.caFile) })),
    users,
    contexts: newContexts(doc.contexts ?? []),
    currentContext: doc['current-context'] as string | undefined,
  };
}

/** merge combines several files as kubectl does with KUBECONFIG=a:b: the first definition of a name wins. */
function merge(configs: Kubeconfig[]): Kubeconfig {
  const byName = <T extends { name: string }>(lists: T[][]) => [...new Map(lists.flat().reverse().map((x) => [x.name, x])).values()].reverse();
  return {
    clusters: byName(configs.map((c) => c.clusters)),
    users: byName(configs.map((c) => c.users)),
    contexts: byName(configs.map((c) => c.contexts)),
    currentContext: configs.find((c) => c.currentContext)?.currentContext,
  };
}

function connect(config: Kubeconfig, source: string, contextName?: string): KubeConnection {
  const name = contextName ?? config.currentContext;
  const context = config.contexts.find((c) => c.name === name);
  if (!context) throw new Error(`kubeconfig ${source}: context ${JSON.stringify(name)} not found`);
  const cluster = config.clusters.find((c) => c.name === context.cluster);
  if (!cluster) throw new Error(`kubeconfig ${source}: cluster ${JSON.stringify(context.cluster)} not found`);
  const user = config.users.find((u) => u.name === context.user) ?? { name: context.user };
  return {
    server: cluster.server.replace(/\/+$/, ''),
    ca: fileOrData(cluster.caFile, cluster.caData),
    insecureSkipTlsVerify: cluster.skipTLSVerify,
    servername: cluster.tlsServerName,
    credentials: new Credentials(user),
  };
}

/** loadKubeconfigFile connects as the current (or named) context of a kubeconfig file. */
export function loadKubeconfigFile(path: string, contextName?: string): KubeConnection {
  return connect(readKubeconfig(path), path, contextName);
}

/**
 * inClusterConnection uses the pod's ServiceAccount. The token is read through client-node's
 * token-file authenticator, which re-reads it every minute: kubelet rotates projected tokens.
 */
export function inClusterConnection(env: NodeJS.ProcessEnv): KubeConnection {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT ?? '443';
  if (!host) throw new Error('not in a cluster: KUBERNETES_SERVICE_HOST is not set');
  const user: User = { name: 'in-cluster', authProvider: { name: 'tokenFile', config: { tokenFile: join(SERVICE_ACCOUNT_DIR, 'token') } } };
  return {
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    ca: readFileSync(join(SERVICE_ACCOUNT_DIR, 'ca.crt')),
    credentials: new Credentials(user),
  };
}

/** loadKubeConnection follows client-go's order: $KUBECONFIG (a list, merged), then in-cluster, then ~/.kube/config. */
export function loadKubeConnection(env: NodeJS.ProcessEnv = process.env): KubeConnection {
  const files = (env.KUBECONFIG ?? '').split(':').filter((p) => p.length > 0);
  if (files.length > 0) return connect(merge(files.filter((f, i) => i === 0 || existsSync(f)).map(readKubeconfig)), files.join(':'));
  if (env.KUBERNETES_SERVICE_HOST && existsSync(join(SERVICE_ACCOUNT_DIR, 'token'))) return inClusterConnection(env);
  const home = join(homedir(), '.kube', 'config');
  if (existsSync(home)) return loadKubeconfigFile(home);
  throw new Error('no Kubernetes connection: set KUBECONFIG, run in a pod, or create ~/.kube/config');
}

/** withToken returns the same connection authenticated by a fixed bearer token instead. */
export function withToken(conn: KubeConnection, token: string): KubeConnection {
  return { ...conn, credentials: new Credentials({ name: 'token', token }) };
}
