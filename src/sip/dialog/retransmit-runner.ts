/**
 * Runs a `retransmitReducer` schedule: arms real (or injected fake) timers, performs the sends
 * and reports the time-out. Owns timers, so it has `close()`.
 */
import {
  initialRetransmitState,
  retransmitReducer,
  type RetransmitEffect,
  type RetransmitEvent,
  type RetransmitSettings,
  type RetransmitState,
} from './retransmit-schedule.js';

/** Injected clock (habit 3): tests pass a fake one. */
export interface TimerScheduler {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const realScheduler: TimerScheduler = {
  set: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    handle.unref?.();
    return handle;
  },
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface RetransmitCallbacks {
  /** Put the message on the wire (first send and every resend). */
  send(): void;
  /** The give-up timer fired without acknowledgement. */
  timedOut(): void;
}

export class RetransmitRunner {
  private state: RetransmitState = initialRetransmitState;
  private readonly handles = new Map<'resend' | 'give-up', unknown>();

  constructor(
    private readonly settings: RetransmitSettings,
    private readonly callbacks: RetransmitCallbacks,
    private readonly scheduler: TimerScheduler = realScheduler,
  ) {}

  get phase(): RetransmitState['phase'] {
    return this.state.phase;
  }

  get sends(): number {
    return this.state.sends;
  }

  start(): void {
    this.dispatch({ type: 'start' });
  }

  acknowledge(): void {
    this.dispatch({ type: 'acknowledged' });
  }

  /** Stop without reporting anything (dialog torn down). */
  close(): void {
    for (const handle of this.handles.values()) this.scheduler.clear(handle);
    this.handles.clear();
  }

  private dispatch(event: RetransmitEvent): void {
    const { state, effects } = retransmitReducer(this.settings, this.state, event);
    this.state = state;
    for (const effect of effects) this.perform(effect);
  }

  private perform(effect: RetransmitEffect): void {
    switch (effect.type) {
      case 'send':
        this.callbacks.send();
        return;
      case 'arm': {
        const previous = this.handles.get(effect.timer);
        if (previous !== undefined) this.scheduler.clear(previous);
        const timer = effect.timer;
        this.handles.set(
          timer,
          this.scheduler.set(() => {
            this.handles.delete(timer);
            this.dispatch({ type: timer === 'resend' ? 'resend-timer' : 'give-up-timer' });
          }, effect.ms),
        );
        return;
      }
      case 'cancel': {
        const handle = this.handles.get(effect.timer);
        if (handle !== undefined) this.scheduler.clear(handle);
        this.handles.delete(effect.timer);
        return;
      }
      case 'timed-out':
        this.callbacks.timedOut();
        return;
    }
  }
}
