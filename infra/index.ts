/**
 * bindy's cdk8s constructs, to compose in your own cdk8s app:
 *
 * ```ts
 * import { App, Chart } from 'cdk8s';
 * import { BindyCrds, OperatorDeployment, OperatorRbac, OperatorServiceAccount } from './infra/index.js';
 * const app = new App();
 * const cluster = new Chart(app, 'cluster');            // no namespace: CRDs, ClusterRoles
 * new BindyCrds(cluster, 'crds');
 * new OperatorRbac(cluster, 'rbac', { namespace: 'dns-system' });
 * const ops = new Chart(app, 'operator', { disableResourceNameHashes: true });
 * new OperatorServiceAccount(ops, 'sa', { namespace: 'dns-system' });
 * new OperatorDeployment(ops, 'bindy', { namespace: 'dns-system', replicas: 3, zoneSpread: true });
 * app.synth();
 * ```
 *
 * `buildProfile` composes all of them the way `dist/<profile>/` is built.
 */
/** BindyCrds: every bindy CustomResourceDefinition, from src/crds. */
export { BindyCrds, type BindyCrdsProps } from './constructs/crds.js';
/** OperatorDeployment: the operator Deployment (env, probes, placement, hardened pod). */
export {
  OperatorDeployment,
  selectorLabels,
  type OperatorDeploymentProps,
  type LeaderElectionProps,
  type ImagePullPolicy,
  type LogLevel,
} from './constructs/operator-deployment.js';
/** OperatorServiceAccount: the operator's identity. */
export { OperatorServiceAccount, type OperatorServiceAccountProps } from './constructs/service-account.js';
/** OperatorRbac: least-privilege ClusterRole + lease Role, with bindings. */
export { OperatorRbac, CLUSTER_RULES, leaseRules, type OperatorRbacProps } from './constructs/rbac.js';
/** OperatorMonitoring: metrics Service, ServiceMonitor and PrometheusRule with the bindy alerts. */
export {
  OperatorMonitoring,
  bindyAlertRuleGroups,
  runbookUrl,
  RUNBOOK_BASE,
  type OperatorMonitoringProps,
  type AlertRule,
  type AlertRuleGroup,
} from './constructs/monitoring.js';
/** OperatorDisruptionBudget: the PodDisruptionBudget matching the replica count. */
export { OperatorDisruptionBudget, type OperatorDisruptionBudgetProps } from './constructs/disruption.js';
/** Profiles (SPEC §7) and their composition. */
export { PROFILES, PROFILE_NAMES, IMAGE, COMMON, type Profile, type ProfileName, type Spread } from './profiles.js';
export { buildProfile, kustomization, CHART_IDS, type ChartId, type ProfileApp } from './app.js';
