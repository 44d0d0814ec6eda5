/**
 * The server as a transaction-stateful proxy (RFC 3261 §16): `srf.proxyRequest` commands
 * (drachtio-protocol.md §4 `proxy`, §5.3, §12 "proxyRequest") and the requests that come back
 * through the Record-Route it inserted (ACK, BYE, re-INVITE … of a proxied dialog).
 */
import { getHeader, parseUri } from '../message/index.js';
import type { SipRequest } from '../message/sip-message.js';
import { forwardRequest, maxForwardsOf, nextHop, parseProxyTimeout, withoutOwnRoute } from '../proxy/index.js';
import type { InboundContext, ServerTransaction } from '../transaction/server-transaction.js';
import type { ApplicationConnection } from './application-connection.js';
import { appHeaders, decodeAppSip } from './app-message.js';
import type { BridgeContext } from './bridge-context.js';
import type { ProxyCommand } from './client-message.js';
import { ProxyOperation, type ProxyReporter } from './proxy-operation.js';
import { failureResponse, proxyDone, proxyResponse } from './server-messages.js';

/** Taken from the received request; the application's stub may not override them (§16.6 step 1). */
const REQUEST_OWNED = new Set(['from', 'to', 'call-id', 'cseq', 'max-forwards', 'content-type', 'contact']);

export class ProxyHandler {
  constructor(private readonly ctx: BridgeContext) {}

  /** `proxy|<txnId>|...` from the application: forward the pending request it was given. */
  command(app: ApplicationConnection, command: ProxyCommand): void {
    const nok = (text: string) => void this.ctx.toApp(app, failureResponse(this.ctx.newId(), command.id, 'NOK', text));
    const txn = this.ctx.inbound.get(command.transactionId);
    if (!txn || txn.app !== app) return nok(`unknown transaction id: ${command.transactionId}`);
    if (txn.finalSent || txn.cancelled) return nok('request already answered');
    if (txn.entry !== null) return nok('in-dialog requests can not be proxied');
    const stub = decodeAppSip(command.sip);
    const extraHeaders = stub.ok ? appHeaders(stub.message, REQUEST_OWNED) : [];
    // From now on the proxy answers the request, not the application (§12).
    this.ctx.forgetInbound(txn);
    const reporter: ProxyReporter = {
      final: (from, response) => void this.ctx.toApp(app, proxyResponse(this.ctx.newId(), command.id, this.ctx.meta(from), this.ctx.bytes(response))),
      done: (upstream) => {
        if (txn.request.method === 'INVITE') {
          // §5.5: the proxy's side of the call record (role `proxy-uac`: the answer it received).
          if (upstream.status < 300) this.ctx.cdr.start(null, 'network', 'proxy-uac', () => this.ctx.bytes(upstream));
          else this.ctx.cdr.failed('network', upstream.status, () => this.ctx.bytes(upstream));
        }
        this.ctx.toApp(app, proxyDone(this.ctx.newId(), command.id));
      },
      failed: (text) => nok(text),
    };
    const operation = new ProxyOperation(
      this.ctx,
      txn.transaction,
      txn.request,
      {
        targets: command.destinations,
        rewriteUri: true,
        recordRoute: command.remainInDialog,
        followRedirects: command.followRedirects,
        simultaneous: command.simultaneous,
        provisionalTimeoutMs: parseProxyTimeout(command.provisionalTimeout),
        finalTimeoutMs: parseProxyTimeout(command.finalTimeout),
        extraHeaders,
      },
      reporter,
    );
    operation.start();
  }

  /**
   * §16.4: a request whose first Route is ours, headed elsewhere, is proxied: the Route-stripped
   * request is returned. Null when the request is for this server's own dialogs (or has no such
   * Route), so the normal UA processing applies.
   */
  routed(request: SipRequest): SipRequest | null {
    const { request: stripped, removed } = withoutOwnRoute(request, (uri) => this.isSelf(uri));
    if (!removed) return null;
    const hop = nextHop(stripped);
    return this.isSelf(hop) ? null : stripped;
  }

  /** A new server transaction for a request routed through us (BYE, re-INVITE, INFO …). */
  forwardInDialog(transaction: ServerTransaction, stripped: SipRequest): void {
    const operation = new ProxyOperation(
      this.ctx,
      transaction,
      stripped,
      {
        targets: [stripped.uri],
        rewriteUri: false,
        recordRoute: false,
        followRedirects: false,
        simultaneous: false,
        provisionalTimeoutMs: null,
        finalTimeoutMs: null,
        extraHeaders: [],
      },
      null,
    );
    transaction.start({ onRequest: () => undefined });
    operation.start();
  }

  /**
   * An ACK for a 2xx of a proxied dialog (its own transaction, §17.1.1.3): forwarded statelessly
   * (§16.11: "the ACK for a 2xx ... the proxy forwards it statelessly"), never answered.
   */
  async forwardAck(stripped: SipRequest, context: InboundContext): Promise<void> {
    // §16.3 step 3: an ACK with Max-Forwards 0 cannot be answered 483; it is dropped.
    if (maxForwardsOf(stripped) === 0) return;
    const resolved = await this.ctx.endpoints.resolve(nextHop(stripped));
    if (!resolved.ok || this.ctx.endpoints.isSelf(resolved.target.address, resolved.target.port)) return;
    const forwarded = forwardRequest(stripped, {
      targetUri: stripped.uri,
      via: this.ctx.endpoints.via(resolved.local, this.ctx.newBranch()),
      recordRoute: null,
    });
    this.ctx.tap.send(forwarded, resolved.target).catch((error: unknown) => {
      this.ctx.log.debug({ callId: getHeader(stripped, 'Call-ID'), source: context.source, err: String(error) }, 'proxied ACK not sent');
    });
  }

  private isSelf(uriText: string): boolean {
    try {
      const uri = parseUri(uriText.trim().replace(/^<(.*)>$/, '$1'));
      if (uri.scheme === 'tel') return false;
      return this.ctx.endpoints.isSelf(uri.params.maddr ?? uri.host, uri.port ?? 5060);
    } catch {
      return false;
    }
  }
}
