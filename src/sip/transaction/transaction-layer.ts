/**
 * The transaction layer: the tables of live client and server transactions, matching of inbound
 * messages to them (transaction-key.ts), creation of new ones with per-transport timer values, and
 * the counters the stack reports. It sends through the transport contract and never parses bytes.
 */
import type { SipRequest, SipResponse } from '../message/sip-message.js';
import type { SendTarget, SipTransport } from '../transport/transport.js';
import { ClientTransaction, type ClientTransactionUser } from './client-transaction.js';
import { createCancel } from './create-cancel.js';
import { requestToTag } from './create-response.js';
import { ServerTransaction, type InboundContext } from './server-transaction.js';
import { silentSipLogger, type SipLogger } from './sip-logger.js';
import { systemTimerApi, type TimerApi } from './timer-api.js';
import { computeTimerValues, type TimerSettings, type TimerValues } from './timer-values.js';
import {
  MAGIC_COOKIE,
  cancelTargetMatches,
  clientKeyOf,
  responseClientKey,
  serverKeyOf,
  serverMatches,
  topViaBranch,
} from './transaction-key.js';

export interface TransactionLayerOptions {
  transport: Pick<SipTransport, 'send' | 'sendResponse'>;
  /** T1/T2/T4 for every transaction of this layer (defaults 500 ms / 4 s / 5 s). */
  timers?: Partial<TimerSettings>;
  clock?: TimerApi;
  logger?: SipLogger;
}

/** What an inbound request turned out to be. */
export type RequestDisposition =
  /** A new server transaction, registered but not started: hand it to the TU with `start()`. */
  | { kind: 'new'; transaction: ServerTransaction }
  /** A retransmission or ACK matched a live server transaction, which handled it. */
  | { kind: 'matched'; transaction: ServerTransaction }
  /** An ACK matching no transaction: the ACK for a 2xx, which belongs to the TU (§17.1.1.3, §13.2.2.4). */
  | { kind: 'ack-unmatched' }
  /**
   * A new CANCEL (its own server transaction, not started) and the transaction it targets per §9.2,
   * or null when there is none (the UAS answers 481).
   */
  | { kind: 'cancel'; transaction: ServerTransaction; target: ServerTransaction | null }
  /** No usable top Via / CSeq / Call-ID to build a key from (the stack's sanity checks reject these first). */
  | { kind: 'unmatchable' };

export interface TransactionStats {
  serverCreated: number;
  clientCreated: number;
  /** Requests that matched a live server transaction (retransmissions and ACKs). */
  requestsMatched: number;
  /** Responses re-sent by server transactions (Timer G, retransmitted requests). */
  responsesRetransmitted: number;
  /** Requests re-sent by client transactions (Timer A/E) and ACKs re-sent. */
  requestsRetransmitted: number;
  /** Responses matching no client transaction. */
  strayResponses: number;
}

export class TransactionLayer {
  readonly stats: TransactionStats = {
    serverCreated: 0,
    clientCreated: 0,
    requestsMatched: 0,
    responsesRetransmitted: 0,
    requestsRetransmitted: 0,
    strayResponses: 0,
  };
  private readonly server = new Map<string, ServerTransaction[]>();
  private readonly client = new Map<string, ClientTransaction>();
  private readonly transport: TransactionLayerOptions['transport'];
  /** Timer values for unreliable and reliable transports, computed once and shared by every transaction. */
  private readonly udpTimers: TimerValues;
  private readonly tcpTimers: TimerValues;
  private readonly clock: TimerApi;
  private readonly logger: SipLogger;
  private serial = 0;

  constructor(options: TransactionLayerOptions) {
    this.transport = options.transport;
    this.udpTimers = Object.freeze(computeTimerValues(false, options.timers ?? {}));
    this.tcpTimers = Object.freeze(computeTimerValues(true, options.timers ?? {}));
    this.clock = options.clock ?? systemTimerApi;
    this.logger = options.logger ?? silentSipLogger;
  }

  /** Live transactions (not yet terminated). */
  get size(): { server: number; client: number } {
    let server = 0;
    for (const list of this.server.values()) server += list.length;
    return { server, client: this.client.size };
  }

