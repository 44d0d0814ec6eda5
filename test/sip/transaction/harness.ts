/**
 * Runs a reducer inside the real TransactionRunner on a FakeClock and records what it does.
 */
import type { SipRequest, SipResponse } from '../../../src/sip/message/sip-message.js';
import { TransactionRunner, type TuEffect } from '../../../src/sip/transaction/transaction-runner.js';
import type { Reducer, Transition } from '../../../src/sip/transaction/transaction-types.js';
import { FakeClock } from './fake-clock.js';

export interface Sent {
  message: SipRequest | SipResponse;
  retransmission: boolean;
  at: number;
}

export function harness<S extends { readonly name: string }, E extends { type: string }>(reducer: Reducer<S, E>, initial: Transition<S>) {
  const clock = new FakeClock();
  const sent: Sent[] = [];
  const tu: TuEffect[] = [];
  const control = { failSends: false, terminatedAt: null as number | null };
  const runner = new TransactionRunner(reducer, initial, clock, {
    send: (message, retransmission) => {
      sent.push({ message, retransmission, at: clock.now });
      return control.failSends ? Promise.reject(new Error('ECONNREFUSED')) : Promise.resolve();
    },
    notify: (effect) => tu.push(effect),
    terminated: () => {
      control.terminatedAt = clock.now;
    },
  });
  runner.start();
  return {
    clock,
    sent,
    tu,
    control,
    runner,
    get state(): S {
      return runner.state;
    },
    dispatch: (event: E) => runner.dispatch(event),
    /** Send times of retransmissions. */
    retransmissionTimes: () => sent.filter((s) => s.retransmission).map((s) => s.at),
    /** Statuses / methods of what was sent. */
    sentSummary: () => sent.map((s) => (s.message.kind === 'request' ? s.message.method : s.message.status)),
    tuSummary: () =>
      tu.map((e) =>
        e.type === 'to-tu-response' ? e.response.status : e.type === 'to-tu-request' ? e.request.method : e.type === 'to-tu-failure' ? `failure:${e.failure.status}` : e.type,
      ),
  };
}

/** Let rejected sends turn into transport-error events. */
export async function flushPromises(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}
