/**
 * INVITE client transaction, RFC 3261 §17.1.1 with the RFC 6026 `Accepted` state, as a pure
 * reducer: (state, event) → { state, effects }. One function per state, exhaustive switches.
 */
import type { SipRequest, SipResponse } from '../message/sip-message.js';
import { createNon2xxAck } from './create-non2xx-ack.js';
import type { TimerValues } from './timer-values.js';
import {
  arm,
  assertNever,
  cancel,
  send,
  terminate,
  timeoutFailure,
  transportFailure,
  type InviteClientEvent,
  type TransactionEffect,
  type TransportSwitched,
  type Transition,
} from './transaction-types.js';

export type InviteClientStateName = 'Calling' | 'Proceeding' | 'Completed' | 'Accepted' | 'Terminated';

export interface InviteClientState {
  readonly name: InviteClientStateName;
  readonly request: SipRequest;
  readonly timers: TimerValues;
  /** Current Timer A interval (doubles on every firing); null when A is not used. */
  readonly intervalA: number | null;
  /** The ACK sent for the non-2xx final response, re-sent on its retransmissions. */
  readonly ack: SipRequest | null;
  /** The TU asked for a CANCEL before any provisional response arrived (§9.1: wait for one). */
  readonly cancelPending: boolean;
  readonly cancelSent: boolean;
}

const toTu = (response: SipResponse): TransactionEffect => ({ type: 'to-tu-response', response });

/**
 * §17.1.1.2: "The initial state, "calling", MUST be entered when the TU initiates a new client
 * transaction with an INVITE request. The client transaction MUST pass the request to the
 * transport layer for transmission. If an unreliable transport is being used, the client
 * transaction MUST start timer A with a value of T1 ... For any transport, the client transaction
 * MUST start timer B with a value of 64*T1 seconds."
 */
export function startInviteClient(request: SipRequest, timers: TimerValues): Transition<InviteClientState> {
  const state: InviteClientState = { name: 'Calling', request, timers, intervalA: timers.A, ack: null, cancelPending: false, cancelSent: false };
  const effects: TransactionEffect[] = [send(request)];
  if (timers.A !== null) effects.push(arm('A', timers.A));
  effects.push(arm('B', timers.B));
  return { state, effects };
}

type StateEvent = Exclude<InviteClientEvent, TransportSwitched>;

export function inviteClientReducer(state: InviteClientState, event: InviteClientEvent): Transition<InviteClientState> {
  if (event.type === 'transport-switched') return switchedToReliable(state, event);
  switch (state.name) {
    case 'Calling':
      return calling(state, event);
    case 'Proceeding':
      return proceeding(state, event);
    case 'Completed':
      return completed(state, event);
    case 'Accepted':
      return accepted(state, event);
    case 'Terminated':
      // Nothing reaches a terminated transaction; late events (stale timers) are dropped.
      return { state, effects: [] };
    default:
      return assertNever(state.name);
  }
}

/**
 * The request went over TCP instead of UDP (§18.1.1). §17.1.1.2: timer A is started "if an
 * unreliable transport is being used" only, so it stops; timer D becomes zero; and the ACK for a
 * non-2xx (§17.1.1.3: "equal to the top Via header field of the original request") and a CANCEL
 * (§9.1) are built from the request as actually sent, whose top Via names TCP.
 */
function switchedToReliable(state: InviteClientState, event: TransportSwitched): Transition<InviteClientState> {
  if (state.name === 'Terminated') return { state, effects: [] };
  const effects: TransactionEffect[] = state.intervalA !== null ? [cancel('A')] : [];
  return { state: { ...state, request: event.request, timers: event.timers, intervalA: null }, effects };
}

/** Responses are handled the same way in Calling and Proceeding (§17.1.1.2). */
function onResponse(state: InviteClientState, response: SipResponse): Transition<InviteClientState> {
  const stopTimers = [cancel('A'), cancel('B')];
  if (response.status < 200) {
    // §17.1.1.2: "If the client transaction receives a provisional response while in the "Calling"
    // state, it transitions to the "Proceeding" state ... Furthermore, the provisional response
    // MUST be passed to the TU." Timer A stops (retransmissions cease) and B only guards Calling.
    const effects: TransactionEffect[] = state.name === 'Calling' ? [...stopTimers, toTu(response)] : [toTu(response)];
    if (state.cancelPending && !state.cancelSent) {
      // §9.1: "the client MUST wait for the arrival of a provisional response before sending the
      // request"; B is re-armed as the "64*T1" guard for a final response after the CANCEL.
      effects.push({ type: 'send-cancel' }, arm('B', state.timers.B));
      return { state: { ...state, name: 'Proceeding', cancelSent: true }, effects };
    }
    return { state: { ...state, name: 'Proceeding' }, effects };
  }
  if (response.status < 300) {
    // RFC 6026 (updating §17.1.1.2): "If a 2xx response is received while the client INVITE state machine is in
    // the "Calling" or "Proceeding" states, it MUST transition to the "Accepted" state, pass the
    // 2xx response to the TU, and set Timer M, reset to 64*T1 for all transports."
    return { state: { ...state, name: 'Accepted' }, effects: [...stopTimers, toTu(response), arm('M', state.timers.M)] };
  }
  // §17.1.1.2: "reception of a response with status code from 300-699 MUST cause the client
  // transaction to transition to "Completed". The client transaction MUST pass the received
  // response up to the TU, and the client transaction MUST generate an ACK request, even if the
  // transport is reliable".
  const ack = createNon2xxAck(state.request, response);
  const effects: TransactionEffect[] = [...stopTimers, send(ack), toTu(response)];
  // §17.1.1.2: "The client transaction SHOULD start timer D when it enters the "Completed" state,
  // with a value of at least 32 seconds for unreliable transports, and ... zero seconds for
  // reliable transports."
  if (state.timers.D === 0) return { state: { ...state, name: 'Terminated', ack }, effects: [...effects, terminate()] };
  return { state: { ...state, name: 'Completed', ack }, effects: [...effects, arm('D', state.timers.D)] };
}

