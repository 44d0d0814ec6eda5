/**
 * Non-INVITE server transaction, RFC 3261 §17.2.2, as a pure reducer. One function per state.
 */
import type { SipRequest, SipResponse } from '../message/sip-message.js';
import type { TimerValues } from './timer-values.js';
import {
  arm,
  assertNever,
  send,
  terminate,
  transportFailure,
  type NonInviteServerEvent,
  type TransactionEffect,
  type Transition,
} from './transaction-types.js';

export type NonInviteServerStateName = 'Trying' | 'Proceeding' | 'Completed' | 'Terminated';

export interface NonInviteServerState {
  readonly name: NonInviteServerStateName;
  readonly request: SipRequest;
  readonly timers: TimerValues;
  readonly provisional: SipResponse | null;
  readonly final: SipResponse | null;
}

/**
 * §17.2.2: "The state machine is initialized in the "Trying" state and is passed a request other
 * than INVITE or ACK when initialized. This request is passed up to the TU."
 */
export function startNonInviteServer(request: SipRequest, timers: TimerValues): Transition<NonInviteServerState> {
  return { state: { name: 'Trying', request, timers, provisional: null, final: null }, effects: [{ type: 'to-tu-request', request }] };
}

export function nonInviteServerReducer(state: NonInviteServerState, event: NonInviteServerEvent): Transition<NonInviteServerState> {
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

/** A final response from the TU, from Trying or Proceeding (§17.2.2). */
function sendFinal(state: NonInviteServerState, response: SipResponse): Transition<NonInviteServerState> {
  // §17.2.2: "If the TU passes a final response (status codes 200-699) to the server while in the
  // "Proceeding" [or "Trying"] state, the transaction MUST enter the "Completed" state, and the
  // response MUST be passed to the transport layer for transmission." "When the server
  // transaction enters the "Completed" state, it MUST set Timer J to fire in 64*T1 seconds for
  // unreliable transports, and zero seconds for reliable transports."
  if (state.timers.J === 0) return { state: { ...state, name: 'Terminated', final: response }, effects: [send(response), terminate()] };
  return { state: { ...state, name: 'Completed', final: response }, effects: [send(response), arm('J', state.timers.J)] };
}

function tryingOrProceeding(state: NonInviteServerState, event: NonInviteServerEvent): Transition<NonInviteServerState> {
  switch (event.type) {
    case 'request':
      // Trying — §17.2.2: "Once in the "Trying" state, any further request retransmissions are
      // discarded." Proceeding — "If a retransmission of the request is received while in the
      // "Proceeding" state, the most recently sent provisional response MUST be passed to the
      // transport layer for retransmission."
      if (state.name === 'Proceeding' && state.provisional !== null) return { state, effects: [send(state.provisional, true)] };
      return { state, effects: [] };
    case 'tu-response':
      if (event.response.status < 200) {
        // §17.2.2: "While in the "Trying" state, if the TU passes a provisional response to the
        // server transaction, the server transaction MUST enter the "Proceeding" state. The
        // response MUST be passed to the transport layer for transmission. Any further
        // provisional responses that are received from the TU while in the "Proceeding" state
        // MUST be passed to the transport layer for transmission."
        return { state: { ...state, name: 'Proceeding', provisional: event.response }, effects: [send(event.response)] };
      }
      return sendFinal(state, event.response);
    case 'timer':
      return { state, effects: [] };
    case 'transport-error':
      // Figure 8 / §17.2.4: a failure to send a response → "inform the TU ... and transition to
      // the terminated state". Nothing is sent in Trying, so there a late error is dropped.
      if (state.name === 'Trying') return { state, effects: [] };
      return { state: { ...state, name: 'Terminated' }, effects: [{ type: 'to-tu-failure', failure: transportFailure(event.error) }, terminate()] };
    default:
      return assertNever(event);
  }
}

function completed(state: NonInviteServerState, event: NonInviteServerEvent): Transition<NonInviteServerState> {
  switch (event.type) {
    case 'request':
      // §17.2.2: "While in the "Completed" state, the server transaction MUST pass the final
      // response to the transport layer for retransmission whenever a retransmission of the
      // request is received."
      return state.final === null ? { state, effects: [] } : { state, effects: [send(state.final, true)] };
    case 'tu-response':
      // §17.2.2: "Any other final responses passed by the TU to the server transaction MUST be
      // discarded while in the "Completed" state."
      return { state, effects: [] };
    case 'timer':
      // §17.2.2: "The server transaction remains in this state until Timer J fires, at which
      // point it MUST transition to the "Terminated" state."
      if (event.timer === 'J') return { state: { ...state, name: 'Terminated' }, effects: [terminate()] };
      return { state, effects: [] };
    case 'transport-error':
      // §17.2.4: the retransmitted final response could not be sent: inform the TU, terminate.
      return { state: { ...state, name: 'Terminated' }, effects: [{ type: 'to-tu-failure', failure: transportFailure(event.error) }, terminate()] };
    default:
      return assertNever(event);
  }
}
