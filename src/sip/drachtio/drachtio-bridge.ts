/**
 * The drachtio bridge: the server side of drachtio-protocol.md §6–§8. It is the transport's user
 * for inbound SIP (requests and responses) and the control server's handler for application
 * commands, and wires both to the transaction layer and the dialog state.
 */
import { validateResponse } from '../message/index.js';
import { malformedReply } from '../stack/malformed-reply.js';
import type { InboundMessage, MalformedInbound, TransportUser } from '../transport/transport.js';
import type { ApplicationConnection, ApplicationHandler } from './application-connection.js';
import { decodeAppSip } from './app-message.js';
import { AppRequestHandler } from './app-request-handler.js';
import { AppResponseHandler } from './app-response-handler.js';
import { BridgeContext, type BridgeOptions } from './bridge-context.js';
import type { ProxyCommand, SipCommand } from './client-message.js';
import { NetworkRequestHandler } from './network-request-handler.js';
import { OutboundResponseHandler } from './outbound-response-handler.js';
import { ProxyHandler } from './proxy-handler.js';
import { failureResponse } from './server-messages.js';

export type { BridgeOptions } from './bridge-context.js';

export class DrachtioBridge implements ApplicationHandler, TransportUser {
  private readonly ctx: BridgeContext;
  private readonly network: NetworkRequestHandler;
  private readonly appResponses: AppResponseHandler;
  private readonly appRequests: AppRequestHandler;
  private readonly proxies: ProxyHandler;

  constructor(options: BridgeOptions) {
    this.ctx = new BridgeContext(options);
    this.proxies = new ProxyHandler(this.ctx);
    this.network = new NetworkRequestHandler(this.ctx, this.proxies);
    this.appResponses = new AppResponseHandler(this.ctx);
    this.appRequests = new AppRequestHandler(this.ctx, new OutboundResponseHandler(this.ctx));
  }

  /** Counts for diagnostics and tests (leak checks). */
  stats(): { dialogs: number; inbound: number; outbound: number; proxies: number } {
    return { dialogs: this.ctx.dialogs.size, inbound: this.ctx.inbound.size, outbound: this.ctx.outbound.size, proxies: this.ctx.proxies.size };
  }

  // ---- TransportUser ------------------------------------------------------------------------

  receive(inbound: InboundMessage): void {
    const message = inbound.message;
    if (message.kind === 'request') {
      this.network.receive(message, inbound);
      return;
    }
    // RFC 3261 §18.1.2: a response with a defect is dropped.
    if (validateResponse(message) !== null) return;
    this.ctx.transactions.receiveResponse(message);
  }

  /**
   * Bytes the transport could not parse or frame. A request is answered (400, 513 …) from the
   * headers that could be read when its top Via allows routing the response (issue 3 "Bad
   * input"); ACKs, responses and garbage are dropped (RFC 3261 §18.1.2, §17.1.1.3).
   */
  malformed(inbound: MalformedInbound): void {
    const { error } = inbound;
    this.ctx.log.debug({ source: inbound.source, code: error.code }, 'malformed SIP message');
    if (error.partial.kind !== 'request') return;
    const response = malformedReply(error, { method: error.partial.method, headers: error.partial.headers }, inbound.source);
    if (response === null) return;
    this.ctx.tap.sendResponse(response, inbound).catch(() => undefined);
  }

  // ---- ApplicationHandler ---------------------------------------------------------------------

  sip(app: ApplicationConnection, command: SipCommand): void {
    const decoded = decodeAppSip(command.sip);
    if (!decoded.ok) {
      this.ctx.toApp(app, failureResponse(this.ctx.newId(), command.id, 'NOK', `Server error: invalid SIP message: ${decoded.reason}`));
      return;
    }
    const message = decoded.message;
    const work = message.kind === 'response' ? this.appResponses.respond(app, command, message) : this.appRequests.request(app, command, message);
    work.catch((error: unknown) => {
      this.ctx.log.error({ app: app.id, err: error instanceof Error ? error.stack : String(error) }, 'drachtio sip command failed');
      this.ctx.toApp(app, failureResponse(this.ctx.newId(), command.id, 'NOK', 'Server error: internal error'));
    });
  }

  proxy(app: ApplicationConnection, command: ProxyCommand): void {
    this.proxies.command(app, command);
  }

  /**
   * An application went away (§15): its unanswered requests get 480, its dialogs stay up in the
   * SIP layer but in-dialog requests for them are answered 481 from now on.
   */
  disconnected(app: ApplicationConnection): void {
    for (const txn of [...this.ctx.inbound.values()]) {
      if (txn.app !== app) continue;
      if (!txn.finalSent && txn.request.method !== 'ACK') {
        txn.finalSent = true;
        try {
          txn.transaction.reply(480);
        } catch {
          // transaction already gone
        }
      }
      this.ctx.forgetInbound(txn);
    }
    for (const entry of this.ctx.dialogs.values()) if (entry.app === app) entry.app = null;
  }

  close(): void {
    this.ctx.close();
  }
}
