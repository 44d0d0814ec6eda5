/** A fake clock for timer tests: timers fire only when `advance` moves time past them. */
import type { TimerScheduler } from '../../../src/sip/dialog/retransmit-runner.js';

interface Pending {
  id: number;
  due: number;
  callback: () => void;
}

export class FakeScheduler implements TimerScheduler {
  now = 0;
  private nextId = 1;
  private pending: Pending[] = [];

  set(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.pending.push({ id, due: this.now + ms, callback });
    return id;
  }

  clear(handle: unknown): void {
    this.pending = this.pending.filter((p) => p.id !== handle);
  }

  get armed(): number {
    return this.pending.length;
  }

  /** Move time forward, firing due timers in order (timers armed meanwhile included). */
  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      this.pending.sort((a, b) => a.due - b.due || a.id - b.id);
      const next = this.pending[0];
      if (!next || next.due > end) break;
      this.pending.shift();
      this.now = next.due;
      next.callback();
    }
    this.now = end;
  }
}
