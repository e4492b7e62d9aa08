import type { Logger } from 'pino';
import type { KubeClient, WatchEvent } from './api-client.js';
import { KubeApiError } from './api-error.js';
import { objectKey, type KubeObject } from './objects.js';

/** InformerEventType is the kind of change seen in the cache. */
export type InformerEventType = 'ADDED' | 'MODIFIED' | 'DELETED';
/**
 * InformerHandler hears each change with the object the cache held before it (undefined when the
 * object is new): handlers compare the two instead of keeping a copy of every object's past.
 */
export type InformerHandler<T> = (type: InformerEventType, obj: T, previous: T | undefined) => void;

export interface InformerOptions {
  readonly client: KubeClient;
  /** Collection path over all namespaces, e.g. /apis/bindy.firestoned.io/v1beta1/dnszones. */
  readonly path: string;
  readonly labelSelector?: string;
  readonly log: Logger;
  /** Backoff between failed list/watch attempts: doubles from `initialMs` to `maxMs`, ±50 % jitter. */
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  /** Server-side watch timeout; the watch is renewed from the last resourceVersion after it. */
  readonly watchSeconds?: number;
  /** Objects per list request (LIST_PAGE when absent). */
  readonly listPage?: number;
  /** What the cache keeps of each object (cache-transform.ts); whole objects when absent. */
  readonly transform?: (obj: KubeObject) => KubeObject;
}

/** LIST_PAGE is how many objects one list request asks for (the apiserver may answer fewer). */
const LIST_PAGE = 500;

/**
 * Informer keeps a cache of one resource in sync with list + watch. It is supervised: any error
 * (network, 5xx, an expired resourceVersion) leads to a relist after a capped, jittered backoff,
 * for as long as its signal lives — unlike client-node's informer, it never stops for good.
 */
export class Informer<T extends KubeObject> {
  private readonly cache = new Map<string, T>();
  private readonly handlers: InformerHandler<T>[] = [];
  private syncedOnce = false;
  private connected = false;
  private changeCount = 0;

  constructor(private readonly options: InformerOptions) {}

  /** changes counts the cache's changes so far: a reader that derives something from the cache knows it is unchanged while this is. */
  get changes(): number {
    return this.changeCount;
  }

  /** on registers a handler; handlers must be cheap (enqueue keys), they run inline. */
  on(handler: InformerHandler<T>): void {
    this.handlers.push(handler);
  }

  get(key: string): T | undefined {
    return this.cache.get(key);
  }

  list(namespace?: string): T[] {
    const all = [...this.cache.values()];
    return namespace === undefined ? all : all.filter((o) => o.metadata.namespace === namespace);
  }

  /** synced is true once the first list has filled the cache. */
  get synced(): boolean {
    return this.syncedOnce;
  }

  /** healthy is true while a watch is open. */
  get healthy(): boolean {
    return this.connected;
  }

  /** start runs list + watch until the signal aborts. */
  async start(signal: AbortSignal): Promise<void> {
    const backoff = this.options.backoff ?? { initialMs: 500, maxMs: 30_000 };
    let delay = backoff.initialMs;
    while (!signal.aborted) {
      try {
        const rv = await this.relist(signal);
        delay = backoff.initialMs;
        await this.watchFrom(rv, signal);
      } catch (err) {
        this.connected = false;
        if (signal.aborted) break;
        const wait = Math.round(delay * (0.5 + Math.random()));
        this.options.log.warn({ err: (err as Error).message, path: this.options.path, retryInMs: wait }, 'informer list/watch failed; retrying');
        await sleep(wait, signal);
        delay = Math.min(delay * 2, backoff.maxMs);
      }
    }
    this.connected = false;
  }

  /**
   * relist replaces the cache with a fresh list, emitting the differences; returns its
   * resourceVersion. The list is read in pages (LIST_PAGE objects): one answer holding 100,000
   * records is a body of some 150 MB, decoded at once next to the cache it replaces, and it may
   * outlast the request timeout. A continue token that expired midway fails the relist (410),
   * which is retried whole.
   */
  private async relist(signal: AbortSignal): Promise<string> {
    const seen = new Set<string>();
    let next: string | undefined;
    let resourceVersion: string;
    do {
      const page = await this.options.client.get<{ metadata: { resourceVersion: string; continue?: string }; items: T[] }>(this.options.path, {
        query: { labelSelector: this.options.labelSelector, limit: this.options.listPage ?? LIST_PAGE, continue: next },
        signal,
      });
      for (const item of page.items) {
        seen.add(objectKey(item));
        this.apply('ADDED', item);
      }
      resourceVersion = page.metadata.resourceVersion;
      next = page.metadata.continue || undefined;
    } while (next !== undefined);
    for (const [key, old] of [...this.cache]) if (!seen.has(key)) this.apply('DELETED', old);
    this.syncedOnce = true;
    return resourceVersion;
  }

  /** watchFrom follows changes until the stream ends cleanly (renewed) or fails (relist). */
  private async watchFrom(resourceVersion: string, signal: AbortSignal): Promise<void> {
    let rv = resourceVersion;
    const seconds = this.options.watchSeconds ?? 240;
    while (!signal.aborted) {
      this.connected = true;
      await this.options.client.watch<T>(
        this.options.path,
        { query: { labelSelector: this.options.labelSelector, resourceVersion: rv, timeoutSeconds: seconds }, signal, idleTimeoutMs: (seconds + 30) * 1000 },
        (event: WatchEvent<T>) => {
          if (event.type === 'ERROR') {
            const status = event.object as unknown as { code?: number; message?: string };
            throw new KubeApiError(status.code ?? 500, 'WatchError', `watch ${this.options.path}: ${status.message ?? 'error event'}`);
          }
          rv = event.object.metadata.resourceVersion ?? rv;
          if (event.type !== 'BOOKMARK') this.apply(event.type, event.object);
        },
      );
    }
  }

  private apply(type: InformerEventType, received: T): void {
    const key = objectKey(received);
    const old = this.cache.get(key);
    // A relist hears every object again: one it already holds at this version is not transformed anew.
    if (type !== 'DELETED' && old?.metadata.resourceVersion === received.metadata.resourceVersion) return;
    const obj = this.options.transform ? (this.options.transform(received) as T) : received;
    if (type === 'DELETED') this.cache.delete(key);
    else this.cache.set(key, obj);
    this.changeCount++;
    const effective: InformerEventType = type === 'DELETED' ? 'DELETED' : old ? 'MODIFIED' : 'ADDED';
    for (const handler of this.handlers) {
      try {
        handler(effective, obj, old);
      } catch (err) {
        this.options.log.error({ err, key }, 'informer handler threw');
      }
    }
  }
}

/** sleep resolves after `ms` or as soon as the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
