/** kubeconfig-files.ts writes token kubeconfigs that kubectl and loadKubeconfigFile both read. */
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';

export interface TokenKubeconfig {
  readonly server: string;
  /** PEM of the CA that signs the apiserver's serving certificate; omitted means the system CAs. */
  readonly caPem?: string;
  /** Skip verifying the serving certificate (only when the source kubeconfig did). */
  readonly insecure?: boolean;
  readonly user: string;
  readonly token: string;
  /** Default namespace of the context. */
  readonly namespace?: string;
}

/** writeTokenKubeconfig writes a one-context kubeconfig (mode 0600: it holds a token). */
export function writeTokenKubeconfig(path: string, config: TokenKubeconfig): void {
  const cluster: Record<string, string | boolean> = { server: config.server };
  if (config.caPem) cluster['certificate-authority-data'] = Buffer.from(config.caPem).toString('base64');
  else if (config.insecure) cluster['insecure-skip-tls-verify'] = true;
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'testbed', cluster }],
    users: [{ name: config.user, user: { token: config.token } }],
    contexts: [{ name: 'testbed', context: { cluster: 'testbed', user: config.user, ...(config.namespace ? { namespace: config.namespace } : {}) } }],
    'current-context': 'testbed',
  };
  writeFileSync(path, stringify(doc), { mode: 0o600 });
}
