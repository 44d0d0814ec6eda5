/**
 * Inputs and outputs of the four transaction reducers. Timers are inputs like messages
 * (sipgo style); the reducers never touch a clock, a socket or a callback, they only return
 * effects that a runner performs.
 */
import type { SipRequest, SipResponse } from '../message/sip-message.js';
import type { TimerName, TimerValues } from './timer-values.js';

export type { TimerName } from './timer-values.js';

/** Why a transaction failed, mapped to the status the TU must act on (RFC 3261 §8.1.3.1). */
export const TRANSACTION_ERROR_CODES = {
  /** Timer B, F or H fired: "treated as a 408 (Request Timeout) status code". */
  TXN_ERR_TIMEOUT: { status: 408, reason: 'Request Timeout' },
  /** "a fatal transport error ... MUST be treated as a 503 (Service Unavailable) status code". */
  TXN_ERR_TRANSPORT: { status: 503, reason: 'Service Unavailable' },
} as const;

export type TransactionErrorCode = keyof typeof TRANSACTION_ERROR_CODES;

export interface TransactionFailure {
  code: TransactionErrorCode;
  status: 408 | 503;
  reason: string;
  /** Which timer fired (timeouts), or the transport's error (transport failures). */
  timer?: TimerName;
  error?: unknown;
}

export function timeoutFailure(timer: TimerName): TransactionFailure {
  return { code: 'TXN_ERR_TIMEOUT', status: 408, reason: TRANSACTION_ERROR_CODES.TXN_ERR_TIMEOUT.reason, timer };
}

export function transportFailure(error: unknown): TransactionFailure {
  return { code: 'TXN_ERR_TRANSPORT', status: 503, reason: TRANSACTION_ERROR_CODES.TXN_ERR_TRANSPORT.reason, error };
}

// ----- events (inputs) -----

export interface TimerFired {
  type: 'timer';
  timer: TimerName;
}

export interface TransportErrorEvent {
  type: 'transport-error';
  error: unknown;
}

/** Client side: a response matched this transaction (§17.1.3). */
export interface ResponseReceived {
  type: 'response';
  response: SipResponse;
}

/**
 * Client side: the transport sent the request over a reliable transport although an unreliable one
 * was asked for (RFC 3261 §18.1.1: a request over MTU − 200 bytes moves from UDP to TCP). `request`
 * is the copy actually sent (its top Via names TCP), `timers` those of a reliable transport.
 */
export interface TransportSwitched {
  type: 'transport-switched';
  request: SipRequest;
  timers: TimerValues;
}

/** INVITE client: the TU wants the INVITE cancelled (RFC 3261 §9.1). */
export interface TuCancel {
  type: 'tu-cancel';
}

/** Server side: a request matched this transaction (§17.2.3): a retransmission or an ACK. */
export interface RequestReceived {
  type: 'request';
  request: SipRequest;
}

/** Server side: the TU passes a response down. */
export interface TuResponse {
  type: 'tu-response';
  response: SipResponse;
}

/**
 * INVITE server: the TU did not answer while it was handed the request (same tick), so the
 * transaction owes the 100 Trying of §17.2.1 now.
 */
export interface TuDeferred {
  type: 'tu-deferred';
}

export type InviteClientEvent = ResponseReceived | TimerFired | TransportErrorEvent | TuCancel | TransportSwitched;
export type NonInviteClientEvent = ResponseReceived | TimerFired | TransportErrorEvent | TransportSwitched;
export type InviteServerEvent = RequestReceived | TuResponse | TuDeferred | TimerFired | TransportErrorEvent;
export type NonInviteServerEvent = RequestReceived | TuResponse | TimerFired | TransportErrorEvent;
export type TransactionEvent = InviteClientEvent | InviteServerEvent;

// ----- effects (outputs) -----

/** Pass a message to the transport: the request (client) or a response (server). */
export interface SendEffect {
  type: 'send';
  message: SipRequest | SipResponse;
  /** True when this is a retransmission of something already sent (for counters and logs). */
  retransmission: boolean;
}

export interface ArmTimerEffect {
  type: 'arm-timer';
  timer: TimerName;
  ms: number;
}

export interface CancelTimerEffect {
  type: 'cancel-timer';
  timer: TimerName;
}

/** Pass a response up to the TU (client side). */
export interface TuResponseEffect {
  type: 'to-tu-response';
  response: SipResponse;
}

/** Pass a request up to the TU (server side: the initial request, or an ACK in Accepted). */
export interface TuRequestEffect {
  type: 'to-tu-request';
  request: SipRequest;
}

/** Tell the TU the transaction failed: timeout (408) or transport error (503). */
export interface TuFailureEffect {
  type: 'to-tu-failure';
  failure: TransactionFailure;
}

/** INVITE client: send a CANCEL for this INVITE now (a provisional response has arrived, §9.1). */
export interface SendCancelEffect {
  type: 'send-cancel';
}

export interface TerminateEffect {
  type: 'terminate';
}

export type TransactionEffect =
  | SendEffect
  | ArmTimerEffect
  | CancelTimerEffect
  | TuResponseEffect
  | TuRequestEffect
  | TuFailureEffect
  | SendCancelEffect
  | TerminateEffect;

export interface Transition<S> {
  state: S;
  effects: TransactionEffect[];
}

export type Reducer<S, E> = (state: S, event: E) => Transition<S>;

export function assertNever(value: never): never {
  throw new Error(`unhandled variant: ${JSON.stringify(value)}`);
}

/** Effects shared by every reducer. */
export const send = (message: SipRequest | SipResponse, retransmission = false): SendEffect => ({ type: 'send', message, retransmission });
export const arm = (timer: TimerName, ms: number): ArmTimerEffect => ({ type: 'arm-timer', timer, ms });
export const cancel = (timer: TimerName): CancelTimerEffect => ({ type: 'cancel-timer', timer });
export const terminate = (): TerminateEffect => ({ type: 'terminate' });
