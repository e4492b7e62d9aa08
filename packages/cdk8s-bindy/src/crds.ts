import { Construct } from 'constructs';
import { ApiObject } from 'cdk8s';
import { customResourceDefinitions, type CustomResourceDefinition } from './crd-source.js';

/** BindyCrdsProps configures the CRD construct. */
export interface BindyCrdsProps {
  /** Labels added to every CRD. @default {} */
  readonly labels?: Record<string, string>;
  /**
   * Tell Argo CD and Flux never to prune the CRDs: deleting a CRD deletes every DNSZone and
   * record of that kind in the cluster, so removing them must be a deliberate manual step.
   * @default true
   */
  readonly preventPrune?: boolean;
}

/** NO_PRUNE_ANNOTATIONS stop GitOps tools from deleting an object when it leaves the source. */
export const NO_PRUNE_ANNOTATIONS: Readonly<Record<string, string>> = {
  'argocd.argoproj.io/sync-options': 'Prune=false',
  'kustomize.toolkit.fluxcd.io/prune': 'disabled',
};

/**
 * BindyCrds adds every bindy CustomResourceDefinition (from `src/crds`, the single source) to the
 * scope. CRDs are cluster-scoped: put this construct in a chart without a namespace.
 */
export class BindyCrds extends Construct {
  /** The CRDs, by kind. */
  readonly definitions: ReadonlyMap<string, ApiObject>;

  constructor(scope: Construct, id: string, props: BindyCrdsProps = {}) {
    super(scope, id);
    const defs = new Map<string, ApiObject>();
    for (const crd of customResourceDefinitions()) {
      const obj = withMetadata(crd, props.labels ?? {}, (props.preventPrune ?? true) ? NO_PRUNE_ANNOTATIONS : {});
      const { apiVersion, kind, metadata, ...rest } = obj;
      defs.set(crd.spec.names.kind, new ApiObject(this, crd.spec.names.kind, { apiVersion, kind, metadata, ...rest }));
    }
    this.definitions = defs;
  }
}

function withMetadata(
  crd: CustomResourceDefinition,
  labels: Record<string, string>,
  annotations: Readonly<Record<string, string>>,
): CustomResourceDefinition {
  const metadata = { ...crd.metadata, labels: { ...crd.metadata.labels, ...labels } };
  return { ...crd, metadata: Object.keys(annotations).length > 0 ? { ...metadata, annotations: { ...annotations } } : metadata };
}
