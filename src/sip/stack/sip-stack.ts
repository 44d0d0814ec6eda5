/**
 * The SIP engine core: transport → transaction → request handler, as an explicit inbound pipeline
 * (parse → sanity checks → received/rport → transaction match → handler; STYLE.md habit 6) and a
 * downward `sendRequest` for client transactions. Owns the transport and every transaction timer;
 * `close()` releases them in reverse order.
 */
import { validateRequest, validateResponse, type SipParseError } from '../message/index.js';
import type { SipAddress, SipRequest, SipResponse } from '../message/sip-message.js';
import type { ClientTransaction, ClientTransactionUser } from '../transaction/client-transaction.js';
import type { ServerTransaction } from '../transaction/server-transaction.js';
import { silentSipLogger, type SipLogger } from '../transaction/sip-logger.js';
import type { TimerApi } from '../transaction/timer-api.js';
import type { TimerSettings } from '../transaction/timer-values.js';
import { TransactionLayer, type TransactionStats } from '../transaction/transaction-layer.js';
import type { TransactionFailure } from '../transaction/transaction-types.js';
import { stampReceived } from '../transport/stamp-received.js';
import { TransportLayer, type TransportLayerOptions } from '../transport/transport-layer.js';
import type { InboundMessage, ListenSpec, MalformedInbound, SendTarget, SipTransport, TransportUser } from '../transport/transport.js';
import { CoreRequestHandler } from './core-request-handler.js';
import { malformedReply } from './malformed-reply.js';
import { prepareRequest } from './prepare-request.js';
import type { RequestContext, RequestHandler } from './request-handler.js';

/** A transport the stack can start (TransportLayer, or a test double). */
export interface StackTransport extends SipTransport {
  start(): Promise<void>;
}

export interface SipStackOptions {
  listen: ListenSpec[];
  /** The TU; defaults to CoreRequestHandler. Replaceable later with `setHandler`. */
  handler?: RequestHandler;
  /** T1/T2/T4 for every transaction (defaults 500 ms / 4 s / 5 s). */
  timers?: Partial<TimerSettings>;
  clock?: TimerApi;
  logger?: SipLogger;
  transportOptions?: TransportLayerOptions;
  /** Test seam: build the transport (default: TransportLayer). */
  createTransport?: (listen: ListenSpec[], user: TransportUser, logger: SipLogger) => StackTransport;
}

/** What the inbound pipeline did with traffic, beyond the transaction counters. */
export interface StackCounters {
  requests: number;
  responses: number;
  /** Bad requests answered with 400/505/513 … */
  rejected: number;
  /** Bad messages that could not be answered (responses, ACKs, no usable Via): dropped. */
  dropped: number;
  /** ACKs handed to the TU (2xx ACKs). */
  acks: number;
  cancels: number;
}

export interface StackStats extends StackCounters {
  transactions: TransactionStats;
  live: { server: number; client: number };
}

export class SipStack implements TransportUser {
  private readonly transport: StackTransport;
  private readonly layer: TransactionLayer;
  private readonly logger: SipLogger;
  private handler: RequestHandler;
  private readonly counters: StackCounters = { requests: 0, responses: 0, rejected: 0, dropped: 0, acks: 0, cancels: 0 };
  private state: 'new' | 'started' | 'closed' = 'new';

