/**
 * The engine's own request handler, enough to exercise the SIP core end to end before the
 * dialog/drachtio layer exists: OPTIONS answered 200 with its capabilities, every other
 * out-of-dialog request rejected with the status RFC 3261 §8.2 prescribes.
 */
import { headerValues } from '../message/index.js';
import type { ServerTransaction } from '../transaction/server-transaction.js';
import type { RequestHandler } from './request-handler.js';

export interface CoreRequestHandlerOptions {
  /** Methods listed in Allow (§20.5). */
  allow?: string[];
  /** Body types listed in Accept (§20.1). */
  accept?: string[];
  /** Option tags listed in Supported (§20.37); none by default. */
  supported?: string[];
  /** Final answer to an out-of-dialog INVITE; default 480 Temporarily Unavailable (no application). */
  inviteStatus?: number;
  inviteReason?: string;
}

/** Methods this engine recognizes (RFC 3261 and common extensions), for 405 vs 501 (§8.2.1). */
const KNOWN_METHODS = new Set(['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'REGISTER', 'PRACK', 'SUBSCRIBE', 'NOTIFY', 'PUBLISH', 'INFO', 'REFER', 'MESSAGE', 'UPDATE']);

export class CoreRequestHandler implements RequestHandler {
  private readonly allow: string[];
  private readonly accept: string[];
  private readonly supported: string[];
  private readonly inviteStatus: number;
  private readonly inviteReason: string | undefined;

  constructor(options: CoreRequestHandlerOptions = {}) {
    this.allow = options.allow ?? ['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS'];
    this.accept = options.accept ?? ['application/sdp'];
    this.supported = options.supported ?? [];
    this.inviteStatus = options.inviteStatus ?? 480;
    this.inviteReason = options.inviteReason;
  }

  onRequest(transaction: ServerTransaction): void | Promise<void> {
    const { request } = transaction;
    const method = request.method;
    // §8.2.1: "If the UAS recognizes but does not support the method of a request, it MUST generate
    // a 405 (Method Not Allowed) response ... The UAS MUST also add an Allow header field";
    // an unrecognized method gets 501 (Not Implemented, §21.5.2).
    if (!KNOWN_METHODS.has(method)) {
      transaction.reply(501, undefined, { headers: [this.allowHeader()] });
      return;
    }
    if (!this.allow.includes(method)) {
      transaction.reply(405, undefined, { headers: [this.allowHeader()] });
      return;
    }
    // §12.2.2: "If the UAS receives a request with a tag in the To header field that doesn't match
    // an existing dialog ... it SHOULD respond with a 481". This engine has no dialogs yet.
    // §15.1.2: "If the BYE does not match an existing dialog, the UAS core SHOULD generate a 481".
    if (transaction.requestToTag !== null || method === 'BYE') {
      transaction.reply(481);
      return;
    }
    // §8.2.2.3: "If a UAS does not understand an option-tag listed in a Require header field, it
    // MUST respond by generating a response with status code 420 (Bad Extension) ... listing those
    // option tags it does not understand" in Unsupported.
    const unsupported = headerValues(request, 'require').filter((tag) => !this.supported.includes(tag.trim()));
    if (unsupported.length > 0) {
      transaction.reply(420, undefined, { headers: [{ name: 'Unsupported', value: unsupported.join(', ') }] });
      return;
    }
    if (method === 'OPTIONS') {
      // §11.2: "Allow, Accept, Accept-Encoding, Accept-Language, and Supported header fields
      // SHOULD be present in a response to an OPTIONS request".
      transaction.reply(200, 'OK', {
        headers: [this.allowHeader(), { name: 'Accept', value: this.accept.join(', ') }, { name: 'Supported', value: this.supported.join(', ') }],
      });
      return;
    }
    if (method === 'INVITE') return this.answerInvite(transaction);
    transaction.reply(405, undefined, { headers: [this.allowHeader()] });
  }

  /**
   * No application is attached: the INVITE is declined. Answered after a hand-off (as a real
   * application does asynchronously), so 100 Trying precedes the final response.
   */
  private async answerInvite(transaction: ServerTransaction): Promise<void> {
    await Promise.resolve();
    // A CANCEL may have answered it (487) meanwhile.
    if (transaction.finalStatus !== null) return;
    transaction.reply(this.inviteStatus, this.inviteReason);
  }

  private allowHeader(): { name: string; value: string } {
    return { name: 'Allow', value: this.allow.join(', ') };
  }
}
