/**
 * A retransmission schedule as a pure reducer: resend at T1, doubling each time (optionally
 * capped), until acknowledged or the give-up timer fires. Used for 2xx to INVITE until the ACK
 * (RFC 3261 §13.3.1.4) and for reliable provisionals until the PRACK (RFC 3262 §3).
 * Timers are inputs; the runner arms them and feeds them back.
 */

export interface RetransmitSettings {
  /** First interval (T1). */
  initial: number;
  /** Interval cap (T2 for 2xx), or null for "doubles without limit". */
  cap: number | null;
  /** Give up after this long (64×T1). */
  giveUpAfter: number;
  /** False on reliable transports: no resending, only the give-up timer (§13.3.1.4 still applies). */
  resend: boolean;
}

export type RetransmitPhase = 'idle' | 'waiting' | 'acknowledged' | 'timed-out';

export interface RetransmitState {
  readonly phase: RetransmitPhase;
  /** Interval of the next resend timer. */
  readonly interval: number;
  /** How many times the message has been sent (first send included). */
  readonly sends: number;
}

export type RetransmitEvent = { type: 'start' } | { type: 'resend-timer' } | { type: 'give-up-timer' } | { type: 'acknowledged' };

export type RetransmitEffect =
  | { type: 'send' }
  | { type: 'arm'; timer: 'resend' | 'give-up'; ms: number }
  | { type: 'cancel'; timer: 'resend' | 'give-up' }
  | { type: 'timed-out' };

export interface RetransmitTransition {
  state: RetransmitState;
  effects: RetransmitEffect[];
}

export const initialRetransmitState: RetransmitState = { phase: 'idle', interval: 0, sends: 0 };

export function retransmitReducer(settings: RetransmitSettings, state: RetransmitState, event: RetransmitEvent): RetransmitTransition {
  switch (event.type) {
    case 'start': {
      if (state.phase !== 'idle') return { state, effects: [] };
      const effects: RetransmitEffect[] = [{ type: 'send' }, { type: 'arm', timer: 'give-up', ms: settings.giveUpAfter }];
      if (settings.resend) effects.push({ type: 'arm', timer: 'resend', ms: settings.initial });
      return { state: { phase: 'waiting', interval: settings.initial, sends: 1 }, effects };
    }
    case 'resend-timer': {
      if (state.phase !== 'waiting' || !settings.resend) return { state, effects: [] };
      // "an interval that starts at T1 seconds and doubles for each retransmission until it reaches T2"
      const doubled = state.interval * 2;
      const next = settings.cap === null ? doubled : Math.min(doubled, settings.cap);
      return {
        state: { phase: 'waiting', interval: next, sends: state.sends + 1 },
        effects: [{ type: 'send' }, { type: 'arm', timer: 'resend', ms: next }],
      };
    }
    case 'give-up-timer': {
      if (state.phase !== 'waiting') return { state, effects: [] };
      return { state: { ...state, phase: 'timed-out' }, effects: [{ type: 'cancel', timer: 'resend' }, { type: 'timed-out' }] };
    }
    case 'acknowledged': {
      if (state.phase !== 'waiting') return { state, effects: [] };
      return {
        state: { ...state, phase: 'acknowledged' },
        effects: [
          { type: 'cancel', timer: 'resend' },
          { type: 'cancel', timer: 'give-up' },
        ],
      };
    }
  }
}

/** RFC 3261 §13.3.1.4 schedule for a 2xx to INVITE: T1 doubling to T2, give up at 64×T1. */
export function ackWaitSettings(timers: { t1: number; t2: number }, reliable: boolean): RetransmitSettings {
  return { initial: timers.t1, cap: timers.t2, giveUpAfter: 64 * timers.t1, resend: !reliable };
}

/**
 * RFC 3262 §3 schedule for a reliable provisional: "passed to the transaction layer periodically
 * with an interval that starts at T1 seconds and doubles for each retransmission", stopping
 * after 64×T1 ("If a PRACK is not received for 64*T1 seconds, the UAS SHOULD reject the
 * original request with a 5xx response").
 */
export function prackWaitSettings(timers: { t1: number }, reliable: boolean): RetransmitSettings {
  return { initial: timers.t1, cap: null, giveUpAfter: 64 * timers.t1, resend: !reliable };
}
