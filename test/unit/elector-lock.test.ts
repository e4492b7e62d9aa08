import { microTime } from '../../src/leader/clock.js';
import { compareTokens } from '../../src/leader/leadership.js';
import { KubeLeaseLock } from '../../src/leader/lease-lock.js';
import { isNewer } from '../../src/leader/lock.js';
import type { KubeClient } from '../../src/kube/api-client.js';

describe('compareTokens', () => {
  it.each([
    [{ holder: 'a', transitions: 1 }, { holder: 'b', transitions: 2 }, 'older'],
    [{ holder: 'b', transitions: 3 }, { holder: 'a', transitions: 2 }, 'newer'],
    [{ holder: 'a', transitions: 2 }, { holder: 'a', transitions: 2 }, 'same'],
    [{ holder: 'a', transitions: 2 }, { holder: 'b', transitions: 2 }, 'conflict'],
  ])('orders %j against %j as %s', (a, b, order) => {
    expect(compareTokens(a, b)).toBe(order);
  });
});

describe('microTime', () => {
  it('writes RFC 3339 with exactly 6 fractional digits', () => {
    expect(microTime(1_767_225_600_123_456)).toBe('2026-01-01T00:00:00.123456Z');
    expect(microTime(1_767_225_600_000_007)).toBe('2026-01-01T00:00:00.000007Z');
  });
});

describe('isNewer', () => {
  it('compares etcd revisions numerically', () => {
    expect(isNewer('100', '99')).toBe(true);
    expect(isNewer('99', '100')).toBe(false);
    expect(isNewer('5', undefined)).toBe(true);
  });
});

describe('KubeLeaseLock', () => {
  const stored = {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: 'bindy-leader', namespace: 'dns-system', resourceVersion: '42', labels: { team: 'dns' } },
    spec: { holderIdentity: 'a', leaseDurationSeconds: 15, leaseTransitions: 3, preferredHolder: 'b', strategy: 'OldestEmulationVersion' },
  };

  function fakeClient(calls: Array<{ method: string; path: string; body?: unknown; timeoutMs?: number }>): KubeClient {
    return {
      get: async (path: string, o: { timeoutMs?: number }) => (calls.push({ method: 'get', path, timeoutMs: o.timeoutMs }), stored),
      replace: async (path: string, body: unknown, o: { timeoutMs?: number }) => {
        calls.push({ method: 'replace', path, body, timeoutMs: o.timeoutMs });
        return { ...(body as object), metadata: { ...stored.metadata, resourceVersion: '43' } };
      },
    } as unknown as KubeClient;
  }

  it('updates with a resourceVersion CAS, keeps fields written by others, and bounds each request', async () => {
    const calls: Array<{ method: string; path: string; body?: unknown; timeoutMs?: number }> = [];
    const lock = new KubeLeaseLock({ client: fakeClient(calls), namespace: 'dns-system', name: 'bindy-leader', timeoutMs: 1000, watchIdleMs: 30000 });
    const current = await lock.get();
    expect(current?.record).toMatchObject({ holderIdentity: 'a', leaseTransitions: 3, preferredHolder: 'b' });
    const written = await lock.update(current!, { holderIdentity: 'c', leaseDurationSeconds: 15, leaseTransitions: 4, acquireTime: 't1', renewTime: 't1' });
    expect(written.resourceVersion).toBe('43');
    const put = calls.find((c) => c.method === 'replace')!;
    expect(put.path).toBe('/apis/coordination.k8s.io/v1/namespaces/dns-system/leases/bindy-leader');
    expect(put.timeoutMs).toBe(1000);
    expect(put.body).toMatchObject({
      metadata: { resourceVersion: '42', labels: { team: 'dns' } },
      spec: { holderIdentity: 'c', leaseTransitions: 4, preferredHolder: 'b', strategy: 'OldestEmulationVersion' },
    });
  });
});
