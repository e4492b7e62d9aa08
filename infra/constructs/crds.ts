import { Construct } from 'constructs';
import { ApiObject } from 'cdk8s';
import { customResourceDefinitions, type CustomResourceDefinition } from '../../src/crds/index.js';

/** BindyCrdsProps configures the CRD construct. */
export interface BindyCrdsProps {
  /** Labels added to every CRD. @default {} */
  readonly labels?: Record<string, string>;
}

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
      const obj = withLabels(crd, props.labels ?? {});
      const { apiVersion, kind, metadata, ...rest } = obj;
      defs.set(crd.spec.names.kind, new ApiObject(this, crd.spec.names.kind, { apiVersion, kind, metadata, ...rest }));
    }
    this.definitions = defs;
  }
}

function withLabels(crd: CustomResourceDefinition, labels: Record<string, string>): CustomResourceDefinition {
  return { ...crd, metadata: { ...crd.metadata, labels: { ...crd.metadata.labels, ...labels } } };
}
