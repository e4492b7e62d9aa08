import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-28';
import { requireLabel } from './validation.js';

/** OperatorServiceAccountProps configures the operator's ServiceAccount. */
export interface OperatorServiceAccountProps {
  /** Namespace of the ServiceAccount (the operator's). */
  readonly namespace: string;
  /** @default "bindy" */
  readonly name?: string;
  /** Labels added to the object. @default {} */
  readonly labels?: Record<string, string>;
}

/** OperatorServiceAccount is the identity the operator pods use to talk to the apiserver. */
export class OperatorServiceAccount extends Construct {
  /** The ServiceAccount name. */
  readonly name: string;
  readonly namespace: string;

  constructor(scope: Construct, id: string, props: OperatorServiceAccountProps) {
    super(scope, id);
    this.name = props.name ?? 'bindy';
    this.namespace = props.namespace;
    requireLabel('OperatorServiceAccount', 'namespace', props.namespace);
    requireLabel('OperatorServiceAccount', 'name', this.name);
    new k8s.KubeServiceAccount(this, 'Resource', {
      metadata: { name: this.name, namespace: props.namespace, labels: { ...props.labels } },
    });
  }
}
