/**
 * INVITE server transaction, RFC 3261 §17.2.1 with the RFC 6026 `Accepted` state, as a pure
 * reducer. One function per state, exhaustive switches.
 *
 * 100 Trying: the request is handed to the TU synchronously; when the TU has not answered by the
 * time that call returns, the runner feeds `tu-deferred` and the transaction sends 100 Trying at
 * once (same tick). A TU that answers synchronously therefore suppresses the 100, which is the
 * "knows that the TU will generate a provisional or final response within 200 ms" case of §17.2.1;
 * any TU that answers later gets the 100 first.
 */
import type { SipRequest, SipResponse } from '../message/sip-message.js';
import { createResponse } from './create-response.js';
import type { TimerValues } from './timer-values.js';
import {
  arm,
  assertNever,
  cancel,
  send,
  terminate,
  timeoutFailure,
  transportFailure,
  type InviteServerEvent,
  type TransactionEffect,
  type Transition,
} from './transaction-types.js';

export type InviteServerStateName = 'Proceeding' | 'Completed' | 'Confirmed' | 'Accepted' | 'Terminated';

export interface InviteServerState {
  readonly name: InviteServerStateName;
  readonly request: SipRequest;
  readonly timers: TimerValues;
  /** Most recent provisional response sent (re-sent on INVITE retransmissions in Proceeding). */
  readonly provisional: SipResponse | null;
  /** The final response (re-sent on retransmissions and Timer G in Completed). */
  readonly final: SipResponse | null;
  /** Current Timer G interval; null on reliable transports. */
  readonly intervalG: number | null;
}

/**
 * §17.2.1: "When a server transaction is constructed for a request, it enters the "Proceeding"
 * state ... The request MUST be passed to the TU."
 */
export function startInviteServer(request: SipRequest, timers: TimerValues): Transition<InviteServerState> {
  const state: InviteServerState = { name: 'Proceeding', request, timers, provisional: null, final: null, intervalG: timers.G };
  return { state, effects: [{ type: 'to-tu-request', request }] };
}

export function inviteServerReducer(state: InviteServerState, event: InviteServerEvent): Transition<InviteServerState> {
  switch (state.name) {
    case 'Proceeding':
      return proceeding(state, event);
    case 'Completed':
      return completed(state, event);
    case 'Confirmed':
      return confirmed(state, event);
    case 'Accepted':
      return accepted(state, event);
    case 'Terminated':
      return { state, effects: [] };
    default:
      return assertNever(state.name);
  }
}

const fail = (state: InviteServerState, error: unknown): Transition<InviteServerState> => ({
  state: { ...state, name: 'Terminated' },
  effects: [{ type: 'to-tu-failure', failure: transportFailure(error) }, terminate()],
});

function proceeding(state: InviteServerState, event: InviteServerEvent): Transition<InviteServerState> {
  switch (event.type) {
    case 'request':
      // §17.2.1: "If a request retransmission is received while in the "Proceeding" state, the
      // most recent provisional response that was received from the TU MUST be passed to the
      // transport layer for retransmission." Before any provisional exists it is absorbed.
      if (event.request.method === 'INVITE' && state.provisional !== null) return { state, effects: [send(state.provisional, true)] };
      return { state, effects: [] };
    case 'tu-deferred': {
      // §17.2.1: "The server transaction MUST generate a 100 (Trying) response unless it knows
      // that the TU will generate a provisional or final response within 200 ms". The 100 gets
      // no To tag: "the insertion of tags in the To header field ... is downgraded from MAY to
      // SHOULD NOT".
      if (state.provisional !== null) return { state, effects: [] };
      const trying = createResponse(state.request, 100, 'Trying');
      return { state: { ...state, provisional: trying }, effects: [send(trying)] };
    }
    case 'tu-response': {
      const { response } = event;
      if (response.status < 200) {
        // §17.2.1: "So long as the server transaction is in the "Proceeding" state, each of these
        // MUST be passed to the transport layer for transmission."
        return { state: { ...state, provisional: response }, effects: [send(response)] };
      }
      if (response.status < 300) {
        // RFC 6026 (updating §17.2.1): "If, while in the "Proceeding" state, the TU passes a 2xx response to
        // the server transaction, the server transaction MUST pass this response to the transport
        // layer for transmission ... The server transaction MUST then transition to the
        // "Accepted" state." §8.7: "Timer L ... set to fire in 64*T1 for all transports".
        // Accepted never re-sends anything by itself (2xx retransmissions come from the TU), so
        // neither response is kept for the 64×T1 this state lasts.
        return { state: { ...state, name: 'Accepted', provisional: null, final: null }, effects: [send(response), arm('L', state.timers.L)] };
      }
      // §17.2.1: "While in the "Proceeding" state, if the TU passes a response with status code
      // from 300 to 699 to the server transaction, the response MUST be passed to the transport
      // layer for transmission, and the state machine MUST enter the "Completed" state. For
      // unreliable transports, timer G is set to fire in T1 seconds, and is not set to fire for
      // reliable transports ... When the "Completed" state is entered, timer H MUST be set to
      // fire in 64*T1 seconds for all transports."
      const effects: TransactionEffect[] = [send(response)];
      if (state.timers.G !== null) effects.push(arm('G', state.timers.G));
      effects.push(arm('H', state.timers.H));
      return { state: { ...state, name: 'Completed', provisional: null, final: response, intervalG: state.timers.G }, effects };
    }
    case 'timer':
      return { state, effects: [] };
    case 'transport-error':
      // Figure 7: "Transport Err. Inform TU" from Proceeding to Terminated (§17.2.4).
      return fail(state, event.error);
    default:
      return assertNever(event);
  }
}

