/**
 * Credentials authenticate requests as one kubeconfig user, with @kubernetes/client-node's
 * authenticators: static tokens and client certificates, token files re-read every minute (the
 * in-cluster ServiceAccount token, which kubelet rotates), exec credential plugins (EKS, GKE,
 * AKS, kubelogin, ...), OIDC and the legacy azure/gcp auth-providers. See README.md for why these
 * modules are imported one by one rather than through client-node's KubeConfig.
 */
import { readFileSync } from 'node:fs';
import type { RequestOptions } from 'node:https';
import type { Authenticator } from '@kubernetes/client-node/dist/auth.js';
import type { User } from '@kubernetes/client-node/dist/config_types.js';
import { ExecAuth } from '@kubernetes/client-node/dist/exec_auth.js';
import { FileAuth } from '@kubernetes/client-node/dist/file_auth.js';

/** RequestAuth is what one request carries: headers and, from cert-based users, a client certificate. */
export interface RequestAuth {
  readonly headers: Readonly<Record<string, string>>;
  readonly cert?: string | Buffer;
  readonly key?: string | Buffer;
}

/** AuthError says which way of authenticating failed and why, in one line. */
export class AuthError extends Error {
  override readonly name = 'AuthError';
}

/** Auth-providers whose authenticator pulls in libraries (openid-client, jsonpath): loaded on use only. */
const LAZY_PROVIDERS: Readonly<Record<string, () => Promise<Authenticator>>> = {
  oidc: async () => new (await import('@kubernetes/client-node/dist/oidc_auth.js')).OpenIDConnectAuth(),
  azure: async () => new (await import('@kubernetes/client-node/dist/azure_auth.js')).AzureAuth(),
  gcp: async () => new (await import('@kubernetes/client-node/dist/gcp_auth.js')).GoogleCloudPlatformAuth(),
};

/** CACHE_MS bounds how long an answer is reused; a 401 drops it at once (client-go does the same). */
const CACHE_MS = 30_000;

/**
 * Credentials gives each request its authentication. Answers are cached for CACHE_MS and
 * concurrent callers share one lookup, so an exec plugin runs once, not once per request;
 * `invalidate()` (on a 401) forces the next call to ask the authenticator again.
 */
export class Credentials {
  private cached: { auth: RequestAuth; at: number } | undefined;
  private pending: Promise<RequestAuth> | undefined;
  private authenticator: Promise<Authenticator | undefined> | undefined;

  constructor(
    readonly user: User,
    private readonly timeoutMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** method names how this user authenticates, for logs and errors (never the secret). */
  get method(): string {
    const u = this.user;
    if (u.exec) return `exec plugin ${JSON.stringify(u.exec.command)}`;
    if (u.authProvider?.config?.tokenFile) return `token file ${u.authProvider.config.tokenFile}`;
    if (u.authProvider) return `auth-provider ${u.authProvider.name}`;
    if (u.token) return 'bearer token';
    if (u.certData || u.certFile) return 'client certificate';
    if (u.username) return 'basic auth';
    return 'anonymous';
  }

  /** get returns the authentication of the next request; it rejects with an AuthError. */
  get(): Promise<RequestAuth> {
    if (this.cached && this.now() - this.cached.at < CACHE_MS) return Promise.resolve(this.cached.auth);
    this.pending ??= this.load().finally(() => (this.pending = undefined));
    return this.pending;
  }

  /** invalidate drops the cached answer; it returns whether there was one (so a 401 is worth one retry). */
  invalidate(): boolean {
    const had = this.cached !== undefined;
    this.cached = undefined;
    return had;
  }

  private async load(): Promise<RequestAuth> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new AuthError(`${this.method} gave no credentials within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    try {
      const auth = await Promise.race([this.authenticate(), timeout]);
      this.cached = { auth, at: this.now() };
      return auth;
    } catch (err) {
      if (err instanceof AuthError) throw err;
      // A plugin's stderr, on one line and bounded: it goes into a single log line.
      const reason = ((err as Error).message || String(err)).trim().replace(/\s*\n\s*/g, ' ').slice(0, 500);
      throw new AuthError(`${this.method} failed: ${reason}`, { cause: err });
    } finally {
      clearTimeout(timer);
    }
  }

  /** authenticate mirrors KubeConfig.applyOptions: the user's authenticator, then token, basic auth, impersonation. */
  private async authenticate(): Promise<RequestAuth> {
    const u = this.user;
    const opts: RequestOptions & { headers: Record<string, string> } = { headers: {} };
    const authenticator = await (this.authenticator ??= this.pickAuthenticator());
    await authenticator?.applyAuthentication(u, opts);
    if (u.token) opts.headers.Authorization = `Bearer ${u.token}`;
    if (u.username) opts.headers.Authorization = `Basic ${Buffer.from(`${u.username}:${u.password ?? ''}`).toString('base64')}`;
    if (u.impersonateUser) opts.headers['Impersonate-User'] = u.impersonateUser;
    // Exec plugins may answer with a client certificate instead of a token.
    const cert = (opts.cert as string | Buffer | undefined) ?? fileOrData(u.certFile, u.certData);
    const key = (opts.key as string | Buffer | undefined) ?? fileOrData(u.keyFile, u.keyData);
    return { headers: opts.headers, ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
  }

  private async pickAuthenticator(): Promise<Authenticator | undefined> {
    const lazy = LAZY_PROVIDERS[this.user.authProvider?.name ?? ''];
    const candidates: Authenticator[] = [new ExecAuth(), new FileAuth(), ...(lazy ? [await lazy()] : [])];
    return candidates.find((a) => a.isAuthProvider(this.user));
  }
}

/** fileOrData reads a kubeconfig `*-data` (base64) or `*` (path) field; a file is read each time, so a renewed cert is picked up. */
export function fileOrData(file: string | undefined | null, data: string | undefined | null): Buffer | undefined {
  if (file) return readFileSync(file);
  if (data) return Buffer.from(data, 'base64');
  return undefined;
}