  constructor(options: SipStackOptions) {
    this.logger = options.logger ?? silentSipLogger;
    this.handler = options.handler ?? new CoreRequestHandler();
    const create = options.createTransport ?? ((listen, user, logger) => new TransportLayer(listen, user, options.transportOptions, logger));
    this.transport = create(options.listen, this, this.logger);
    this.layer = new TransactionLayer({ transport: this.transport, timers: options.timers, clock: options.clock, logger: this.logger });
  }

  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error('SipStack.start() called twice or after close()');
    this.state = 'started';
    await this.transport.start();
  }

  /** Stop every transaction (and its timers), then the transport. */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.layer.close();
    await this.transport.close();
  }

  listening(): SipAddress[] {
    return this.transport.listening();
  }

  /** Plug in the TU (the dialog/drachtio layer replaces the core handler with it). */
  setHandler(handler: RequestHandler): void {
    this.handler = handler;
  }

  stats(): StackStats {
    return { ...this.counters, transactions: { ...this.layer.stats }, live: this.layer.size };
  }

  /**
   * Send a request in a new client transaction (INVITE or non-INVITE by method). A top Via with a
   * fresh branch is added unless the TU wrote one; Max-Forwards and Content-Length are completed.
   */
  sendRequest(request: SipRequest, target: SendTarget, user: ClientTransactionUser = {}): ClientTransaction {
    if (this.state !== 'started') throw new Error('SipStack is not started');
    return this.layer.sendRequest(prepareRequest(request, this.viaAddress(target)), target, user);
  }

  // ----- TransportUser: the inbound pipeline -----

  receive(inbound: InboundMessage): void {
    if (this.state !== 'started') return;
    const context: RequestContext = { source: inbound.source, local: inbound.local, connectionId: inbound.connectionId };
    const { message } = inbound;
    if (message.kind === 'response') {
      this.counters.responses++;
      const defect = validateResponse(message);
      if (defect !== null) return this.drop(defect, inbound.source, 'invalid response');
      if (!this.layer.receiveResponse(message)) this.callHandler(() => this.handler.onStrayResponse?.(message, context));
      return;
    }
    this.counters.requests++;
    const defect = validateRequest(message);
    if (defect !== null) return this.reject(defect, { method: message.method, headers: message.headers }, context);
    // RFC 3261 §18.2.1 / RFC 3581 §4: received and rport on the top Via before anything reads it.
    const request = stampReceived(message, inbound.source);
    const disposition = this.layer.receiveRequest(request, context);
    switch (disposition.kind) {
      case 'new':
        disposition.transaction.start({
          onRequest: (transaction, received) => this.toHandler(transaction, received, context),
          onFailure: (transaction, failure) => this.onFailure(transaction, failure),
        });
        return;
      case 'matched':
        return;
      case 'ack-unmatched':
        this.counters.acks++;
        this.callHandler(() => this.handler.onAck?.(request, context));
        return;
      case 'cancel':
        this.counters.cancels++;
        return this.onCancel(disposition.transaction, disposition.target, request);
      case 'unmatchable':
        // validateRequest guarantees Via, CSeq and Call-ID, so this is a defensive branch.
        this.counters.dropped++;
        return;
      default: {
        const never: never = disposition;
        throw new Error(`unknown disposition ${JSON.stringify(never)}`);
      }
    }
  }

  malformed(inbound: MalformedInbound): void {
    if (this.state !== 'started') return;
    const { partial } = inbound.error;
    if (partial.kind !== 'request') return this.drop(inbound.error, inbound.source, 'malformed message');
    this.reject(inbound.error, { method: partial.method, headers: partial.headers }, inbound);
  }

  // ----- pipeline steps -----

  private toHandler(transaction: ServerTransaction, request: SipRequest, context: RequestContext): void {
    if (request.method === 'ACK') {
      // RFC 6026: an ACK matching an INVITE transaction in Accepted goes to the TU.
      this.counters.acks++;
      this.callHandler(() => this.handler.onAck?.(request, context));
      return;
    }
    let result: void | Promise<void>;
    try {
      result = this.handler.onRequest(transaction, context);
    } catch (error) {
      this.handlerFailed(transaction, error);
      return;
    }
    if (result instanceof Promise) result.catch((error: unknown) => this.handlerFailed(transaction, error));
  }

  /** §9.2: CANCEL answered 200 when it matched (and the pending INVITE 487), else 481. */
  private onCancel(cancel: ServerTransaction, target: ServerTransaction | null, request: SipRequest): void {
    cancel.start({ onRequest: () => undefined });
    if (target === null) {
      // §9.2: "If the UAS did not find a matching transaction for the CANCEL according to the
      // procedure above, it SHOULD respond to the CANCEL with a 481".
      cancel.reply(481);
      return;
    }
    // §9.2: "as long as the CANCEL matched an existing transaction, the UAS answers the CANCEL
    // request itself with a 200 (OK) response" ... "the UAS SHOULD immediately respond to the
    // INVITE with a 487 (Request Terminated)" when it has not sent a final response yet.
    cancel.reply(200);
    if (target.method === 'INVITE' && target.finalStatus === null && !target.terminated) target.reply(487);
    target.markCancelled(request);
    this.callHandler(() => this.handler.onCancel?.(target, request));
  }

  private onFailure(transaction: ServerTransaction, failure: TransactionFailure): void {
    this.logger.debug({ txnId: transaction.id, code: failure.code }, 'server transaction failed');
    this.callHandler(() => this.handler.onTransactionFailure?.(transaction, failure));
  }

  private handlerFailed(transaction: ServerTransaction, error: unknown): void {
    this.logger.error({ txnId: transaction.id, err: error }, 'request handler failed');
    if (transaction.finalStatus === null && !transaction.terminated) transaction.reply(500);
  }

  private reject(error: SipParseError, request: { method: string | undefined; headers: SipRequest['headers'] }, origin: RequestContext): void {
    const response = malformedReply(error, request, origin.source);
    if (response === null) return this.drop(error, origin.source, 'unanswerable bad request');
    this.counters.rejected++;
    this.logger.debug({ code: error.code, reason: error.reason, source: origin.source }, 'bad request rejected');
    this.transport.sendResponse(response, origin).catch((sendError: unknown) => {
      this.logger.debug({ err: sendError, source: origin.source }, 'could not send the rejection');
    });
  }

  private drop(error: SipParseError, source: SipAddress, what: string): void {
    this.counters.dropped++;
    this.logger.debug({ code: error.code, reason: error.reason, source }, `${what} dropped`);
  }

  private callHandler(call: () => void): void {
    try {
      call();
    } catch (error) {
      this.logger.error({ err: error }, 'request handler callback threw');
    }
  }

  /** The listener address a request to `target` leaves from (same transport, same IP family). */
  private viaAddress(target: SendTarget): SipAddress {
    const family = target.address.includes(':') ? 6 : 4;
    const bound = this.transport.listening();
    const sameTransport = bound.filter((address) => address.transport === target.transport);
    const match = sameTransport.find((address) => (address.address.includes(':') ? 6 : 4) === family) ?? sameTransport[0] ?? bound[0];
    if (match === undefined) throw new Error('no listening address to send from');
    return { ...match, transport: target.transport };
  }
}

/** Create a stack from listen specs and start it (the `sip-server` CLI command calls this). */
export async function startSipStack(options: SipStackOptions): Promise<SipStack> {
  const stack = new SipStack(options);
  try {
    await stack.start();
  } catch (error) {
    await stack.close();
    throw error;
  }
  return stack;
}
