/**
 * Responses the application sends to network requests (drachtio-protocol.md §7.5): the server
 * completes them (Via/From/Call-ID/CSeq copied, To tag, Record-Route, Contact, RSeq), sends them
 * on the server transaction, keeps the dialog state, and echoes what was sent (§5.2b).
 */
import { confirmUasDialog, createUasDialog, refreshRemoteTarget } from '../dialog/dialog-state.js';
import { issueReliable, newUasReliableState } from '../dialog/reliable-provisional.js';
import { prackWaitSettings } from '../dialog/retransmit-schedule.js';
import { RetransmitRunner } from '../dialog/retransmit-runner.js';
import { getHeader, headerFields, parseNameAddr } from '../message/index.js';
import type { HeaderField, SipRequest, SipResponse } from '../message/sip-message.js';
import type { ApplicationConnection } from './application-connection.js';
import { appHeaders, hasOptionTag, inferContentType, rewriteLocalhost } from './app-message.js';
import type { BridgeContext } from './bridge-context.js';
import type { DialogEntry, InboundTxn } from './bridge-types.js';
import type { SipCommand } from './client-message.js';
import { failureResponse, responseEcho } from './server-messages.js';

/** Headers the server takes from the request or computes itself, never from the app response. */
const SERVER_OWNED = new Set(['from', 'to', 'call-id', 'cseq', 'contact', 'content-type', 'require', 'rseq']);

export class AppResponseHandler {
  constructor(private readonly ctx: BridgeContext) {}

  async respond(app: ApplicationConnection, command: SipCommand, appResponse: SipResponse): Promise<void> {
    const nok = (text: string) => this.ctx.toApp(app, failureResponse(this.ctx.newId(), command.id, 'NOK', text));
    if (command.transactionId === '') {
      this.ctx.toApp(app, failureResponse(this.ctx.newId(), command.id, 'NO', 'transaction id missing'));
      return;
    }
    const txn = this.ctx.inbound.get(command.transactionId);
    if (!txn) return void nok('Response not sent due to unknown transaction');
    if (txn.cancelled) return void nok('Response not sent: request was canceled');
    if (txn.finalSent) return void nok('Response not sent: final response already sent');
    const status = appResponse.status;
    const request = txn.request;
    const method = request.method;
    // A request that arrived with a To tag belongs to an existing dialog (§12.2.2).
    const inDialog = hasToTag(request);
    const creates = !inDialog && (method === 'INVITE' || method === 'SUBSCRIBE');
    const reliable = method === 'INVITE' && status > 100 && status < 200 && hasOptionTag(appResponse, 'Require', '100rel');

    // To tag: the app may dictate it (`To: ...;tag=x`); one tag per transaction (§7.5).
    if (status !== 100 && txn.toTag === null) txn.toTag = appToTag(appResponse) ?? requestToTagOf(request) ?? txn.transaction.toTag;
    const response = this.build(txn, appResponse, { creates, reliable });
    if (reliable) {
      const issued = issueReliable(txn.reliable ?? newUasReliableState(), cseqNumber(request), method);
      if (!issued.ok) return void nok('Response not sent: previous reliable provisional not acknowledged');
      txn.reliable = issued.state;
      insertBefore(response.headers, 'Content-Length', { name: 'RSeq', value: String(issued.rseq) });
    }

    let entry = txn.entry;
    if (creates && ((status >= 200 && status < 300) || reliable)) entry = this.uasDialog(txn, response);
    if (status >= 100 && status < 200) txn.provisionalSent = status > 100;
    if (status >= 200) txn.finalSent = true;

    const whenSent = this.ctx.tap.expectSend(response);
    txn.transaction.respond(response);
    if (reliable) this.retransmitReliable(txn, response);
    if (status >= 200) this.afterFinal(txn, entry, response, inDialog);

    const sent = await whenSent;
    if (!sent) return void nok('transport for response has been shutdown or closed');
    if (creates && method === 'INVITE' && status >= 200) {
      if (status < 300) this.ctx.cdr.start(entry, 'application', 'uas', () => sent.wire);
      else this.ctx.cdr.failed('application', status, () => sent.wire);
    }
    const echoDialog = creates || inDialog ? txn.dialogId : '';
    this.ctx.toApp(app, responseEcho(this.ctx.newId(), command.id, this.ctx.meta(sent.destination), txn.id, echoDialog, sent.wire));
  }

  /** Build the response from the original request (§7.5, RFC 3261 §8.2.6). */
  private build(txn: InboundTxn, app: SipResponse, flags: { creates: boolean; reliable: boolean }): SipResponse {
    const request = txn.request;
    const status = app.status;
    const local = txn.transaction.inbound.local;
    const headers: HeaderField[] = [];
    for (const via of headerFields(request, 'Via')) headers.push({ name: 'Via', value: via.value });
    headers.push({ name: 'From', value: getHeader(request, 'From') ?? '' });
    const to = getHeader(request, 'To') ?? '';
    headers.push({ name: 'To', value: status === 100 || txn.toTag === null || hasTag(to) ? to : `${to};tag=${txn.toTag}` });
    headers.push({ name: 'Call-ID', value: getHeader(request, 'Call-ID') ?? '' });
    headers.push({ name: 'CSeq', value: getHeader(request, 'CSeq') ?? '' });
    // §8.6 / RFC 3261 §12.1.1: Record-Route is copied into 1xx/2xx of dialog-creating requests.
    if (flags.creates && status > 100 && status < 300) {
      for (const rr of headerFields(request, 'Record-Route')) headers.push({ name: 'Record-Route', value: rr.value });
    }
    const appContact = getHeader(app, 'Contact');
    const needsContact = (flags.creates || txn.entry !== null) && ((status >= 200 && status < 300) || flags.reliable) && (request.method === 'INVITE' || request.method === 'SUBSCRIBE' || request.method === 'UPDATE');
    if (appContact !== undefined) headers.push({ name: 'Contact', value: rewriteLocalhost(appContact, local.address, local.port) });
    else if (needsContact) headers.push({ name: 'Contact', value: this.ctx.endpoints.contact(local) });
    if (flags.reliable) headers.push({ name: 'Require', value: '100rel' });
    headers.push(...appHeaders(app, SERVER_OWNED));
    const contentType = getHeader(app, 'Content-Type') ?? (app.body.length > 0 ? inferContentType(app.body) : null);
    if (app.body.length > 0 && contentType) headers.push({ name: 'Content-Type', value: contentType });
    headers.push({ name: 'Content-Length', value: String(app.body.length) });
    return { kind: 'response', version: 'SIP/2.0', status, reason: app.reason, headers, body: app.body };
  }

