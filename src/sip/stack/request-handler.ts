/**
 * The transaction user interface the stack calls upward (SIP.js `TransactionUser` style): the core
 * handler of this folder implements it today, the dialog/drachtio layer replaces it next. Calls go
 * down through `SipStack` (`sendRequest`, `ServerTransaction.respond`), callbacks come up here.
 */
import type { SipRequest, SipResponse } from '../message/sip-message.js';
import type { InboundContext, ServerTransaction } from '../transaction/server-transaction.js';
import type { TransactionFailure } from '../transaction/transaction-types.js';

export type RequestContext = InboundContext;

export interface RequestHandler {
  /**
   * A request that created a new server transaction (any method but ACK and CANCEL). Answer with
   * `transaction.respond(response)` or `transaction.reply(status, reason, options)`. For INVITE,
   * answering within this call suppresses 100 Trying; otherwise the stack sends it at once
   * (RFC 3261 §17.2.1). A throw or a rejected promise is answered 500 when still unanswered.
   */
  onRequest(transaction: ServerTransaction, context: RequestContext): void | Promise<void>;
  /**
   * An ACK that belongs to the TU: the ACK for a 2xx (its own branch, matching no transaction,
   * RFC 3261 §13.2.2.4/§17.1.1.3) or one that matched an INVITE transaction in Accepted (RFC 6026).
   */
  onAck?(ack: SipRequest, context: RequestContext): void;
  /**
   * A CANCEL matched `transaction` (§9.2). The stack has already answered the CANCEL with 200 and,
   * when the INVITE was still pending, the INVITE with 487 (as drachtio-server does).
   */
  onCancel?(transaction: ServerTransaction, cancel: SipRequest): void;
  /** A server transaction failed: no ACK before Timer H (408) or a response could not be sent (503). */
  onTransactionFailure?(transaction: ServerTransaction, failure: TransactionFailure): void;
  /** A response that matched no client transaction (e.g. a 2xx retransmitted after Timer M). */
  onStrayResponse?(response: SipResponse, context: RequestContext): void;
}
