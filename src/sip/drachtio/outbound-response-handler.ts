/**
 * Network responses to requests the application sent (drachtio-protocol.md §5.4 shape B, §7.2,
 * §7.3, §8.7, §8.9): dialog state for INVITE/SUBSCRIBE, ACK re-sending for retransmitted 2xx,
 * ACK+BYE for 2xx nobody wants, 408/503 for transaction failures, forwarding to the app.
 */
import { confirmUacDialog, contactUri, createUacDialog, refreshRemoteTarget } from '../dialog/dialog-state.js';
import { CANCEL_RACE_REASON, NO_CONTACT_REASON } from '../dialog/dialog-reasons.js';
import { receiveReliable } from '../dialog/reliable-provisional.js';
import { getHeader, parseCSeq, parseNameAddr } from '../message/index.js';
import type { SipResponse } from '../message/sip-message.js';
import type { ClientTransactionUser } from '../transaction/client-transaction.js';
import { createResponse } from '../transaction/create-response.js';
import type { TransactionFailure } from '../transaction/transaction-types.js';
import { hasOptionTag } from './app-message.js';
import type { BridgeContext } from './bridge-context.js';
import type { DialogEntry, OutboundTxn } from './bridge-types.js';
import { networkMessage } from './server-messages.js';

const ENDS_DIALOG_ON_FAILURE = new Set([481, 408]);

export class OutboundResponseHandler {
  constructor(private readonly ctx: BridgeContext) {}

  user(out: OutboundTxn): ClientTransactionUser {
    return {
      onResponse: (response) => void this.response(out, response),
      onFailure: (failure) => this.failure(out, failure),
    };
  }

  /** Flush responses held back until the echo carried the transaction id to the app. */
  echoed(out: OutboundTxn): void {
    out.echoed = true;
    for (const payload of out.held.splice(0)) this.ctx.toApp(out.app, payload);
  }

  private async response(out: OutboundTxn, response: SipResponse): Promise<void> {
    const status = response.status;
    if (out.request.method === 'INVITE') {
      if (status < 200) {
        if (!this.provisional(out, response)) return;
      } else if (status < 300) {
        if (!(await this.inviteSuccess(out, response))) return;
      } else {
        this.inviteFailure(out, response);
      }
    } else {
      this.nonInvite(out, response);
    }
    this.forward(out, response);
  }

  /** Returns false when the response must not be forwarded. */
  private provisional(out: OutboundTxn, response: SipResponse): boolean {
    if (!out.provisional) {
      out.provisional = true;
      // RFC 3261 §9.1: "If no provisional response has been received, the CANCEL request MUST NOT
      // be sent; rather, the client MUST wait for the arrival of a provisional response".
      if (out.pendingCancel) {
        const cancel = out.pendingCancel;
        out.pendingCancel = null;
        this.sendCancel(out, cancel);
      }
    }
    const rseqText = getHeader(response, 'RSeq');
    if (rseqText !== undefined && hasOptionTag(response, 'Require', '100rel')) {
      const verdict = receiveReliable(out.uacReliable, Number.parseInt(rseqText, 10));
      out.uacReliable = verdict.state;
      // RFC 3262 §4: retransmissions and out-of-order reliable provisionals are not processed.
      if (verdict.verdict !== 'new') return false;
    }
    if (out.createsDialog && toTag(response) !== null && !this.ctx.dialogs.has(out.dialogId)) {
      // Early dialog (§12.1.2 / §13.2.2.4), so PRACK and UPDATE can be sent in it.
      const created = createUacDialog(out.request, response, { localContact: '' });
      if (created.ok) this.ctx.addDialog(this.ctx.newEntry({ dialog: created.dialog, app: out.app, local: out.local, connectionId: out.target.connectionId ?? null, peer: out.target }));
    }
    return true;
  }

  private async inviteSuccess(out: OutboundTxn, response: SipResponse): Promise<boolean> {
    const cseq = cseqOf(response);
    if (out.entry) {
      // 2xx to a re-INVITE.
      const entry = out.entry;
      if (this.ctx.resendAck(entry, cseq)) return false;
      if (entry.awaitingAppAck?.cseq === cseq) return false;
      entry.dialog = refreshRemoteTarget(entry.dialog, response);
      entry.awaitingAppAck = { cseq };
      entry.activity = { ...entry.activity, outgoing: false };
      if (!out.app.connected) await this.ctx.sendAck(entry, cseq);
      return true;
    }
    const existing = this.ctx.dialogs.get(out.dialogId);
    if (existing && existing.dialog.phase === 'confirmed') {
      // Retransmitted 2xx (§8.9): same ACK again, nothing to the app. A 2xx from another fork: ACK + BYE.
      if (existing.dialog.remoteTag === (toTag(response) ?? '')) {
        this.ctx.resendAck(existing, cseq);
        return false;
      }
      await this.dismiss(out, response, 'SIP ;cause=200 ;text="dialog already exists"', false);
      return false;
    }
    if (out.cancelled || !out.app.connected) {
      // §7.4 race: the app cancelled (or left) but the callee answered: ACK, then BYE.
      await this.dismiss(out, response, CANCEL_RACE_REASON, out.app.connected);
      return false;
    }
    let entry: DialogEntry;
    if (existing) {
      existing.dialog = confirmUacDialog(existing.dialog, response);
      entry = existing;
    } else {
      const created = createUacDialog(out.request, response, { localContact: '' });
      if (!created.ok) return true;
      entry = this.ctx.newEntry({ dialog: created.dialog, app: out.app, local: out.local, connectionId: out.target.connectionId ?? null, peer: out.target });
      this.ctx.addDialog(entry);
    }
    entry.awaitingAppAck = { cseq };
    if (contactUri(response) === null) entry.hangUpAfterAck = NO_CONTACT_REASON;
    this.ctx.cdr.start(entry, 'network', 'uac', () => this.ctx.bytes(response));
    return true;
  }

