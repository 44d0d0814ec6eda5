/**
 * Public API of the transaction layer (RFC 3261 §17, RFC 6026).
 */
export { TransactionLayer } from './transaction-layer.js';
export type { RequestDisposition, TransactionLayerOptions, TransactionStats } from './transaction-layer.js';
export { ServerTransaction } from './server-transaction.js';
export type { InboundContext, ServerTransactionUser } from './server-transaction.js';
export { ClientTransaction } from './client-transaction.js';
export type { ClientTransactionUser } from './client-transaction.js';
export { TransactionRunner } from './transaction-runner.js';
export type { RunnerPorts, TuEffect } from './transaction-runner.js';
export { inviteClientReducer, startInviteClient } from './invite-client-reducer.js';
export type { InviteClientState, InviteClientStateName } from './invite-client-reducer.js';
export { nonInviteClientReducer, startNonInviteClient } from './non-invite-client-reducer.js';
export type { NonInviteClientState, NonInviteClientStateName } from './non-invite-client-reducer.js';
export { inviteServerReducer, startInviteServer } from './invite-server-reducer.js';
export type { InviteServerState, InviteServerStateName } from './invite-server-reducer.js';
export { nonInviteServerReducer, startNonInviteServer } from './non-invite-server-reducer.js';
export type { NonInviteServerState, NonInviteServerStateName } from './non-invite-server-reducer.js';
export { computeTimerValues, DEFAULT_TIMER_SETTINGS } from './timer-values.js';
export type { TimerName, TimerSettings, TimerValues } from './timer-values.js';
export { systemTimerApi } from './timer-api.js';
export type { TimerApi, TimerHandle } from './timer-api.js';
export { TRANSACTION_ERROR_CODES, timeoutFailure, transportFailure } from './transaction-types.js';
export type * from './transaction-types.js';
export { createResponse, reasonPhrase, requestToTag } from './create-response.js';
export type { ResponseOptions } from './create-response.js';
export { createNon2xxAck } from './create-non2xx-ack.js';
export { createCancel } from './create-cancel.js';
export { failureResponse } from './failure-response.js';
export {
  MAGIC_COOKIE,
  cancelTargetMatches,
  clientKeyOf,
  responseClientKey,
  serverKeyOf,
  serverMatches,
  topViaBranch,
} from './transaction-key.js';
export type { ServerMatchKey, ServerTransactionIdentity } from './transaction-key.js';
export { newBranch, newTag } from './random-ids.js';
export { silentSipLogger } from './sip-logger.js';
export type { SipLogger, SipLogFn } from './sip-logger.js';
