/**
 * The clock the transaction runners use, injected per instance so tests drive time with a fake
 * clock and never sleep.
 */
export type TimerHandle = unknown;

export interface TimerApi {
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemTimerApi: TimerApi = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
