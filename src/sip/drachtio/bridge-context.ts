/**
 * Shared state and helpers of the drachtio bridge: the transaction and dialog tables, sending to
 * applications, wire metadata, in-dialog sending, and dialog teardown (ACK timeout BYE).
 */
import { randomUUID } from 'node:crypto';
import { nextLocalCSeq } from '../dialog/cseq-rules.js';
import { ACK_TIMEOUT_REASON } from '../dialog/dialog-reasons.js';
import { terminateDialog } from '../dialog/dialog-state.js';
import { DialogTable } from '../dialog/dialog-table.js';
import { buildInDialogRequest, type InDialogRequestOptions } from '../dialog/in-dialog-request.js';
import { idleInviteActivity } from '../dialog/invite-concurrency.js';
import { ackWaitSettings } from '../dialog/retransmit-schedule.js';
import { realScheduler, RetransmitRunner, type TimerScheduler } from '../dialog/retransmit-runner.js';
import { generateBranch, serializeMessage } from '../message/index.js';
import type { SipAddress, SipMessage, SipRequest, SipResponse } from '../message/sip-message.js';
import type { ClientTransaction, ClientTransactionUser } from '../transaction/client-transaction.js';
import type { ServerTransaction } from '../transaction/server-transaction.js';
import type { TransactionLayer } from '../transaction/transaction-layer.js';
import type { RequestOrigin, SendTarget } from '../transport/transport.js';
import type { ApplicationConnection } from './application-connection.js';
import type { DialogEntry, InboundTxn, OutboundTxn, ProxyHandle } from './bridge-types.js';
import { formatWireTime, unsolicitedRequest, type WireMeta } from './server-messages.js';
import type { SipEndpoints } from './sip-endpoints.js';
import { silentLogger, type SipLogger } from './sip-logger.js';
import type { WireTap } from './wire-tap.js';
import { CdrReporter } from './cdr-reporter.js';
import { AckRetention } from './ack-retention.js';
import { MergedRequests } from './merged-requests.js';

export interface BridgeOptions {
  /**
   * Picks the application for a new request by method (round robin), or null; and lists every
   * application routed for a verb (CDR events go to all of them).
   */
  router: { pick(method: string): ApplicationConnection | null; subscribers?(verb: string): readonly ApplicationConnection[] };
  transactions: TransactionLayer;
  /** The transport, wrapped so echoes can carry what was sent. */
  tap: WireTap;
  endpoints: SipEndpoints;
  /** T1/T2 for the 2xx and reliable-1xx retransmission schedules. */
  timers?: { t1: number; t2: number };
  scheduler?: TimerScheduler;
  logger?: SipLogger;
  newId?: () => string;
}

export class BridgeContext {
  readonly inbound = new Map<string, InboundTxn>();
  readonly inboundByTransaction = new Map<ServerTransaction, InboundTxn>();
  readonly outbound = new Map<string, OutboundTxn>();
  readonly dialogs = new DialogTable<DialogEntry>();
  /** Requests being proxied, by their server transaction, until a final response went upstream. */
  readonly proxies = new Map<ServerTransaction, ProxyHandle>();
  readonly router: BridgeOptions['router'];
  readonly transactions: TransactionLayer;
  readonly tap: WireTap;
  readonly endpoints: SipEndpoints;
  readonly timers: { t1: number; t2: number };
  readonly scheduler: TimerScheduler;
  readonly log: SipLogger;
  readonly newId: () => string;
  readonly cdr: CdrReporter;
  readonly acks: AckRetention;
  /** Out-of-dialog requests in progress by From tag, Call-ID and CSeq (RFC 3261 §8.2.2.2). */
  readonly merged = new MergedRequests();
  private lastWireMs = -1;
  private lastWireTime = '';

  constructor(options: BridgeOptions) {
    this.router = options.router;
    this.transactions = options.transactions;
    this.tap = options.tap;
    this.endpoints = options.endpoints;
    this.timers = options.timers ?? { t1: 500, t2: 4000 };
    this.scheduler = options.scheduler ?? realScheduler;
    this.log = options.logger ?? silentLogger;
    this.newId = options.newId ?? randomUUID;
    const router = options.router;
    this.acks = new AckRetention(this.scheduler, 64 * this.timers.t1);
    this.cdr = new CdrReporter({ subscribers: (verb) => router.subscribers?.(verb) ?? [], newId: this.newId });
  }

  /** Send a payload to an application if it is still connected. */
  toApp(app: ApplicationConnection | null, payload: Buffer): boolean {
    return app !== null && app.connected && app.send(payload);
  }