function completed(state: InviteServerState, event: InviteServerEvent): Transition<InviteServerState> {
  switch (event.type) {
    case 'request':
      if (event.request.method === 'ACK') {
        // §17.2.1: "If an ACK is received while the server transaction is in the "Completed"
        // state, the server transaction MUST transition to the "Confirmed" state. As Timer G is
        // ignored in this state, any retransmissions of the response will cease." "When this
        // state is entered, timer I is set to fire in T4 seconds for unreliable transports, and
        // zero seconds for reliable transports."
        const effects: TransactionEffect[] = [cancel('G'), cancel('H')];
        if (state.timers.I === 0) return { state: { ...state, name: 'Terminated' }, effects: [...effects, terminate()] };
        // Confirmed only absorbs ACKs: the final response is no longer needed.
        return { state: { ...state, name: 'Confirmed', final: null }, effects: [...effects, arm('I', state.timers.I)] };
      }
      // §17.2.1: "while in the "Completed" state, if a request retransmission is received, the
      // server SHOULD pass the response to the transport for retransmission."
      return state.final === null ? { state, effects: [] } : { state, effects: [send(state.final, true)] };
    case 'tu-deferred':
    case 'tu-response':
      // The final response has been sent; anything else from the TU is discarded.
      return { state, effects: [] };
    case 'timer':
      if (event.timer === 'G' && state.intervalG !== null && state.final !== null) {
        // §17.2.1: "If timer G fires, the response is passed to the transport layer once more
        // for retransmission, and timer G is set to fire in MIN(2*T1, T2) seconds. From then on,
        // when timer G fires, the response is passed to the transport again for transmission,
        // and timer G is reset with a value that doubles, unless that value exceeds T2".
        const next = Math.min(state.intervalG * 2, state.timers.t2);
        return { state: { ...state, intervalG: next }, effects: [send(state.final, true), arm('G', next)] };
      }
      if (event.timer === 'H') {
        // §17.2.1: "If timer H fires while in the "Completed" state, it implies that the ACK was
        // never received. In this case, the server transaction MUST transition to the
        // "Terminated" state, and MUST indicate to the TU that a transaction failure has occurred."
        return { state: { ...state, name: 'Terminated' }, effects: [{ type: 'to-tu-failure', failure: timeoutFailure('H') }, terminate()] };
      }
      return { state, effects: [] };
    case 'transport-error':
      // Figure 7: "Timer H fires or Transport Err. Inform TU" from Completed to Terminated.
      return fail(state, event.error);
    default:
      return assertNever(event);
  }
}

function confirmed(state: InviteServerState, event: InviteServerEvent): Transition<InviteServerState> {
  switch (event.type) {
    case 'request':
      // §17.2.1: "The purpose of the "Confirmed" state is to absorb any additional ACK messages
      // that arrive, triggered from retransmissions of the final response."
      return { state, effects: [] };
    case 'tu-deferred':
    case 'tu-response':
    case 'transport-error':
      return { state, effects: [] };
    case 'timer':
      // §17.2.1: "Once timer I fires, the server MUST transition to the "Terminated" state."
      if (event.timer === 'I') return { state: { ...state, name: 'Terminated' }, effects: [terminate()] };
      return { state, effects: [] };
    default:
      return assertNever(event);
  }
}

function accepted(state: InviteServerState, event: InviteServerEvent): Transition<InviteServerState> {
  switch (event.type) {
    case 'request':
      // RFC 6026 (updating §17.2.1): "The purpose of the "Accepted" state is to absorb retransmissions of an
      // accepted INVITE request. Any such retransmissions are absorbed entirely within the server
      // transaction." An ACK matching here (RFC 2543 peer reusing the INVITE's branch) is the TU's: "ACK / to TU".
      if (event.request.method === 'ACK') return { state, effects: [{ type: 'to-tu-request', request: event.request }] };
      return { state, effects: [] };
    case 'tu-response':
      // RFC 6026 (updating §17.2.1): "While in the "Accepted" state, any retransmissions of the 2xx response
      // passed from the TU to the server transaction MUST be passed to the transport layer for
      // transmission."
      if (event.response.status >= 200 && event.response.status < 300) return { state, effects: [send(event.response, true)] };
      return { state, effects: [] };
    case 'tu-deferred':
      return { state, effects: [] };
    case 'timer':
      // RFC 6026 (updating §17.2.1): "If Timer L fires while the INVITE server transaction is in the "Accepted"
      // state, the transaction MUST transition to the "Terminated" state."
      if (event.timer === 'L') return { state: { ...state, name: 'Terminated' }, effects: [terminate()] };
      return { state, effects: [] };
    case 'transport-error':
      // RFC 6026: in Accepted the 2xx (and its retransmissions) belong to the TU, so a failure to
      // send one is reported to the TU, which decides about the dialog; the transaction stays to
      // keep absorbing INVITE retransmissions until Timer L.
      return { state, effects: [{ type: 'to-tu-failure', failure: transportFailure(event.error) }] };
    default:
      return assertNever(event);
  }
}
