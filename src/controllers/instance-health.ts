import type { Bind9Instance } from '../crds/types.js';
import { checkAcl } from '../dns/acl.js';
import { checkNamedConf } from '../dns/checkconf.js';
import { checkSigning, signingOf } from '../dns/dnssec-policy.js';
import { firstFailure, OK, type Verdict } from '../dns/names.js';
import type { KubeClient } from '../kube/api-client.js';
import type { KubeObject } from '../kube/objects.js';
import { namedConfFor, podLabels } from './bind9-resources.js';
import type { Deployment } from './caches.js';

/**
 * checkInstanceConfig judges a Bind9Instance's server config before anything is written: each
 * address-match element on its own (so the message names the element), then the whole rendered
 * named.conf with named-checkconf. A refused config never reaches the ConfigMap, so running pods
 * keep their working config.
 */
export async function checkInstanceConfig(instance: Bind9Instance): Promise<Verdict> {
  const c = instance.spec.config ?? {};
  const acl = firstFailure(checkAcl(c.allowQuery ?? undefined, 'config.allowQuery'), checkAcl(c.allowTransfer ?? undefined, 'config.allowTransfer'));
  if (!acl.ok) return acl;
  const signing = signingOf(instance);
  const policy = signing ? checkSigning(signing, 'config.dnssec.signing') : OK;
  if (!policy.ok) return policy;
  return checkNamedConf(namedConfFor(instance));
}

/** RolloutState is the instance's Ready verdict from its Deployment. */
export interface RolloutState {
  readonly ok: boolean;
  readonly reason: 'AllReplicasReady' | 'ReplicasNotReady' | 'RolloutNotReady';
  readonly message: string;
}

/**
 * rolloutState is Ready only when the Deployment's current template runs on every wanted replica
 * and all are ready: old pods that still answer while the new ones fail (a config named refuses,
 * a crash loop) do not count, and the message carries the failing pods' own reasons.
 */
export async function rolloutState(client: KubeClient, instance: Bind9Instance, deployment: Deployment | undefined): Promise<RolloutState> {
  const wanted = instance.spec.replicas ?? 1;
  const st = deployment?.status;
  const ready = st?.readyReplicas ?? 0;
  const current = deployment !== undefined && (st?.observedGeneration ?? 0) >= (deployment.metadata.generation ?? 0) && (st?.updatedReplicas ?? 0) >= wanted && (st?.replicas ?? 0) <= wanted;
  if (current && ready >= wanted && wanted > 0) return { ok: true, reason: 'AllReplicasReady', message: `${ready}/${wanted} named pods ready` };
  const why = deployment ? await podProblems(client, instance) : [];
  const head = current ? `${ready}/${wanted} named pods ready` : `rollout not complete: ${st?.updatedReplicas ?? 0}/${wanted} pods run the current config, ${ready} ready`;
  return { ok: false, reason: current ? 'ReplicasNotReady' : 'RolloutNotReady', message: [head, ...why].join('; ').slice(0, 900) };
}

interface Pod extends KubeObject {
  status?: {
    phase?: string;
    conditions?: Array<{ type: string; status: string; reason?: string; message?: string }>;
    containerStatuses?: Array<{ name: string; ready: boolean; state?: Record<string, { reason?: string; message?: string; exitCode?: number } | undefined>; lastState?: Record<string, { reason?: string; exitCode?: number } | undefined> }>;
  };
}

/** podProblems lists, per pod that is not ready, the reason Kubernetes gives (waiting/terminated container, unschedulable). */
async function podProblems(client: KubeClient, instance: Bind9Instance): Promise<string[]> {
  const selector = Object.entries(podLabels(instance)).map(([k, v]) => `${k}=${v}`).join(',');
  let pods: Pod[];
  try {
    pods = (await client.get<{ items: Pod[] }>(`/api/v1/namespaces/${instance.metadata.namespace}/pods?labelSelector=${encodeURIComponent(selector)}`)).items;
  } catch {
    return [];
  }
  return pods.flatMap((p) => {
    if (p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) return [];
    const containers = (p.status?.containerStatuses ?? []).filter((c) => !c.ready).map((c) => {
      const state = c.state?.waiting ?? c.state?.terminated;
      const last = c.lastState?.terminated;
      const detail = [state?.reason, state?.message, last ? `last exit ${last.exitCode ?? '?'} ${last.reason ?? ''}`.trim() : undefined].filter(Boolean).join(': ');
      return `${c.name}${detail ? ` ${detail}` : ' not ready'}`;
    });
    const unscheduled = p.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
    const parts = containers.length > 0 ? containers : [unscheduled ? `${unscheduled.reason}: ${unscheduled.message ?? ''}` : (p.status?.phase ?? 'not ready')];
    return [`pod ${p.metadata.name}: ${parts.join(', ')}`];
  });
}
