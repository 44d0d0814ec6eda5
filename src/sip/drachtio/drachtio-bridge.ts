/**
 * The drachtio bridge: the server side of drachtio-protocol.md §6–§8. It is the transport's user
 * for inbound SIP (requests and responses) and the control server's handler for application
 * commands, and wires both to the transaction layer and the dialog state.
 */
import { validateResponse } from '../message/index.js';
import type { InboundMessage, MalformedInbound, TransportUser } from '../transport/transport.js';
import type { ApplicationConnection, ApplicationHandler } from './application-connection.js';
import { decodeAppSip } from './app-message.js';
import { AppRequestHandler } from './app-request-handler.js';
import { AppResponseHandler } from './app-response-handler.js';
import { BridgeContext, type BridgeOptions } from './bridge-context.js';
import type { ProxyCommand, SipCommand } from './client-message.js';
import { NetworkRequestHandler } from './network-request-handler.js';
import { OutboundResponseHandler } from './outbound-response-handler.js';
import { failureResponse } from './server-messages.js';

export type { BridgeOptions } from './bridge-context.js';

export class DrachtioBridge implements ApplicationHandler, TransportUser {
  private readonly ctx: BridgeContext;
  private readonly network: NetworkRequestHandler;
  private readonly appResponses: AppResponseHandler;
  private readonly appRequests: AppRequestHandler;

  constructor(options: BridgeOptions) {
    this.ctx = new BridgeContext(options);
    this.network = new NetworkRequestHandler(this.ctx);
    this.appResponses = new AppResponseHandler(this.ctx);
    this.appRequests = new AppRequestHandler(this.ctx, new OutboundResponseHandler(this.ctx));
  }

  /** Counts for diagnostics and tests (leak checks). */
  stats(): { dialogs: number; inbound: number; outbound: number } {
    return { dialogs: this.ctx.dialogs.size, inbound: this.ctx.inbound.size, outbound: this.ctx.outbound.size };
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

  malformed(inbound: MalformedInbound): void {
    // The transport answers what it can (400/513); here it is only logged.
    this.ctx.log.debug({ source: inbound.source, code: inbound.error.code }, 'malformed SIP message');
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
    // DEVIATION: srf.proxyRequest (drachtio-protocol.md §5.3, §12) is not implemented yet.
    this.ctx.toApp(app, failureResponse(this.ctx.newId(), command.id, 'NOK', 'Server error: proxy not supported'));
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
