import { pino } from 'pino';
import type { KubeClient, WatchEvent } from '../../src/kube/api-client.js';
import { KubeApiError } from '../../src/kube/api-error.js';
import { Informer, type InformerEventType } from '../../src/kube/informer.js';
import type { KubeObject } from '../../src/kube/objects.js';

const obj = (name: string, rv: string): KubeObject => ({ metadata: { name, namespace: 'ns', resourceVersion: rv } });

/**
 * FakeClient serves scripted list results and watch streams; a step that is an Error fails
 * that call. Any call beyond the script fails the test.
 */
class FakeClient {
  lists: Array<KubeObject[] | Error> = [];
  watches: Array<Array<WatchEvent<KubeObject>> | Error> = [];
  calls: string[] = [];
  async get(): Promise<unknown> {
    this.calls.push('list');
    const step = this.lists.shift();
    if (step === undefined) throw new Error('unexpected list');
    if (step instanceof Error) throw step;
    return { metadata: { resourceVersion: String(this.calls.length) }, items: step };
  }
  async watch(_path: string, options: { signal: AbortSignal }, onEvent: (e: WatchEvent<KubeObject>) => void): Promise<void> {
    this.calls.push('watch');
    const step = this.watches.shift();
    if (step === undefined) {
      // Nothing scripted: block like an idle watch until the test stops the informer.
      await new Promise((resolve) => options.signal.addEventListener('abort', resolve, { once: true }));
      throw new Error('aborted');
    }
    if (step instanceof Error) throw step;
    for (const e of step) onEvent(e);
  }
}

function start(client: FakeClient) {
  const events: string[] = [];
  const previous: string[] = [];
  const inf = new Informer<KubeObject>({ client: client as unknown as KubeClient, path: '/x', log: pino({ level: 'silent' }), backoff: { initialMs: 1, maxMs: 5 } });
  inf.on((type: InformerEventType, o, before) => {
    events.push(`${type} ${o.metadata.name}`);
    previous.push(`${o.metadata.name}@${o.metadata.resourceVersion} after ${before ? `@${before.metadata.resourceVersion}` : 'nothing'}`);
  });
  const stop = new AbortController();
  const run = inf.start(stop.signal);
  return { inf, events, previous, stop: async () => (stop.abort(), await run) };
}

async function until(cond: () => boolean): Promise<void> {
  const end = Date.now() + 2_000;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe('Informer', () => {
  it('retries a failed list with backoff and then syncs', async () => {
    const c = new FakeClient();
    c.lists = [new KubeApiError(503, 'Unavailable', 'down'), [obj('a', '1')]];
    const { inf, events, stop } = start(c);
    await until(() => inf.synced);
    await stop();
    expect(c.calls.slice(0, 3)).toEqual(['list', 'list', 'watch']);
    expect(events).toEqual(['ADDED a']);
  });

  it('applies watch events, relists after an expired resourceVersion, and emits deletions it missed', async () => {
    const c = new FakeClient();
    c.lists = [[obj('a', '1'), obj('b', '1')], [obj('a', '3')]];
    c.watches = [
      [
        { type: 'MODIFIED', object: obj('a', '2') },
        { type: 'BOOKMARK', object: obj('', '2') },
        { type: 'ERROR', object: { code: 410, message: 'too old' } as unknown as KubeObject },
      ],
    ];
    const { inf, events, previous, stop } = start(c);
    await until(() => c.calls.filter((x) => x === 'list').length === 2 && c.calls.at(-1) === 'watch');
    await stop();
    expect(events).toEqual(['ADDED a', 'ADDED b', 'MODIFIED a', 'MODIFIED a', 'DELETED b']);
    // Each handler hears the object the cache held before the change (what spec-level filters compare).
    expect(previous).toEqual(['a@1 after nothing', 'b@1 after nothing', 'a@2 after @1', 'a@3 after @2', 'b@1 after @1']);
    expect(inf.list().map((o) => `${o.metadata.name}@${o.metadata.resourceVersion}`)).toEqual(['a@3']);
  });

  it('lists in pages with continue tokens, and relists from the start when a token expired midway', async () => {
    const all = Array.from({ length: 5 }, (_, i) => obj(`o${i}`, '1'));
    const queries: Array<Record<string, unknown>> = [];
    let expireOnce = true;
    const client = {
      async get(_path: string, options: { query: { limit: number; continue?: string } }): Promise<unknown> {
        queries.push({ ...options.query });
        const from = Number(options.query.continue ?? 0);
        if (from > 0 && expireOnce) {
          expireOnce = false;
          throw new KubeApiError(410, 'Expired', 'continue token expired');
        }
        const to = Math.min(all.length, from + options.query.limit);
        return { metadata: { resourceVersion: '9', ...(to < all.length ? { continue: String(to) } : {}) }, items: all.slice(from, to) };
      },
      watch: (_path: string, options: { signal: AbortSignal; query: { resourceVersion: string } }) => {
        queries.push({ watchFrom: options.query.resourceVersion });
        return new Promise<void>((resolve) => options.signal.addEventListener('abort', () => resolve(), { once: true }));
      },
    };
    const inf = new Informer<KubeObject>({ client: client as unknown as KubeClient, path: '/x', log: pino({ level: 'silent' }), backoff: { initialMs: 1, maxMs: 5 }, listPage: 2 });
    const stop = new AbortController();
    const run = inf.start(stop.signal);
    await until(() => inf.synced);
    await until(() => queries.some((q) => 'watchFrom' in q));
    stop.abort();
    await run;
    expect(queries.map((q) => q.watchFrom ?? q.continue ?? 'first')).toEqual(['first', '2', 'first', '2', '4', '9']);
    expect(queries.filter((q) => !('watchFrom' in q)).every((q) => q.limit === 2)).toBe(true);
    expect(inf.list().map((o) => o.metadata.name).sort()).toEqual(['o0', 'o1', 'o2', 'o3', 'o4']);
  });
});
