/**
 * The operator as pods (dist/dev), operated with the seed guide's Quick Start, Monitoring and
 * "Testing Failover" commands (see guide-support.ts for how the guide's text is run).
 */
import type { KubeClient } from '../../src/kube/api-client.js';
import { adminClient } from '../../testbed/state.js';
import { dig, eventually } from '../integration/dns-support.js';
import { applyProfile, guide, holder, removeOperator } from './guide-support.js';

const API = '/apis/bindy.firestoned.io/v1beta1/namespaces/guide';

describe('the seed guide on the operator as pods (dist/dev)', () => {
  let admin: KubeClient;

  beforeAll(async () => {
    admin = adminClient();
    await applyProfile();
  }, 180_000);

  afterAll(async () => {
    await admin.delete('/api/v1/namespaces/guide').catch(() => undefined);
    await removeOperator();
    admin.close();
  }, 90_000);

  it('Quick Start: scale to 3, all replicas run, one holds the lease', async () => {
    await guide('kubectl scale deployment -n bindy-system bindy --replicas=3');
    await guide('kubectl -n dns-system rollout status deployment/bindy --timeout=120s');
    const pods = await guide('kubectl get pods -n bindy-system -l app=bindy');
    expect(pods.split('\n').filter((l) => / Running /.test(l))).toHaveLength(3);
    const leader = await eventually(async () => {
      const h = await holder();
      expect(h).toMatch(/^bindy-/);
      return h;
    }, 30_000, 250);
    expect(pods).toContain(leader);
  }, 180_000);

  it('Check Current Leader and View Lease Details', async () => {
    const leader = await holder();
    expect(await guide(`kubectl get pod -n bindy-system ${leader}`)).toMatch(new RegExp(`${leader}\\s+1/1\\s+Running`));
    const yaml = await guide('kubectl get lease -n bindy-system bindy-leader -o yaml');
    expect(yaml).toContain(`holderIdentity: ${leader}`);
    expect(yaml).toContain('leaseDurationSeconds: 15');
    // The guide's log lines: the standbys say who leads.
    const logs = await guide('kubectl logs -n bindy-system -l app=bindy --tail=-1 --prefix');
    expect(logs).toContain(`Lease already held by ${leader}`);
  }, 60_000);

  it('Simulated Leader Failure: a standby leads, the API answers, DNS keeps being served', async () => {
    await admin.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'guide' } }).catch(() => undefined);
    await admin.create(`${API}/bind9instances`, { apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'Bind9Instance', metadata: { name: 'dns', namespace: 'guide', labels: { dns: 'guide' } }, spec: { replicas: 1 } });
    await admin.create(`${API}/dnszones`, {
      apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'DNSZone', metadata: { name: 'guide', namespace: 'guide' },
      spec: { zoneName: 'guide.test', instanceSelector: { matchLabels: { dns: 'guide' } }, recordSelector: { matchLabels: { zone: 'guide' } }, ttl: 60, soaRecord: { primaryNs: 'ns1.guide.test', adminEmail: 'hostmaster@guide.test' } },
    });
    const arecord = (name: string, ip: string) => ({ apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'ARecord', metadata: { name, namespace: 'guide', labels: { zone: 'guide' } }, spec: { name, ipv4Address: ip } });
    await admin.create(`${API}/arecords`, arecord('ns1', '192.0.2.53'));
    await admin.create(`${API}/arecords`, arecord('before', '192.0.2.1'));
    const podIp = await eventually(async () => {
      const ip = await guide("kubectl -n guide get pods -l app.kubernetes.io/name=bind9 -o jsonpath='{.items[0].status.podIP}'");
      expect(dig(ip, 'before.guide.test', 'A')).toBe('192.0.2.1');
      return ip;
    }, 90_000, 500);

    const old = await guide(`LEADER=$(kubectl get lease -n bindy-system bindy-leader \\
  -o jsonpath='{.spec.holderIdentity}')
echo "Current leader: $LEADER"`);
    const leader = old.replace('Current leader: ', '');
    const started = Date.now();
    await guide(`kubectl delete pod -n bindy-system ${leader} --wait=false`);
    const next = await eventually(async () => {
      const h = await holder();
      expect(h).not.toBe(leader);
      expect(h).toMatch(/^bindy-/);
      return h;
    }, 60_000, 50);
    process.stderr.write(`seed guide, Simulated Leader Failure: kubectl delete pod ${leader} → ${next} leads after ${Date.now() - started} ms\n`);
    expect(await guide('kubectl get bind9instances -A')).toContain('dns');
    expect(await guide('kubectl get dnszones -A')).toContain('guide');
    await admin.create(`${API}/arecords`, arecord('after', '192.0.2.2'));
    await eventually(() => expect(dig(podIp, 'after.guide.test', 'A')).toBe('192.0.2.2'), 60_000, 250);
    process.stderr.write(`seed guide: a record created after the failover is served by named ${Date.now() - started} ms after the delete\n`);
  }, 240_000);
});
