/** The timer API the integration's pollers use, injected so tests fire timers by hand (STYLE.md habit 3). */
export interface Timers {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

/** Real timers, unref'd: a poller never keeps the process alive by itself; its close() clears them. */
export const REAL_TIMERS: Timers = {
  set: (callback, ms) => setTimeout(callback, ms).unref(),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
