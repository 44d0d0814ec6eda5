/**
 * RFC 3261 §8.2.2.2 Merged Requests: "If the request has no tag in the To header field, the UAS
 * core MUST check the request against ongoing transactions. If the From tag, Call-ID, and CSeq
 * exactly match those associated with an ongoing transaction, but the request does not match that
 * transaction (based on the matching rules in Section 17.2.3), the UAS core SHOULD generate a 482
 * (Loop Detected) response". This happens when a forking proxy (or a loop) delivers one request
 * twice over different paths: without the check the application would see two calls.
 *
 * Retransmissions never get here (they match their transaction), so a second transaction with the
 * same From tag, Call-ID and CSeq is a merged copy. Entries live as long as the transaction does.
 */
import { getHeader, parseCSeq, parseNameAddr } from '../message/index.js';
import type { SipRequest } from '../message/sip-message.js';
import type { ServerTransaction } from '../transaction/server-transaction.js';

export class MergedRequests {
  private readonly ongoing = new Map<string, ServerTransaction>();
  /** The key each admitted transaction holds, so that forgetting it parses nothing again. */
  private readonly keys = new Map<ServerTransaction, string>();

  /**
   * Registers a new out-of-dialog request's transaction; returns false (answer 482) when another
   * live transaction already carries the same From tag, Call-ID and CSeq. Every admitted
   * transaction is forgotten when it terminates, so whatever `ongoing` holds is live.
   */
  admit(transaction: ServerTransaction): boolean {
    const key = mergeKey(transaction.request);
    if (key === null) return true;
    if (this.ongoing.has(key)) return false;
    this.ongoing.set(key, transaction);
    this.keys.set(transaction, key);
    return true;
  }

  /** The transaction terminated. */
  forget(transaction: ServerTransaction): void {
    const key = this.keys.get(transaction);
    if (key === undefined) return;
    this.keys.delete(transaction);
    this.ongoing.delete(key);
  }

  get size(): number {
    return this.ongoing.size;
  }
}

/** From tag, Call-ID and CSeq (number and method) of a request; null when one is missing. */
function mergeKey(request: SipRequest): string | null {
  const callId = getHeader(request, 'Call-ID');
  const from = getHeader(request, 'From');
  const cseq = getHeader(request, 'CSeq');
  if (callId === undefined || from === undefined || cseq === undefined) return null;
  try {
    const tag = parseNameAddr(from).tag;
    const { seq, method } = parseCSeq(cseq);
    return tag === null ? null : `${callId}\n${tag}\n${seq} ${method}`;
  } catch {
    return null;
  }
}
