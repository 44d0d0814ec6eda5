/**
 * Requests from the network (drachtio-protocol.md §5.4, §8): the inbound pipeline after the
 * transport — sanity check → transaction match → dialog match → application.
 */
import { acceptRemoteCSeq } from '../dialog/cseq-rules.js';
import { dialogId } from '../dialog/dialog-state.js';
import { checkIncomingInvite } from '../dialog/invite-concurrency.js';
import { matchPrack } from '../dialog/reliable-provisional.js';
import { generateTag, getHeader, parseCSeq, parseNameAddr, validateRequest } from '../message/index.js';
import type { SipRequest, SipResponse } from '../message/sip-message.js';
import { createResponse, requestToTag } from '../transaction/create-response.js';
import type { InboundContext, ServerTransaction } from '../transaction/server-transaction.js';
import type { InboundMessage } from '../transport/transport.js';
import type { BridgeContext } from './bridge-context.js';
import type { DialogEntry, InboundTxn } from './bridge-types.js';
import type { ProxyHandler } from './proxy-handler.js';
import { networkMessage, networkRequest } from './server-messages.js';

/** §8.12: methods handed to applications as new requests. */
const ROUTABLE = new Set(['INVITE', 'REGISTER', 'MESSAGE', 'OPTIONS', 'INFO', 'NOTIFY', 'SUBSCRIBE', 'PUBLISH']);
/** Out-of-dialog requests that only make sense inside a dialog: 481 (§8.11). */
const DIALOG_ONLY = new Set(['BYE', 'UPDATE', 'PRACK', 'REFER']);

export class NetworkRequestHandler {
  constructor(
    private readonly ctx: BridgeContext,
    private readonly proxy: ProxyHandler,
  ) {}

  receive(request: SipRequest, inbound: InboundMessage): void {
    const context: InboundContext = { source: inbound.source, local: inbound.local, connectionId: inbound.connectionId };
    const defect = validateRequest(request);
    if (defect) {
      // §8.13: basic sanity check → 400 (with the defect named); never answer an ACK.
      if (request.method !== 'ACK') {
        const response = createResponse(request, defect.status, defect.reason, { toTag: generateTag() });
        this.ctx.tap.sendResponse(response, context).catch(() => undefined);
      }
      return;
    }
    const disposition = this.ctx.transactions.receiveRequest(request, context);
    switch (disposition.kind) {
      case 'new': {
        // RFC 3261 §16.4: an in-dialog request that reached us through our own Record-Route.
        const routed = requestToTag(request) !== null ? this.proxy.routed(request) : null;
        if (routed) this.proxy.forwardInDialog(disposition.transaction, routed);
        else this.newTransaction(disposition.transaction, context);
        return;
      }
      case 'ack-unmatched': {
        const routed = this.proxy.routed(request);
        if (routed) void this.proxy.forwardAck(routed, context);
        else this.ack(request);
        return;
      }
      case 'cancel':
        this.cancel(disposition.transaction, disposition.target);
        return;
      case 'matched':
      case 'unmatchable':
        // §8.2: retransmissions are absorbed by the transaction; ACKs for non-2xx too (§8.7).
        return;
    }
  }

