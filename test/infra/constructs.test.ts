import { Chart, Testing } from 'cdk8s';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { OperatorDeployment, type OperatorDeploymentProps } from '../../infra/constructs/operator-deployment.js';
import { OperatorDisruptionBudget } from '../../infra/constructs/disruption.js';
import { OperatorMonitoring, runbookUrl } from '../../infra/constructs/monitoring.js';
import { OperatorRbac } from '../../infra/constructs/rbac.js';
import { OperatorServiceAccount } from '../../infra/constructs/service-account.js';

const chart = (): Chart => Testing.chart();
const deploy = (props: Partial<OperatorDeploymentProps>) => () =>
  new OperatorDeployment(chart(), 'd', { namespace: 'dns-system', ...props });

describe('OperatorDeployment props', () => {
  it('defaults to one replica, no spread and the SPEC §1 lease timing', () => {
    const c = chart();
    new OperatorDeployment(c, 'd', { namespace: 'ops' });
    const [d] = Testing.synth(c);
    expect(d.spec.replicas).toBe(1);
    expect(d.spec.template.spec.affinity).toBeUndefined();
    expect(d.spec.template.spec.terminationGracePeriodSeconds).toBe(30);
    expect(d.metadata).toMatchObject({ name: 'bindy', namespace: 'ops' });
  });

  it('sets LOG_LEVEL only when logLevel is given, so RUST_LOG stays usable by default', () => {
    const envOf = (props: Partial<OperatorDeploymentProps>) => {
      const c = chart();
      new OperatorDeployment(c, 'd', { namespace: 'ops', ...props });
      return Testing.synth(c)[0].spec.template.spec.containers[0].env.map((e: { name: string }) => e.name);
    };
    expect(envOf({})).not.toContain('LOG_LEVEL');
    expect(envOf({ logLevel: 'debug' })).toContain('LOG_LEVEL');
  });

  it('puts the lease in another namespace when asked', () => {
    const c = chart();
    new OperatorDeployment(c, 'd', { namespace: 'ops', leaderElection: { leaseNamespace: 'leases' } });
    const env = Testing.synth(c)[0].spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'LEASE_NAMESPACE', value: 'leases' });
  });

  it.each<[string, Partial<OperatorDeploymentProps>, RegExp]>([
    ['replicas 0', { replicas: 0 }, /replicas must be an integer in \[1, 100\], got 0/],
    ['fractional replicas', { replicas: 1.5 }, /replicas .* got 1.5/],
    ['several replicas without election', { replicas: 2, leaderElection: { enabled: false } }, /replicas is 2 but leaderElection.enabled is false/],
    ['renew deadline ≥ duration', { leaderElection: { durationSeconds: 10, renewDeadlineSeconds: 10 } }, /renewDeadlineSeconds \(10\) must be < durationSeconds \(10\)/],
    ['renew deadline ≤ 1.2 × retry', { leaderElection: { renewDeadlineSeconds: 6, retryPeriodSeconds: 5 } }, /must be > 1.2 × retryPeriodSeconds \(5\)/],
    ['short grace period', { terminationGracePeriodSeconds: 5 }, /terminationGracePeriodSeconds \(5\) must be ≥ renewDeadlineSeconds \+ 10 \(20\)/],
    ['latest tag', { imageTag: 'latest' }, /imageTag must pin a version, got "latest"/],
    ['bad namespace', { namespace: 'DNS_System' }, /namespace must be a DNS-1123 label, got "DNS_System"/],
    ['bad lease name', { leaderElection: { leaseName: 'Bindy Leader' } }, /leaseName must be a DNS-1123 subdomain/],
    ['same ports', { metricsPort: 9000, healthPort: 9000 }, /metricsPort and healthPort must differ, both are 9000/],
    ['bad quantity', { requests: { cpu: 'lots', memory: '64Mi' } }, /requests.cpu must be a resource quantity .* got "lots"/],
  ])('rejects %s', (_name, props, message) => {
    expect(deploy(props)).toThrow(message);
  });
});

describe('other constructs', () => {
  it('OperatorDisruptionBudget rejects an empty selector', () => {
    expect(() => new OperatorDisruptionBudget(chart(), 'p', { namespace: 'x', selector: {}, replicas: 2 })).toThrow(/selector must not be empty/);
  });
  it('OperatorRbac rejects a bad lease namespace', () => {
    expect(() => new OperatorRbac(chart(), 'r', { namespace: 'x', leaseNamespace: 'a.b' })).toThrow(/leaseNamespace must be a DNS-1123 label, got "a.b"/);
  });
  it('OperatorRbac puts the lease Role in the lease namespace and binds the operator SA', () => {
    const c = chart();
    new OperatorRbac(c, 'r', { namespace: 'ops', leaseNamespace: 'leases' });
    const objs = Testing.synth(c);
    const rb = objs.find((o) => o.kind === 'RoleBinding');
    expect(rb.metadata.namespace).toBe('leases');
    expect(rb.subjects).toEqual([{ kind: 'ServiceAccount', name: 'bindy', namespace: 'ops' }]);
  });
  it('OperatorServiceAccount rejects a bad name', () => {
    expect(() => new OperatorServiceAccount(chart(), 's', { namespace: 'x', name: 'Bindy' })).toThrow(/name must be a DNS-1123 label, got "Bindy"/);
  });
  it('OperatorMonitoring rejects a bad scrape interval and adds Prometheus selector labels', () => {
    expect(() => new OperatorMonitoring(chart(), 'm', { namespace: 'x', selector: { app: 'bindy' }, scrapeInterval: '30' })).toThrow(/scrapeInterval .* got "30"/);
    const c = chart();
    new OperatorMonitoring(c, 'm', { namespace: 'x', selector: { app: 'bindy' }, prometheusLabels: { release: 'kps' } });
    const rule = Testing.synth(c).find((o) => o.kind === 'PrometheusRule');
    expect(rule.metadata.labels.release).toBe('kps');
  });
  it('runbookUrl turns the alert name into a kebab-case docs path', () => {
    expect(runbookUrl('BindyNoLeader')).toBe('https://github.com/firestoned/bindy-ts/blob/main/docs/runbooks/bindy-no-leader.md');
  });
  it('the offline models really reject a malformed object', () => {
    expect(() => new Deployment({ metadata: { name: 'x' }, spec: { replicas: 'three' } } as never).validate()).toThrow();
  });
});
