/**
 * Non-INVITE client transaction, RFC 3261 §17.1.2, as a pure reducer. One function per state.
 */
import type { SipRequest, SipResponse } from '../message/sip-message.js';
import type { TimerValues } from './timer-values.js';
import {
  arm,
  assertNever,
  cancel,
  send,
  terminate,
  timeoutFailure,
  transportFailure,
  type NonInviteClientEvent,
  type TransactionEffect,
  type TransportSwitched,
  type Transition,
} from './transaction-types.js';

export type NonInviteClientStateName = 'Trying' | 'Proceeding' | 'Completed' | 'Terminated';

export interface NonInviteClientState {
  readonly name: NonInviteClientStateName;
  readonly request: SipRequest;
  readonly timers: TimerValues;
  /** Current Timer E interval; null on reliable transports. */
  readonly intervalE: number | null;
}

const toTu = (response: SipResponse): TransactionEffect => ({ type: 'to-tu-response', response });

/**
 * §17.1.2.2: "The "Trying" state is entered when the TU initiates a new client transaction with
 * a request. When entering this state, the client transaction SHOULD set timer F to fire in 64*T1
 * seconds. The request MUST be passed to the transport layer for transmission. If an unreliable
 * transport is in use, the client transaction MUST set timer E to fire in T1 seconds."
 */
export function startNonInviteClient(request: SipRequest, timers: TimerValues): Transition<NonInviteClientState> {
  const effects: TransactionEffect[] = [send(request)];
  if (timers.E !== null) effects.push(arm('E', timers.E));
  effects.push(arm('F', timers.F));
  return { state: { name: 'Trying', request, timers, intervalE: timers.E }, effects };
}

type StateEvent = Exclude<NonInviteClientEvent, TransportSwitched>;

export function nonInviteClientReducer(state: NonInviteClientState, event: NonInviteClientEvent): Transition<NonInviteClientState> {
  if (event.type === 'transport-switched') return switchedToReliable(state, event);
  switch (state.name) {
    case 'Trying':
    case 'Proceeding':
      return tryingOrProceeding(state, event);
    case 'Completed':
      return completed(state, event);
    case 'Terminated':
      return { state, effects: [] };
    default:
      return assertNever(state.name);
  }
}

/**
 * The request went over TCP instead of UDP (§18.1.1). §17.1.2.2: timer E is set "if an unreliable
 * transport is in use" only, so it stops, and timer K becomes zero.
 */
function switchedToReliable(state: NonInviteClientState, event: TransportSwitched): Transition<NonInviteClientState> {
  if (state.name === 'Terminated') return { state, effects: [] };
  const effects: TransactionEffect[] = state.intervalE !== null ? [cancel('E')] : [];
  return { state: { ...state, request: event.request, timers: event.timers, intervalE: null }, effects };
}

/** Trying and Proceeding differ only in how Timer E is reset (§17.1.2.2). */
function tryingOrProceeding(state: NonInviteClientState, event: StateEvent): Transition<NonInviteClientState> {
  switch (event.type) {
    case 'response': {
      const { response } = event;
      if (response.status < 200) {
        // §17.1.2.2: "If a provisional response is received while in the "Trying" state, the
        // response MUST be passed to the TU, and then the client transaction SHOULD move to the
        // "Proceeding" state." In Proceeding: "it MUST be passed to the TU".
        return { state: { ...state, name: 'Proceeding' }, effects: [toTu(response)] };
      }
      // §17.1.2.2: "If a final response (status codes 200-699) is received while in the "Trying"
      // [or "Proceeding"] state, the response MUST be passed to the TU, and the client
      // transaction MUST transition to the "Completed" state."
      const effects: TransactionEffect[] = [cancel('E'), cancel('F'), toTu(response)];
      // "Once the client transaction enters the "Completed" state, it MUST set Timer K to fire in
      // T4 seconds for unreliable transports, and zero seconds for reliable transports."
      if (state.timers.K === 0) return { state: { ...state, name: 'Terminated' }, effects: [...effects, terminate()] };
      return { state: { ...state, name: 'Completed' }, effects: [...effects, arm('K', state.timers.K)] };
    }
    case 'timer':
      if (event.timer === 'E' && state.intervalE !== null) {
        // Trying — §17.1.2.2: "If timer E fires while still in this state, the timer is reset,
        // but this time with a value of MIN(2*T1, T2) ... MIN(4*T1, T2)" and so on.
        // Proceeding — "If Timer E fires while in the "Proceeding" state, the request MUST be
        // passed to the transport layer for retransmission, and Timer E MUST be reset with a
        // value of T2 seconds."
        const next = state.name === 'Trying' ? Math.min(state.intervalE * 2, state.timers.t2) : state.timers.t2;
        return { state: { ...state, intervalE: next }, effects: [send(state.request, true), arm('E', next)] };
      }
      if (event.timer === 'F') {
        // §17.1.2.2: "If Timer F fires while the client transaction is still in the "Trying" [or
        // "Proceeding"] state, the client transaction SHOULD inform the TU about the timeout, and
        // then it SHOULD enter the "Terminated" state."
        return { state: { ...state, name: 'Terminated' }, effects: [{ type: 'to-tu-failure', failure: timeoutFailure('F') }, terminate()] };
      }
      return { state, effects: [] };
    case 'transport-error':
      // §17.1.2.2: "If a fatal transport error occurs while the client transaction is in the
      // "Trying" [or "Proceeding"] state, the client transaction SHOULD inform the TU about the
      // transport error, and then it SHOULD enter the "Terminated" state."
      return { state: { ...state, name: 'Terminated' }, effects: [{ type: 'to-tu-failure', failure: transportFailure(event.error) }, terminate()] };
    default:
      return assertNever(event);
  }
}

function completed(state: NonInviteClientState, event: StateEvent): Transition<NonInviteClientState> {
  switch (event.type) {
    case 'response':
      // §17.1.2.2: "The "Completed" state exists to buffer any additional response
      // retransmissions that may be received" — absorbed, not passed to the TU.
      return { state, effects: [] };
    case 'timer':
      // §17.1.2.2: "If Timer K fires while in this state, the client transaction MUST transition
      // to the "Terminated" state."
      if (event.timer === 'K') return { state: { ...state, name: 'Terminated' }, effects: [terminate()] };
      return { state, effects: [] };
    case 'transport-error':
      // Nothing is sent in Completed; a late error from an earlier retransmission is dropped.
      return { state, effects: [] };
    default:
      return assertNever(event);
  }
}
