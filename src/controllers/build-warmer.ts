import type { Caches } from './caches.js';

/** WARM_DELAY_MS lets the changes of an import coalesce: a zone whose records arrive one by one is built once per window, not once per record. */
const WARM_DELAY_MS = 2_000;

/** SLICE_MS bounds each run of builds between turns of the event loop: the lease watch and renewals must not wait behind 10,000 zones. */
const SLICE_MS = 10;

/**
 * BuildWarmer keeps a standby's zone builds current. A new leader verifies every zone in its first
 * pass; validating and rendering each one there was ≈ 0.4 ms of its single core per zone — the
 * larger part of a 1,000-zone failover — while the standby that would take over sat idle with
 * every record in its cache. The leader builds as it reconciles, so it warms nothing.
 */
export class BuildWarmer {
  private readonly due = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly caches: Pick<Caches, 'zones' | 'zoneBuilds'>,
    private readonly standby: () => boolean,
    private readonly delayMs = WARM_DELAY_MS,
  ) {}

  /** changed says the zone's build may be stale (its spec, its records, or its instances' pods changed). */
  changed(key: string): void {
    if (!this.standby()) return;
    this.due.add(key);
    this.timer ??= setTimeout(() => this.warm(), this.delayMs).unref();
  }

  private warm(): void {
    this.timer = undefined;
    const started = performance.now();
    for (const key of this.due) {
      if (!this.standby()) return this.due.clear();
      this.due.delete(key);
      const zone = this.caches.zones.get(key);
      if (zone && !zone.metadata.deletionTimestamp) this.caches.zoneBuilds.of(zone);
      if (performance.now() - started >= SLICE_MS) {
        this.timer = setTimeout(() => this.warm(), 0).unref();
        return;
      }
    }
  }
}
