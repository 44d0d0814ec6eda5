/** Time and timers for call control, injected so tests drive them (STYLE.md habit 3). */
export interface CallClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: CallClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const timer = setTimeout(fn, ms);
    timer.unref?.();
    return timer;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** A clock that only has `now()` (what a composition root may pass) gets real timers. */
export function toCallClock(clock: Partial<CallClock> & { now(): number }): CallClock {
  const { setTimeout: set, clearTimeout: clear } = clock;
  return {
    now: () => clock.now(),
    setTimeout: set ? (fn, ms) => set.call(clock, fn, ms) : systemClock.setTimeout,
    clearTimeout: clear ? (handle) => clear.call(clock, handle) : systemClock.clearTimeout,
  };
}
