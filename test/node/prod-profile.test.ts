/**
 * dist/prod on the real node: its operator Deployment spreads replicas over zones with
 * `whenUnsatisfiable: DoNotSchedule`, so on a node without a zone label its pods stay Pending (the
 * scheduler says why); labelled with a zone, as every cloud node is, all three run and one leads.
 */
import { eventually } from '../integration/dns-support.js';
import { applyProfile, bed, guide, holder, removeOperator } from './guide-support.js';

describe('dist/prod on the real node (zone spread)', () => {
  afterAll(async () => {
    await removeOperator();
    await guide(`kubectl label node ${bed.node?.name} topology.kubernetes.io/zone-`).catch(() => undefined);
  }, 90_000);

  it('stays Pending without a zone label, runs 3 replicas once the node has one', async () => {
    await guide(`kubectl label node ${bed.node?.name} topology.kubernetes.io/zone- || true`);
    await applyProfile('prod', false);
    await eventually(async () => {
      expect(await guide('kubectl -n dns-system get events --field-selector reason=FailedScheduling')).toMatch(/topology spread constraints/);
    }, 60_000, 500);
    expect(await guide("kubectl -n dns-system get pods -l app=bindy -o jsonpath='{.items[*].status.phase}'")).not.toMatch(/Running/);
    await guide(`kubectl label node ${bed.node?.name} topology.kubernetes.io/zone=bed-a`);
    await guide('kubectl -n dns-system rollout status deployment/bindy --timeout=180s');
    const pods = await guide('kubectl get pods -n bindy-system -l app=bindy');
    expect(pods.split('\n').filter((l) => / Running /.test(l))).toHaveLength(3);
    await eventually(async () => expect(pods).toContain(await holder()), 30_000, 250);
  }, 300_000);
});