  private inviteFailure(out: OutboundTxn, response: SipResponse): void {
    if (out.entry) {
      out.entry.activity = { ...out.entry.activity, outgoing: false };
      this.ctx.drainQueue(out.entry);
      return;
    }
    if (!out.final) this.ctx.cdr.failed('network', response.status, () => this.ctx.bytes(response));
    const early = this.ctx.dialogs.get(out.dialogId);
    if (early && early.dialog.phase === 'early') this.ctx.removeDialog(early, 'INVITE failed');
  }

  private nonInvite(out: OutboundTxn, response: SipResponse): void {
    const status = response.status;
    const method = out.request.method;
    if (status < 200) return;
    const success = status < 300;
    if (out.createsDialog && success && !this.ctx.dialogs.has(out.dialogId)) {
      const created = createUacDialog(out.request, response, { localContact: '' });
      if (created.ok) {
        this.ctx.addDialog(this.ctx.newEntry({ dialog: created.dialog, app: out.app, local: out.local, connectionId: out.target.connectionId ?? null, peer: out.target }));
      }
    }
    const entry = out.entry;
    if (!entry) return;
    // RFC 3261 §15.1.1 ends the dialog with the BYE's response, except that a challenge (401/407,
    // §22.2/§22.3) is answered with a retry that must still be sent inside the dialog.
    if (method === 'BYE' && (status === 401 || status === 407)) this.ctx.lingerDialog(entry, `BYE challenged ${status}`);
    else if (method === 'BYE') this.ctx.removeDialog(entry, `BYE answered ${status}`);
    else if (success && method === 'NOTIFY' && entry.dialog.usage === 'subscribe' && /^\s*terminated/i.test(getHeader(out.request, 'Subscription-State') ?? '')) {
      this.ctx.removeDialog(entry, 'subscription terminated');
    } else if (success && (method === 'UPDATE' || method === 'SUBSCRIBE')) entry.dialog = refreshRemoteTarget(entry.dialog, response);
    // RFC 3261 §12.2.1.2: "If the response for a request within a dialog is a 481 or a 408, the UAC
    // SHOULD terminate the dialog."
    else if (ENDS_DIALOG_ON_FAILURE.has(status)) this.ctx.removeDialog(entry, `in-dialog ${method} got ${status}`);
  }

  /** RFC 3261 §8.1.3.1: a timeout is a 408, a transport failure a 503; both go to the app. */
  private failure(out: OutboundTxn, failure: TransactionFailure): void {
    const response = createResponse(out.request, failure.status, failure.reason);
    void this.response(out, response);
  }

  /** ACK a 2xx nobody will use and hang up at once (cancel race, second fork, app gone). */
  private async dismiss(out: OutboundTxn, response: SipResponse, reason: string, tellApp: boolean): Promise<void> {
    const created = createUacDialog(out.request, response, { localContact: '' });
    if (!created.ok) return;
    const entry = this.ctx.newEntry({ dialog: created.dialog, app: tellApp ? out.app : null, local: out.local, connectionId: out.target.connectionId ?? null, peer: out.target });
    await this.ctx.sendAck(entry, cseqOf(response));
    await this.ctx.hangUp(entry, reason);
  }

  private sendCancel(out: OutboundTxn, cancel: OutboundTxn['request']): void {
    try {
      this.ctx.transactions.sendRequest(cancel, out.target, {});
    } catch (error) {
      this.ctx.log.warn({ txnId: out.id, err: String(error) }, 'CANCEL not sent');
    }
  }

  private forward(out: OutboundTxn, response: SipResponse): void {
    if (response.status >= 200 && !out.final) {
      out.final = true;
      this.ctx.outbound.delete(out.id);
    }
    const payload = networkMessage(this.ctx.newId(), this.ctx.meta(out.target), out.id, out.dialogId, this.ctx.bytes(response));
    if (!out.echoed) out.held.push(payload);
    else this.ctx.toApp(out.app, payload);
  }
}

function toTag(response: SipResponse): string | null {
  try {
    return parseNameAddr(getHeader(response, 'To') ?? '').tag;
  } catch {
    return null;
  }
}

function cseqOf(response: SipResponse): number {
  try {
    return parseCSeq(getHeader(response, 'CSeq') ?? '').seq;
  } catch {
    return 0;
  }
}
