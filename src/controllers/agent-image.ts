/**
 * Which image the agent sidecar of every Bind9Instance pod runs: the operator's own, so that an
 * image override (kustomize `images:`, a private mirror, a digest pin) reaches the instance pods
 * too. The operator reads its own Pod (POD_NAME/POD_NAMESPACE from the downward API; the
 * manifests grant `get` on pods in its namespace only); BINDY_AGENT_IMAGE overrides.
 */
import type { Logger } from 'pino';
import type { KubeClient } from '../kube/api-client.js';
import { imageReferenceProblem } from './image-reference.js';

/** DEFAULT_AGENT_IMAGE is used only when the operator does not run in a Pod (e.g. as a process beside a cluster). */
export const DEFAULT_AGENT_IMAGE = 'ghcr.io/firestoned/bindy-ts:0.1.0';
/** OPERATOR_CONTAINER is the operator's container name in its Deployment. */
export const OPERATOR_CONTAINER = 'operator';

export interface AgentImageSource {
  readonly client: KubeClient;
  readonly log: Logger;
  /** BINDY_AGENT_IMAGE, already validated. */
  readonly override?: string;
  readonly podName?: string;
  readonly podNamespace?: string;
}

interface Pod {
  spec?: { containers?: Array<{ name: string; image?: string }> };
}

/** resolveAgentImage returns the agent image and logs where it came from; a failed read falls back loudly, never silently. */
export async function resolveAgentImage(o: AgentImageSource): Promise<string> {
  const chosen = (image: string, source: string) => {
    o.log.info({ image, source }, 'Agent sidecar image chosen');
    return image;
  };
  if (o.override) return chosen(o.override, 'BINDY_AGENT_IMAGE');
  if (!o.podName || !o.podNamespace) return chosen(DEFAULT_AGENT_IMAGE, 'default (POD_NAMESPACE unset: not running in a Pod)');
  try {
    const pod = await o.client.get<Pod>(`/api/v1/namespaces/${o.podNamespace}/pods/${o.podName}`);
    const containers = pod.spec?.containers ?? [];
    const image = (containers.find((c) => c.name === OPERATOR_CONTAINER) ?? containers[0])?.image ?? '';
    const problem = imageReferenceProblem(image, `Pod ${o.podNamespace}/${o.podName} container image`);
    if (!problem) return chosen(image, `Pod ${o.podNamespace}/${o.podName}`);
    o.log.warn({ problem, image: DEFAULT_AGENT_IMAGE }, 'Cannot use the operator Pod\'s image for the agent sidecar; using the default');
  } catch (err) {
    o.log.warn({ err: (err as Error).message, image: DEFAULT_AGENT_IMAGE }, 'Cannot read the operator\'s own Pod for the agent sidecar image; using the default (set BINDY_AGENT_IMAGE, or grant get on pods in the operator namespace)');
  }
  return DEFAULT_AGENT_IMAGE;
}
