import type { Clock } from '../../src/leader/clock.js';

interface Timer {
  readonly id: number;
  readonly at: number;
  readonly fn: () => void;
}

/** flush lets pending promise chains (several hops deep) run before time moves on. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** FakeClock is a manual monotonic clock: timers fire only inside advance(), in time order. */
export class FakeClock implements Clock {
  private t = 1_000;
  private nextId = 1;
  private timers: Timer[] = [];

  now(): number {
    return this.t;
  }

  wallMicros(): number {
    return 1_767_225_600_000_000 + Math.round(this.t * 1000);
  }

  setTimer(ms: number, fn: () => void): () => void {
    const timer = { id: this.nextId++, at: this.t + Math.max(0, ms), fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((x) => x !== timer);
    };
  }

  /** advance moves time forward by ms, firing due timers in order and letting promises settle. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    await flush();
    for (;;) {
      const due = this.timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((x) => x !== due);
      this.t = Math.max(this.t, due.at);
      due.fn();
      await flush();
    }
    this.t = end;
    await flush();
  }

  /** jump moves time without firing timers, as a blocked event loop experiences it. */
  jump(ms: number): void {
    this.t += ms;
  }
}