function calling(state: InviteClientState, event: StateEvent): Transition<InviteClientState> {
  switch (event.type) {
    case 'response':
      return onResponse(state, event.response);
    case 'timer':
      if (event.timer === 'A' && state.intervalA !== null) {
        // §17.1.1.2: "When timer A fires, the client transaction MUST retransmit the request by
        // passing it to the transport layer, and MUST reset the timer with a value of 2*T1."
        const next = state.intervalA * 2;
        return { state: { ...state, intervalA: next }, effects: [send(state.request, true), arm('A', next)] };
      }
      if (event.timer === 'B') {
        // §17.1.1.2: "If the client transaction is still in the "Calling" state when timer B
        // fires, the client transaction SHOULD inform the TU that a timeout has occurred."
        return { state: { ...state, name: 'Terminated' }, effects: [{ type: 'to-tu-failure', failure: timeoutFailure('B') }, terminate()] };
      }
      return { state, effects: [] };
    case 'transport-error':
      // §17.1.4 / Figure 5: "Transport Err. inform TU" from Calling to Terminated.
      return { state: { ...state, name: 'Terminated' }, effects: [{ type: 'to-tu-failure', failure: transportFailure(event.error) }, terminate()] };
    case 'tu-cancel':
      // §9.1: "If no provisional response has been received, the CANCEL request MUST NOT be sent;
      // rather, the client MUST wait for the arrival of a provisional response".
      return { state: { ...state, cancelPending: true }, effects: [] };
    default:
      return assertNever(event);
  }
}

function proceeding(state: InviteClientState, event: StateEvent): Transition<InviteClientState> {
  switch (event.type) {
    case 'response':
      return onResponse(state, event.response);
    case 'timer':
      if (event.timer === 'B' && state.cancelSent) {
        // §9.1: "If there is no final response for the original request in 64*T1 seconds ... the
        // client SHOULD then consider the original transaction cancelled and SHOULD destroy the
        // client transaction handling the original request."
        return { state: { ...state, name: 'Terminated' }, effects: [{ type: 'to-tu-failure', failure: timeoutFailure('B') }, terminate()] };
      }
      return { state, effects: [] };
    case 'transport-error':
      // Figure 5 has no transport error out of Proceeding: nothing is sent in this state, so the
      // error belongs to an earlier send that has already been answered. Dropped.
      return { state, effects: [] };
    case 'tu-cancel':
      if (state.cancelSent) return { state, effects: [] };
      // §9.1: a provisional response has arrived, so the CANCEL may be sent now; B guards 64*T1.
      return { state: { ...state, cancelPending: true, cancelSent: true }, effects: [{ type: 'send-cancel' }, arm('B', state.timers.B)] };
    default:
      return assertNever(event);
  }
}

function completed(state: InviteClientState, event: StateEvent): Transition<InviteClientState> {
  switch (event.type) {
    case 'response':
      // §17.1.1.2: "Any retransmissions of the final response that are received while in the
      // "Completed" state MUST cause the ACK to be re-passed to the transport layer for
      // retransmission, but the newly received response MUST NOT be passed up to the TU."
      if (event.response.status >= 300 && state.ack !== null) return { state, effects: [send(state.ack, true)] };
      return { state, effects: [] };
    case 'timer':
      // §17.1.1.2: "If timer D fires while the client transaction is in the "Completed" state, the
      // client transaction MUST move to the terminated state."
      if (event.timer === 'D') return { state: { ...state, name: 'Terminated' }, effects: [terminate()] };
      return { state, effects: [] };
    case 'transport-error':
      // Figure 5: "Transport Err. Inform TU" from Completed to Terminated (the ACK could not be sent).
      return { state: { ...state, name: 'Terminated' }, effects: [{ type: 'to-tu-failure', failure: transportFailure(event.error) }, terminate()] };
    case 'tu-cancel':
      // §9.1: a final response has been received; there is nothing left to cancel.
      return { state, effects: [] };
    default:
      return assertNever(event);
  }
}

function accepted(state: InviteClientState, event: StateEvent): Transition<InviteClientState> {
  switch (event.type) {
    case 'response':
      // RFC 6026 (updating §17.1.1.2): "Any 2xx responses that match this client transaction and that are
      // received while in the "Accepted" state MUST be passed up to the TU. The client
      // transaction MUST NOT generate an ACK to the 2xx response" (the TU does, §13.2.2.4).
      if (event.response.status >= 200 && event.response.status < 300) return { state, effects: [toTu(event.response)] };
      return { state, effects: [] };
    case 'timer':
      // RFC 6026 (updating §17.1.1.2): "If Timer M fires while the client INVITE transaction is in the
      // "Accepted" state, the client transaction MUST move to the "Terminated" state."
      if (event.timer === 'M') return { state: { ...state, name: 'Terminated' }, effects: [terminate()] };
      return { state, effects: [] };
    case 'transport-error':
      // The transaction sends nothing in Accepted (ACKs for 2xx belong to the TU).
      return { state, effects: [] };
    case 'tu-cancel':
      // §9.1: the INVITE was answered with a 2xx; CANCEL has no effect.
      return { state, effects: [] };
    default:
      return assertNever(event);
  }
}