  private newTransaction(transaction: ServerTransaction, context: InboundContext): void {
    const request = transaction.request;
    if (requestToTag(request) !== null) {
      this.inDialog(transaction, context);
      return;
    }
    if (!ROUTABLE.has(request.method)) {
      // DEVIATION: drachtio-server drops other out-of-dialog requests; answering stops the
      // peer's retransmissions (481 for dialog-only methods, 501 otherwise, RFC 3261 §8.2.1).
      this.reject(transaction, DIALOG_ONLY.has(request.method) ? 481 : 501);
      return;
    }
    if (!this.ctx.merged.admit(transaction)) {
      // RFC 3261 §8.2.2.2: the same request again on another branch (forking loop): 482.
      this.reject(transaction, 482);
      return;
    }
    const invite = request.method === 'INVITE';
    if (invite) this.ctx.cdr.attempt('network', () => this.ctx.bytes(request));
    const app = this.ctx.router.pick(request.method);
    if (!app) {
      // §8.12 / §15: no application routed for the method → 503 (an INVITE gets 100 first).
      const response = this.reject(transaction, 503, () => this.ctx.merged.forget(transaction));
      if (invite) this.ctx.cdr.failed('application', 503, () => this.ctx.bytes(response));
      return;
    }
    const fromTag = tagOf(getHeader(request, 'From'));
    const callId = getHeader(request, 'Call-ID') ?? '';
    const creates = request.method === 'INVITE' || request.method === 'SUBSCRIBE';
    const txn = this.track(transaction, app, creates && fromTag ? dialogId(callId, fromTag) : '', null);
    transaction.start(this.user(txn));
    const local = context.local;
    this.ctx.toApp(app, networkRequest(this.ctx.newId(), this.ctx.meta(context.source), txn.id, local, this.ctx.bytes(request)));
  }

  private inDialog(transaction: ServerTransaction, context: InboundContext): void {
    const request = transaction.request;
    const entry = this.ctx.dialogs.match(request);
    // §12.2.2: "If the UAS wishes to reject the request because it does not wish to recreate the
    // dialog, it MUST respond to the request with a 481"; also when the owning app is gone (§15).
    if (!entry || !entry.app || !entry.app.connected) {
      this.reject(transaction, 481);
      return;
    }
    const seq = cseqOf(request);
    if (seq === null) {
      this.reject(transaction, 400);
      return;
    }
    const verdict = acceptRemoteCSeq(entry.dialog, request.method, seq);
    if (!verdict.accept) {
      this.reject(transaction, 500);
      return;
    }
    entry.dialog = verdict.dialog;
    if (request.method === 'INVITE') {
      const check = checkIncomingInvite(entry.activity);
      if (!check.accept) {
        transaction.start({ onRequest: () => undefined });
        transaction.reply(check.status, check.reason, check.status === 500 ? { headers: [{ name: 'Retry-After', value: String(check.retryAfter) }] } : {});
        return;
      }
      entry.activity = { ...entry.activity, incomingUnanswered: seq };
    }
    if (request.method === 'PRACK' && !this.prack(entry, request)) {
      this.reject(transaction, 481);
      return;
    }
    const txn = this.track(transaction, entry.app, entry.dialog.id, entry);
    if (request.method === 'BYE') {
      // §8.14: the dialog is removed when the BYE arrives; the app still answers it.
      this.ctx.cdr.stop(entry, 'network', 'normal-release', () => this.ctx.bytes(request));
      this.ctx.removeDialog(entry, 'BYE from network');
    }
    transaction.start(this.user(txn));
    this.ctx.toApp(entry.app, networkMessage(this.ctx.newId(), this.ctx.meta(context.source), txn.id, entry.dialog.id, this.ctx.bytes(request)));
  }

  /** RFC 3262 §3: the PRACK must match the unacknowledged reliable provisional of this dialog. */
  private prack(entry: DialogEntry, request: SipRequest): boolean {
    for (const txn of this.ctx.inbound.values()) {
      if (txn.entry !== entry || !txn.reliable || txn.finalSent) continue;
      const match = matchPrack(txn.reliable, getHeader(request, 'RAck'));
      if (!match.matched) continue;
      txn.reliable = match.state;
      txn.prackWait?.close();
      txn.prackWait = null;
      return true;
    }
    return false;
  }

  /** ACK for a 2xx (its own transaction, §17.1.1.3): stops our retransmission, goes to the app. */
  private ack(request: SipRequest): void {
    const entry = this.ctx.dialogs.match(request);
    if (!entry) return;
    const txnId = this.ctx.ackReceived(entry);
    if (txnId === null) return;
    const source = entry.peer;
    this.ctx.toApp(entry.app, networkMessage(this.ctx.newId(), this.ctx.meta(source), txnId, entry.dialog.id, this.ctx.bytes(request)));
  }

