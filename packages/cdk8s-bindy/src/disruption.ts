import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-28';
import { requireInt, requireLabel } from './validation.js';

/** OperatorDisruptionBudgetProps configures the operator's PodDisruptionBudget. */
export interface OperatorDisruptionBudgetProps {
  readonly namespace: string;
  /** @default "bindy" */
  readonly name?: string;
  /** The pods' selector labels (as the Deployment's). */
  readonly selector: Record<string, string>;
  /** Replica count of the Deployment: decides the budget. */
  readonly replicas: number;
}

/**
 * OperatorDisruptionBudget keeps a leader candidate through voluntary disruptions:
 * `minAvailable: 1` with more than one replica; with one replica `maxUnavailable: 1`, so a
 * node drain is never blocked by a single-replica (dev) install.
 * @see https://kubernetes.io/docs/tasks/run-application/configure-pdb/
 */
export class OperatorDisruptionBudget extends Construct {
  readonly budget: k8s.KubePodDisruptionBudget;

  constructor(scope: Construct, id: string, props: OperatorDisruptionBudgetProps) {
    super(scope, id);
    const o = 'OperatorDisruptionBudget';
    const name = props.name ?? 'bindy';
    requireLabel(o, 'namespace', props.namespace);
    requireInt(o, 'replicas', props.replicas, 1);
    if (Object.keys(props.selector).length === 0) throw new Error(`${o}: selector must not be empty`);
    const budget =
      props.replicas > 1 ? { minAvailable: k8s.IntOrString.fromNumber(1) } : { maxUnavailable: k8s.IntOrString.fromNumber(1) };
    this.budget = new k8s.KubePodDisruptionBudget(this, 'Resource', {
      metadata: { name, namespace: props.namespace, labels: { ...props.selector } },
      spec: {
        ...budget,
        selector: { matchLabels: { ...props.selector } },
        // A crash-looping pod must not block node drains.
        unhealthyPodEvictionPolicy: 'AlwaysAllow',
      },
    });
  }
}