  meta(address: Pick<SipAddress, 'transport' | 'address' | 'port'>): WireMeta {
    return { protocol: address.transport, address: address.address, port: address.port, time: this.wireTime() };
  }

  /** The leader's time of day, formatted once per millisecond (every frame carries one). */
  private wireTime(): string {
    const now = Date.now();
    if (now !== this.lastWireMs) {
      this.lastWireMs = now;
      this.lastWireTime = formatWireTime(new Date(now));
    }
    return this.lastWireTime;
  }

  bytes(message: SipMessage): Buffer {
    return serializeMessage(message);
  }

  newBranch(): string {
    return generateBranch();
  }

  // ---- dialogs ---------------------------------------------------------------------------

  newEntry(init: Pick<DialogEntry, 'dialog' | 'app' | 'local' | 'connectionId' | 'peer'>): DialogEntry {
    // An explicit literal, not `{ ...init }`: a spread gave every entry a hidden class of its own
    // (a Map and a DescriptorArray, about 700 bytes per dialog for as long as the call lasts).
    return {
      dialog: init.dialog,
      app: init.app,
      local: init.local,
      connectionId: init.connectionId,
      peer: init.peer,
      activity: idleInviteActivity,
      ackWait: null,
      awaitingAppAck: null,
      lastAck: null,
      queue: [],
      cdr: 'none',
      hangUpAfterAck: null,
      linger: null,
    };
  }

  addDialog(entry: DialogEntry): void {
    this.dialogs.add(entry);
  }

  removeDialog(entry: DialogEntry, why: string): void {
    this.stopLinger(entry);
    entry.ackWait?.runner.close();
    entry.ackWait = null;
    this.acks.release(entry);
    entry.dialog = terminateDialog(entry.dialog);
    entry.queue = [];
    if (this.dialogs.get(entry.dialog.id) === entry) this.dialogs.delete(entry.dialog.id);
    this.log.debug({ dialogId: entry.dialog.id, why }, 'dialog removed');
  }

  /**
   * Keep a dialog whose BYE was challenged (401/407) so the application's digest retry can be sent
   * in it (RFC 3261 §22.2: the UAC "MAY" resubmit the request with credentials), but not forever:
   * without a retry within 64×T1 the dialog goes (§15.1.1: the session already ended with the BYE).
   */
  lingerDialog(entry: DialogEntry, why: string): void {
    this.stopLinger(entry);
    entry.linger = this.scheduler.set(() => {
      entry.linger = null;
      this.removeDialog(entry, `${why}, no retry`);
    }, 64 * this.timers.t1);
  }

  stopLinger(entry: DialogEntry): void {
    if (entry.linger !== null) this.scheduler.clear(entry.linger);
    entry.linger = null;
  }

  /** Run the queued application re-INVITEs that §14.1 held back, once that is allowed. */
  drainQueue(entry: DialogEntry): void {
    const next = entry.queue.shift();
    if (next) next();
  }

  /** Where in-dialog requests go: the next hop URI resolved, reusing the dialog's TCP connection. */
  async targetFor(entry: DialogEntry, nextHop: string): Promise<SendTarget | null> {
    const resolved = await this.endpoints.resolve(nextHop);
    if (!resolved.ok) return null;
    const target: SendTarget = { ...resolved.target };
    if (target.transport === 'tcp' && entry.connectionId && target.address === entry.peer.address && target.port === entry.peer.port) {
      target.connectionId = entry.connectionId;
    }
    return target;
  }

  /**
   * Build and send a request inside the dialog in a client transaction (§12.2.1.1), local CSeq
   * incremented. Used for server-originated BYEs; application requests build their own.
   */
  async sendInDialog(
    entry: DialogEntry,
    options: Omit<InDialogRequestOptions, 'via' | 'cseq'>,
    user: ClientTransactionUser = {},
  ): Promise<{ request: SipRequest; target: SendTarget; transaction: ClientTransaction } | null> {
    const { seq, dialog } = nextLocalCSeq(entry.dialog);
    entry.dialog = dialog;
    const built = buildInDialogRequest(entry.dialog, { ...options, cseq: seq, via: this.endpoints.via(entry.local, this.newBranch()) });
    const target = await this.targetFor(entry, built.nextHop);
    if (!target) return null;
    try {
      const transaction = this.transactions.sendRequest(built.request, target, user);
      return { request: built.request, target, transaction };
    } catch (error) {
      this.log.warn({ dialogId: entry.dialog.id, err: String(error) }, 'in-dialog request not sent');
      return null;
    }
  }