  /** §8.10: CANCEL of a pending INVITE: 200 to the CANCEL, 487 to the INVITE, then tell the app. */
  private cancel(cancel: ServerTransaction, target: ServerTransaction | null): void {
    cancel.start({ onRequest: () => undefined });
    if (target === null) {
      cancel.reply(481);
      return;
    }
    cancel.reply(200);
    const proxied = this.ctx.proxies.get(target);
    if (proxied) {
      // §16.10: the proxy answers the CANCEL itself and cancels its branches; the final response
      // to the INVITE comes from the response context. The application is not involved.
      proxied.cancel();
      return;
    }
    const txn = this.ctx.inboundByTransaction.get(target);
    // RFC 3261 §9.2: "If the UAS has already sent a final response for the original request, the
    // CANCEL has no effect on the processing of the original request".
    if (!txn || txn.finalSent) return;
    txn.cancelled = true;
    txn.finalSent = true;
    target.respond(createResponse(txn.request, 487, undefined, { toTag: txn.toTag ?? target.toTag }));
    if (txn.request.method === 'INVITE' && txn.entry?.dialog.phase !== 'confirmed') this.ctx.cdr.failed('network', 487, () => this.ctx.bytes(cancel.request));
    if (txn.entry && txn.entry.dialog.phase === 'early') this.ctx.removeDialog(txn.entry, 'INVITE cancelled');
    const dialog = txn.provisionalSent ? txn.dialogId : '';
    this.ctx.toApp(txn.app, networkMessage(this.ctx.newId(), this.ctx.meta(cancel.inbound.source), txn.id, dialog, this.ctx.bytes(cancel.request)));
    this.ctx.forgetInbound(txn);
  }

  private track(transaction: ServerTransaction, app: InboundTxn['app'], dialog: string, entry: DialogEntry | null): InboundTxn {
    const txn: InboundTxn = {
      id: this.ctx.newId(),
      app,
      transaction,
      request: transaction.request,
      dialogId: dialog,
      entry,
      toTag: null,
      provisionalSent: false,
      finalSent: false,
      cancelled: false,
      reliable: null,
      prackWait: null,
      timeout: null,
    };
    // §8.15: a request the application never answers (not even with a provisional) is forgotten
    // after 64 s (128×T1 with the default T1). DEVIATION: the real server sends nothing; a 408
    // lets the peer stop retransmitting.
    txn.timeout = this.ctx.scheduler.set(() => {
      txn.timeout = null;
      if (txn.finalSent || txn.provisionalSent) return;
      txn.finalSent = true;
      txn.transaction.reply(408);
      this.ctx.forgetInbound(txn);
    }, 128 * this.ctx.timers.t1);
    this.ctx.inbound.set(txn.id, txn);
    this.ctx.inboundByTransaction.set(transaction, txn);
    return txn;
  }

  private user(txn: InboundTxn) {
    return {
      onRequest: (_t: ServerTransaction, request: SipRequest) => {
        // RFC 6026 Accepted: an ACK matching the INVITE transaction is the ACK for our 2xx.
        if (request.method === 'ACK') this.ack(request);
      },
      onFailure: () => {
        if (!txn.finalSent) this.ctx.forgetInbound(txn);
      },
      // Whatever else happened, nothing of the transaction outlives it.
      onTerminated: (transaction: ServerTransaction) => {
        this.ctx.forgetInbound(txn);
        this.ctx.merged.forget(transaction);
      },
    };
  }

  private reject(transaction: ServerTransaction, status: number, onTerminated?: () => void): SipResponse {
    transaction.start(onTerminated ? { onRequest: () => undefined, onTerminated } : { onRequest: () => undefined });
    return transaction.reply(status);
  }
}

function tagOf(value: string | undefined): string | null {
  if (value === undefined) return null;
  try {
    return parseNameAddr(value).tag;
  } catch {
    return null;
  }
}

function cseqOf(request: SipRequest): number | null {
  const value = getHeader(request, 'CSeq');
  if (value === undefined) return null;
  try {
    return parseCSeq(value).seq;
  } catch {
    return null;
  }
}
