/**
 * The operator's side of the agent channel's trust: the CA Secret in the operator's namespace
 * (made once by whichever leader first needs it) and one certificate Secret per Bind9Instance,
 * issued by that CA for agentServerName(instance) and mounted into the agent. The Secret's name
 * carries the CA's fingerprint, so a new CA means new Secrets and a rolled Deployment: the
 * operator never overwrites a Secret (no `update` on Secrets is granted).
 */
import { agentServerName, certificateProblem, createAgentCa, fingerprint, issueAgentCertificate, type CertificatePem } from '../agent/tls.js';
import type { Bind9Instance } from '../crds/types.js';
import type { KubeClient } from '../kube/api-client.js';
import { isNotFound } from '../kube/api-error.js';
import { ownerReferenceTo, resourcePath } from '../kube/objects.js';
import { isOwnedBy, MANAGED_BY, ownerKey, ownerLabels, OWNER_ANNOTATION } from './bind9-resources.js';
import type { Caches, Secret } from './caches.js';
import { TerminalError } from './controller.js';

/** AGENT_CA_SECRET is the CA's Secret (`tls.crt`, `tls.key`) in the operator's namespace. */
export const AGENT_CA_SECRET = 'bindy-agent-ca';

/** AgentCa is the CA a leadership term issues and verifies agent certificates with. */
export interface AgentCa extends CertificatePem {
  readonly fingerprint: string;
}

const decode = (s: Secret | undefined, field: string) => Buffer.from(s?.data?.[field] ?? '', 'base64').toString('utf8');

/**
 * loadAgentCa reads the CA Secret, creating it when absent. Two leaders-to-be racing both
 * create; the apiserver keeps the first (409 for the other), and both then use that one.
 * `cached` is the Secret as a standby's informer already holds it (it carries bindy's label): a
 * new leader then starts without a round trip; without it the apiserver is asked.
 */
export async function loadAgentCa(client: KubeClient, namespace: string, cached?: Secret): Promise<AgentCa> {
  const path = resourcePath('v1', 'secrets', namespace, AGENT_CA_SECRET);
  if (cached?.data?.['tls.crt'] && cached.data['tls.key']) return caFrom(cached, namespace);
  const existing = await client.get<Secret>(path).catch((err: unknown) => {
    if (isNotFound(err)) return undefined;
    throw err;
  });
  if (existing) return caFrom(existing, namespace);
  const ca = createAgentCa();
  const body = { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name: AGENT_CA_SECRET, namespace, labels: { ...MANAGED_BY } }, stringData: { 'tls.crt': ca.cert, 'tls.key': ca.key } };
  try {
    await client.create(resourcePath('v1', 'secrets', namespace), body);
    return { ...ca, fingerprint: fingerprint(ca.cert) };
  } catch (err) {
    if ((err as { code?: number }).code !== 409) throw err;
    return caFrom(await client.get<Secret>(path), namespace);
  }
}

function caFrom(secret: Secret, namespace: string): AgentCa {
  const ca = { cert: decode(secret, 'tls.crt'), key: decode(secret, 'tls.key') };
  try {
    return { ...ca, fingerprint: fingerprint(ca.cert) };
  } catch (err) {
    throw new Error(`Secret ${namespace}/${AGENT_CA_SECRET} holds no CA certificate (${(err as Error).message}); delete it and the operator makes a new CA`, { cause: err });
  }
}

/** agentTlsSecretName is the instance's certificate Secret for this CA. */
export function agentTlsSecretName(instance: Bind9Instance, ca: AgentCa): string {
  return `${instance.metadata.name}-agent-tls-${ca.fingerprint.slice(0, 10)}`;
}

/**
 * ensureAgentCertificate makes sure the instance's certificate Secret for this CA exists and
 * holds a certificate of this CA for this instance; returns its name. An existing Secret of that
 * name that is not ours, or does not hold such a certificate, is never overwritten: the
 * reconcile fails and says so.
 */
export async function ensureAgentCertificate(client: KubeClient, caches: Pick<Caches, 'secrets'>, instance: Bind9Instance, ca: AgentCa): Promise<string> {
  const ns = instance.metadata.namespace ?? '';
  const name = agentTlsSecretName(instance, ca);
  const serverName = agentServerName(ns, instance.metadata.name);
  const path = resourcePath('v1', 'secrets', ns, name);
  const existing = caches.secrets.get(`${ns}/${name}`) ?? (await client.get<Secret>(path).catch((err: unknown) => (isNotFound(err) ? undefined : Promise.reject(err))));
  if (existing) {
    const problem = isOwnedBy(existing, instance) ? certificateProblem(ca.cert, decode(existing, 'tls.crt'), serverName) : `it belongs to ${existing.metadata.annotations?.[OWNER_ANNOTATION] ?? 'someone else'}`;
    if (problem) throw new TerminalError(`Secret ${ns}/${name} is not a usable agent certificate for ${ownerKey(instance)} (${problem}); delete it and the operator issues a new one`);
    return name;
  }
  const issued = issueAgentCertificate(ca, serverName);
  const body = {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/tls',
    metadata: { name, namespace: ns, labels: ownerLabels(instance), annotations: { [OWNER_ANNOTATION]: ownerKey(instance) }, ownerReferences: [ownerReferenceTo(instance as never)] },
    stringData: { 'tls.crt': issued.cert, 'tls.key': issued.key, 'ca.crt': ca.cert },
  };
  // A 409 means another pass created it first; the next reconcile checks that one.
  await client.create(resourcePath('v1', 'secrets', ns), body).catch((err: unknown) => {
    if ((err as { code?: number }).code !== 409) throw err;
  });
  return name;
}
