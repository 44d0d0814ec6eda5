/**
 * A fake TimerApi: timers fire only when the test advances time, in due order.
 */
import type { TimerApi, TimerHandle } from '../../../src/sip/transaction/timer-api.js';

interface Pending {
  id: number;
  due: number;
  callback: () => void;
}

export class FakeClock implements TimerApi {
  now = 0;
  private nextId = 1;
  private pending: Pending[] = [];

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const timer = { id: this.nextId++, due: this.now + ms, callback };
    this.pending.push(timer);
    return timer.id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.pending = this.pending.filter((timer) => timer.id !== handle);
  }

  /** Timers not yet fired. */
  get size(): number {
    return this.pending.length;
  }

  /** Advance time by `ms`, firing every timer that falls due (including ones armed meanwhile). */
  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      const next = [...this.pending].sort((a, b) => a.due - b.due || a.id - b.id)[0];
      if (next === undefined || next.due > until) break;
      this.pending = this.pending.filter((timer) => timer !== next);
      this.now = next.due;
      next.callback();
    }
    this.now = until;
  }
}