  /**
   * ACK for a 2xx to our INVITE (RFC 3261 §13.2.2.4): CSeq number of the INVITE, a new branch,
   * Request-URI and Route from the dialog; sent outside any transaction and remembered so that
   * retransmitted 2xx are answered with the same ACK (§8.9).
   */
  async sendAck(
    entry: DialogEntry,
    cseq: number,
    extra: Pick<InDialogRequestOptions, 'body' | 'contentType' | 'headers'> = {},
  ): Promise<{ request: SipRequest; target: SendTarget } | null> {
    const built = buildInDialogRequest(entry.dialog, { ...extra, method: 'ACK', cseq, via: this.endpoints.via(entry.local, this.newBranch()) });
    const target = await this.targetFor(entry, built.nextHop);
    if (!target) return null;
    this.acks.hold(entry, { request: built.request, target, cseq });
    entry.awaitingAppAck = null;
    await this.tap.send(built.request, target).catch(() => undefined);
    return { request: built.request, target };
  }

  /** Re-send the remembered ACK when the 2xx with that CSeq is retransmitted. */
  resendAck(entry: DialogEntry, cseq: number): boolean {
    const last = entry.lastAck;
    if (!last || last.cseq !== cseq) return false;
    this.tap.send(last.request, last.target).catch(() => undefined);
    return true;
  }

  /**
   * Start the UAS 2xx retransmission for an INVITE (RFC 3261 §13.3.1.4). The first send happened
   * through the server transaction; the runner's sends are the retransmissions.
   */
  startAckWait(entry: DialogEntry, txnId: string, response: SipResponse, origin: RequestOrigin): void {
    entry.ackWait?.runner.close();
    let first = true;
    const runner = new RetransmitRunner(
      ackWaitSettings(this.timers, origin.source.transport === 'tcp'),
      {
        send: () => {
          if (first) {
            first = false;
            return;
          }
          this.tap.sendResponse(response, origin).catch(() => undefined);
        },
        timedOut: () => void this.ackTimeout(entry),
      },
      this.scheduler,
    );
    entry.ackWait = { runner, txnId };
    entry.activity = { ...entry.activity, awaitingAck: true };
    runner.start();
  }

  /** The ACK for our 2xx arrived: stop retransmitting, let queued re-INVITEs go. */
  ackReceived(entry: DialogEntry): string | null {
    const wait = entry.ackWait;
    if (!wait) return null;
    wait.runner.acknowledge();
    wait.runner.close();
    entry.ackWait = null;
    entry.activity = { ...entry.activity, awaitingAck: false };
    this.drainQueue(entry);
    return wait.txnId;
  }

  /**
   * §13.3.1.4: "If the server retransmits the 2xx response for 64*T1 seconds without receiving an
   * ACK, the dialog is confirmed, but the session SHOULD be terminated. This is accomplished with
   * a BYE". The application learns it through an unsolicited BYE (drachtio-protocol.md §8.8).
   */
  async ackTimeout(entry: DialogEntry): Promise<void> {
    entry.ackWait = null;
    entry.activity = { ...entry.activity, awaitingAck: false };
    this.log.info({ dialogId: entry.dialog.id }, 'no ACK for 2xx, sending BYE');
    await this.hangUp(entry, ACK_TIMEOUT_REASON);
  }

  /** Send BYE with a Reason, tell the application (shape C) unless it has no dialog, drop the dialog. */
  async hangUp(entry: DialogEntry, reason: string, tellApp = true): Promise<void> {
    const sent = await this.sendInDialog(entry, { method: 'BYE', headers: [{ name: 'Reason', value: reason }] });
    if (sent) this.cdr.stop(entry, 'application', 'system-initiated-termination', () => this.bytes(sent.request));
    if (sent && tellApp) {
      const wire = this.bytes(sent.request);
      this.toApp(entry.app, unsolicitedRequest(this.newId(), this.meta(sent.target), entry.dialog.id, wire));
    }
    this.removeDialog(entry, 'server BYE');
  }

  forgetInbound(txn: InboundTxn): void {
    if (txn.timeout !== null) this.scheduler.clear(txn.timeout);
    txn.timeout = null;
    txn.prackWait?.close();
    txn.prackWait = null;
    this.inbound.delete(txn.id);
    this.inboundByTransaction.delete(txn.transaction);
  }

  /** Stop every timer (shutdown). */
  close(): void {
    for (const entry of this.dialogs.values()) {
      entry.ackWait?.runner.close();
      this.stopLinger(entry);
    }
    for (const txn of this.inbound.values()) {
      txn.prackWait?.close();
      if (txn.timeout !== null) this.scheduler.clear(txn.timeout);
    }
    this.acks.close();
    for (const proxy of [...this.proxies.values()]) proxy.close();
    this.proxies.clear();
  }
}
