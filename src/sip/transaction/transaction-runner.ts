/**
 * Performs the effects of a transaction reducer: sends through a port, arms and cancels timers on
 * an injected TimerApi (a fired timer comes back as a `timer` event), hands TU effects to a port,
 * and turns a failed send into a `transport-error` event. Events raised while effects are being
 * performed (a TU answering synchronously) are queued and handled in order, never re-entrantly.
 */
import type { SipRequest, SipResponse } from '../message/sip-message.js';
import type { TimerApi, TimerHandle } from './timer-api.js';
import type {
  Reducer,
  SendCancelEffect,
  TimerName,
  Transition,
  TuFailureEffect,
  TuRequestEffect,
  TuResponseEffect,
} from './transaction-types.js';

export type TuEffect = TuResponseEffect | TuRequestEffect | TuFailureEffect | SendCancelEffect;

export interface RunnerPorts {
  /** Hand a message to the transport; a rejection becomes a `transport-error` event. */
  send(message: SipRequest | SipResponse, retransmission: boolean): Promise<unknown>;
  /** Effects addressed to the transaction user. */
  notify(effect: TuEffect): void;
  /** The machine reached Terminated (timers are already cleared). */
  terminated(): void;
}

type RunnerEvent = { type: string };

export class TransactionRunner<S extends { readonly name: string }, E extends RunnerEvent> {
  private current: S;
  private readonly timers = new Map<TimerName, TimerHandle>();
  private readonly queue: E[] = [];
  private busy = false;
  private done = false;

  private pendingStart: Transition<S>['effects'] | null;

  constructor(
    private readonly reducer: Reducer<S, E>,
    initial: Transition<S>,
    private readonly clock: TimerApi,
    private readonly ports: RunnerPorts,
  ) {
    this.current = initial.state;
    this.pendingStart = initial.effects;
  }

  /** Perform the initial effects (kept out of the constructor so the owner is fully built first). */
  start(): void {
    const effects = this.pendingStart;
    if (effects === null) return;
    this.pendingStart = null;
    this.busy = true;
    try {
      this.perform(effects);
    } finally {
      this.busy = false;
    }
    this.drain();
  }

  get state(): S {
    return this.current;
  }

  get terminated(): boolean {
    return this.done;
  }

  /** Timers currently armed (for tests and diagnostics). */
  armedTimers(): TimerName[] {
    return [...this.timers.keys()];
  }

  dispatch(event: E): void {
    if (this.done) return;
    this.queue.push(event);
    if (!this.busy && this.pendingStart === null) this.drain();
  }

  /** Stop without notifying anyone (stack shutdown): clears every timer. */
  dispose(): void {
    this.done = true;
    this.queue.length = 0;
    this.clearTimers();
  }

  private drain(): void {
    this.busy = true;
    try {
      let event = this.queue.shift();
      while (event !== undefined && !this.done) {
        const { state, effects } = this.reducer(this.current, event);
        this.current = state;
        this.perform(effects);
        event = this.queue.shift();
      }
    } finally {
      this.busy = false;
    }
  }

  private perform(effects: Transition<S>['effects']): void {
    for (const effect of effects) {
      switch (effect.type) {
        case 'send':
          this.send(effect.message, effect.retransmission);
          break;
        case 'arm-timer':
          this.arm(effect.timer, effect.ms);
          break;
        case 'cancel-timer':
          this.cancel(effect.timer);
          break;
        case 'to-tu-response':
        case 'to-tu-request':
        case 'to-tu-failure':
        case 'send-cancel':
          this.ports.notify(effect);
          break;
        case 'terminate':
          this.done = true;
          this.queue.length = 0;
          this.clearTimers();
          this.ports.terminated();
          break;
        default: {
          const never: never = effect;
          throw new Error(`unknown effect ${JSON.stringify(never)}`);
        }
      }
    }
  }

  private send(message: SipRequest | SipResponse, retransmission: boolean): void {
    let sent: Promise<unknown>;
    try {
      sent = this.ports.send(message, retransmission);
    } catch (error) {
      sent = Promise.reject(error);
    }
    sent.catch((error: unknown) => this.dispatch({ type: 'transport-error', error } as unknown as E));
  }

  private arm(timer: TimerName, ms: number): void {
    this.cancel(timer);
    const handle = this.clock.setTimeout(() => {
      this.timers.delete(timer);
      this.dispatch({ type: 'timer', timer } as unknown as E);
    }, ms);
    this.timers.set(timer, handle);
  }

  private cancel(timer: TimerName): void {
    const handle = this.timers.get(timer);
    if (handle === undefined) return;
    this.clock.clearTimeout(handle);
    this.timers.delete(timer);
  }

  private clearTimers(): void {
    for (const handle of this.timers.values()) this.clock.clearTimeout(handle);
    this.timers.clear();
  }
}