  /** Match an inbound request (§17.2.3, §9.2) or create its server transaction. */
  receiveRequest(request: SipRequest, inbound: InboundContext): RequestDisposition {
    const key = serverKeyOf(request);
    if (key === null) return { kind: 'unmatchable' };
    const isAck = request.method === 'ACK';
    const existing = this.server.get(key.key)?.find((candidate) => serverMatches(key, isAck, candidate));
    if (existing !== undefined) {
      this.stats.requestsMatched++;
      existing.receive(request);
      return { kind: 'matched', transaction: existing };
    }
    // §17.2.3 / §17.1.1.3: an ACK that matches no transaction is the ACK for a 2xx (its own branch).
    if (isAck) return { kind: 'ack-unmatched' };
    const transaction = this.createServer(request, inbound, key.key);
    if (request.method !== 'CANCEL') return { kind: 'new', transaction };
    // §9.2: "assuming that the request method is anything but CANCEL or ACK and applying the
    // transaction matching procedures of Section 17.2.3".
    const target = this.server.get(key.key)?.find((candidate) => candidate !== transaction && cancelTargetMatches(key, candidate)) ?? null;
    return { kind: 'cancel', transaction, target };
  }

  /** Match an inbound response to its client transaction (§17.1.3); false when none matched. */
  receiveResponse(response: SipResponse): boolean {
    const key = responseClientKey(response);
    const transaction = key === null ? undefined : this.client.get(key);
    if (transaction === undefined) {
      this.stats.strayResponses++;
      return false;
    }
    transaction.receive(response);
    return true;
  }

  /**
   * Start a client transaction for `request` towards `target`. The request must already carry its
   * top Via with a magic-cookie branch (the stack adds it); INVITE and non-INVITE machines are
   * chosen by method. ACK is never sent in a transaction (§17.1.1.3: the TU sends ACK for 2xx).
   */
  sendRequest(request: SipRequest, target: SendTarget, user: ClientTransactionUser = {}): ClientTransaction {
    if (request.method === 'ACK') throw new Error('ACK is not sent in a client transaction');
    const branch = topViaBranch(request);
    if (branch === null || !branch.startsWith(MAGIC_COOKIE)) throw new Error('request needs a top Via with a z9hG4bK branch');
    const key = clientKeyOf(branch, request.method);
    if (this.client.has(key)) throw new Error(`a client transaction with branch ${branch} and method ${request.method} exists`);
    const transaction = new ClientTransaction({
      id: key,
      key,
      request,
      target,
      timers: target.transport === 'tcp' ? this.tcpTimers : this.udpTimers,
      reliableTimers: this.tcpTimers,
      clock: this.clock,
      logger: this.logger,
      user,
      send: (message, to, retransmission) => {
        if (retransmission) this.stats.requestsRetransmitted++;
        return this.transport.send(message, to);
      },
      sendCancel: (invite) => this.sendCancel(invite),
      onTerminated: (done) => {
        if (this.client.get(done.key) === done) this.client.delete(done.key);
      },
    });
    this.client.set(key, transaction);
    this.stats.clientCreated++;
    transaction.start();
    return transaction;
  }

  /** Stop every transaction without notifying anyone and clear their timers (shutdown). */
  close(): void {
    for (const list of this.server.values()) for (const transaction of list) transaction.dispose();
    for (const transaction of this.client.values()) transaction.dispose();
    this.server.clear();
    this.client.clear();
  }

  private createServer(request: SipRequest, inbound: InboundContext, key: string): ServerTransaction {
    const transaction = new ServerTransaction(
      {
        id: `${key}|${request.method}|${++this.serial}`,
        request,
        inbound,
        timers: inbound.source.transport === 'tcp' ? this.tcpTimers : this.udpTimers,
        clock: this.clock,
        logger: this.logger,
        sendResponse: (response, to) => this.transport.sendResponse(response, { source: to.source, connectionId: to.connectionId, local: to.local }),
        onSent: (_response, retransmission) => {
          if (retransmission) this.stats.responsesRetransmitted++;
        },
        onTerminated: (done) => this.removeServer(key, done),
      },
      requestToTag(request),
    );
    const list = this.server.get(key);
    if (list === undefined) this.server.set(key, [transaction]);
    else list.push(transaction);
    this.stats.serverCreated++;
    return transaction;
  }

  private removeServer(key: string, transaction: ServerTransaction): void {
    const list = this.server.get(key);
    if (list === undefined) return;
    const remaining = list.filter((candidate) => candidate !== transaction);
    if (remaining.length === 0) this.server.delete(key);
    else this.server.set(key, remaining);
  }

  /** §9.1: the CANCEL goes to the same target as the INVITE in its own non-INVITE transaction. */
  private sendCancel(invite: ClientTransaction): void {
    try {
      this.sendRequest(createCancel(invite.request), invite.target, {});
    } catch (error) {
      this.logger.warn({ txnId: invite.id, err: error }, 'could not send CANCEL');
    }
  }
}