  /** Create (2xx or reliable 1xx) or confirm the UAS dialog (§12.1.1). */
  private uasDialog(txn: InboundTxn, response: SipResponse): DialogEntry | null {
    const existing = txn.entry;
    if (existing) {
      if (response.status >= 200) existing.dialog = confirmUasDialog(existing.dialog);
      return existing;
    }
    const origin = txn.transaction.inbound;
    const result = createUasDialog(txn.request, response, {
      localContact: getHeader(response, 'Contact') ?? this.ctx.endpoints.contact(origin.local),
      remoteTargetFallback: `sip:${origin.source.address.includes(':') ? `[${origin.source.address}]` : origin.source.address}:${origin.source.port}${origin.source.transport === 'tcp' ? ';transport=tcp' : ''}`,
    });
    if (!result.ok) {
      this.ctx.log.warn({ txnId: txn.id, reason: result.error.reason }, 'response does not create a dialog');
      return null;
    }
    const entry = this.ctx.newEntry({ dialog: result.dialog, app: txn.app, local: origin.local, connectionId: origin.connectionId, peer: origin.source });
    this.ctx.addDialog(entry);
    txn.entry = entry;
    return entry;
  }

  private afterFinal(txn: InboundTxn, entry: DialogEntry | null, response: SipResponse, inDialog: boolean): void {
    const status = response.status;
    const method = txn.request.method;
    const success = status >= 200 && status < 300;
    txn.prackWait?.close();
    txn.prackWait = null;
    if (method === 'INVITE' && entry) {
      if (inDialog) entry.activity = { ...entry.activity, incomingUnanswered: null };
      if (success) {
        // Target refresh (§12.2.2) for re-INVITE; 2xx retransmission until ACK (§13.3.1.4).
        if (inDialog) entry.dialog = refreshRemoteTarget(entry.dialog, txn.request);
        this.ctx.startAckWait(entry, inDialog ? this.ctx.newId() : txn.id, response, txn.transaction.inbound);
      } else if (!inDialog) {
        this.ctx.removeDialog(entry, `INVITE rejected ${status}`);
      } else {
        this.ctx.drainQueue(entry);
      }
    } else if (entry && success && inDialog) {
      if (method === 'UPDATE' || method === 'SUBSCRIBE' || method === 'NOTIFY') entry.dialog = refreshRemoteTarget(entry.dialog, txn.request);
      if (method === 'NOTIFY' && entry.dialog.usage === 'subscribe' && /^\s*terminated/i.test(getHeader(txn.request, 'Subscription-State') ?? '')) {
        this.ctx.removeDialog(entry, 'subscription terminated');
      }
    }
    this.ctx.forgetInbound(txn);
  }

  /** RFC 3262 §3: retransmit the reliable provisional until the PRACK (or 64×T1). */
  private retransmitReliable(txn: InboundTxn, response: SipResponse): void {
    txn.prackWait?.close();
    let first = true;
    const runner = new RetransmitRunner(
      prackWaitSettings(this.ctx.timers, txn.transaction.reliable),
      {
        send: () => {
          if (first) {
            first = false;
            return;
          }
          if (!txn.finalSent) txn.transaction.respond(response);
        },
        timedOut: () => this.ctx.log.info({ txnId: txn.id }, 'no PRACK for reliable provisional'),
      },
      this.ctx.scheduler,
    );
    txn.prackWait = runner;
    runner.start();
  }
}

function hasTag(value: string): boolean {
  try {
    return parseNameAddr(value).tag !== null;
  } catch {
    return /;\s*tag=/i.test(value);
  }
}

function hasToTag(request: SipRequest): boolean {
  return hasTag(getHeader(request, 'To') ?? '');
}

function requestToTagOf(request: SipRequest): string | null {
  try {
    return parseNameAddr(getHeader(request, 'To') ?? '').tag;
  } catch {
    return null;
  }
}

function appToTag(app: SipResponse): string | null {
  const to = getHeader(app, 'To');
  if (to === undefined) return null;
  try {
    return parseNameAddr(to).tag;
  } catch {
    return null;
  }
}

function cseqNumber(request: SipRequest): number {
  return Number.parseInt(getHeader(request, 'CSeq') ?? '0', 10) || 0;
}

function insertBefore(headers: HeaderField[], name: string, field: HeaderField): void {
  const index = headers.findIndex((h) => h.name === name);
  if (index < 0) headers.push(field);
  else headers.splice(index, 0, field);
}
