/**
 * Transaction matching keys (RFC 3261 §17.1.3, §17.2.3, §9.2).
 *
 * Key recipe (pjsip style, documented once here):
 *
 * CLIENT (§17.1.3) — a response matches a client transaction when
 *   1. the `branch` of its top Via equals the branch of the top Via of the request that created the
 *      transaction, and
 *   2. the method of its CSeq equals the method of that request ("a CANCEL request constitutes a
 *      different transaction, but shares the same branch parameter value").
 *   key = `c|<branch>|<CSeq method>`. The branch is ours (random, magic cookie), so sent-by is not
 *   needed.
 *
 * SERVER (§17.2.3) — when the top Via branch begins with the magic cookie `z9hG4bK`, a request
 * matches when branch, sent-by (host:port of the top Via) and method are equal, "except for ACK,
 * where the method of the request that created the transaction is INVITE":
 *   key = `s3261|<branch>|<sent-by host lower-cased>:<port or "">`, method compared separately
 *   (ACK counts as INVITE).
 * Otherwise (RFC 2543 peer) the full fallback: "the Request-URI, To tag, From tag, Call-ID, CSeq,
 * and top Via header field match those of the INVITE" — for an ACK the CSeq number only, and "the
 * To tag of the ACK matches the To tag of the response sent by the server transaction":
 *   key = `s2543|<Request-URI>|<From tag>|<Call-ID>|<CSeq number>|<top Via sent-by, transport and
 *   params other than the received/rport we stamp>`, method compared separately, To tag compared
 *   against the original request's tag (or, for ACK, against the tag of the response we sent).
 *
 * CANCEL (§9.2): "The TU determines the transaction to be cancelled by taking the CANCEL request,
 * and then assuming that the request method is anything but CANCEL or ACK and applying the
 * transaction matching procedures of Section 17.2.3." The same key is used; the method test becomes
 * "not CANCEL, not ACK".
 */
import { getHeader, parseCSeq, parseNameAddr, parseVia, type Via } from '../message/index.js';
import type { SipRequest, SipResponse } from '../message/sip-message.js';

export const MAGIC_COOKIE = 'z9hG4bK';

/** Key of a client transaction from the request it sends (§17.1.3). */
export function clientKeyOf(branch: string, method: string): string {
  return `c|${branch}|${method}`;
}

/** Key a response is looked up with (§17.1.3), or null when it has no usable top Via/CSeq. */
export function responseClientKey(response: SipResponse): string | null {
  const via = topVia(response);
  const cseq = safeCSeq(response);
  if (via === null || via.branch === null || cseq === null) return null;
  return clientKeyOf(via.branch, cseq.method);
}

export interface ServerMatchKey {
  /** Map key: every field compared except method and To tag. */
  key: string;
  /** Method of the transaction this request belongs to (ACK → INVITE). */
  method: string;
  /** RFC 2543 fallback: To tags must also be compared. */
  rfc2543: boolean;
  /** The request's To tag (compared only in the RFC 2543 fallback). */
  toTag: string | null;
}

/** Server-side key of a request (§17.2.3), or null when the top Via, CSeq or Call-ID is unusable. */
export function serverKeyOf(request: SipRequest): ServerMatchKey | null {
  const via = topVia(request);
  if (via === null) return null;
  const method = request.method === 'ACK' ? 'INVITE' : request.method;
  if (via.branch !== null && via.branch.startsWith(MAGIC_COOKIE)) {
    return { key: `s3261|${via.branch}|${sentBy(via)}`, method, rfc2543: false, toTag: null };
  }
  const cseq = safeCSeq(request);
  const callId = getHeader(request, 'call-id');
  if (cseq === null || callId === undefined) return null;
  const fromTag = tagOf(getHeader(request, 'from'));
  const key = ['s2543', request.uri, fromTag ?? '', callId.trim(), String(cseq.seq), viaIdentity(via)].join('|');
  return { key, method, rfc2543: true, toTag: tagOf(getHeader(request, 'to')) };
}

/** What a stored server transaction offers to the matcher. */
export interface ServerTransactionIdentity {
  method: string;
  /** To tag of the request that created it. */
  requestToTag: string | null;
  /** To tag of the final response it sent (RFC 2543 ACK matching), if any. */
  responseToTag: string | null;
}

/** §17.2.3 method and (RFC 2543) To-tag comparison, after the map key has matched. */
export function serverMatches(key: ServerMatchKey, isAck: boolean, candidate: ServerTransactionIdentity): boolean {
  if (candidate.method !== key.method) return false;
  if (!key.rfc2543) return true;
  // RFC 2543: "the To tag of the ACK matches the To tag of the response sent by the server
  // transaction"; any other request must carry the To tag of the original request.
  return isAck ? candidate.responseToTag !== null && candidate.responseToTag === key.toTag : candidate.requestToTag === key.toTag;
}

/** §9.2: the transaction a CANCEL targets — any method but CANCEL or ACK, same key and To tag. */
export function cancelTargetMatches(key: ServerMatchKey, candidate: ServerTransactionIdentity): boolean {
  if (candidate.method === 'CANCEL' || candidate.method === 'ACK') return false;
  return !key.rfc2543 || candidate.requestToTag === key.toTag;
}

/** The To tag of a response, for RFC 2543 ACK matching. */
export function responseToTag(response: SipResponse): string | null {
  return tagOf(getHeader(response, 'to'));
}

/** The branch of a request's top Via (null when missing or unparsable). */
export function topViaBranch(message: SipRequest | SipResponse): string | null {
  return topVia(message)?.branch ?? null;
}

function topVia(message: SipRequest | SipResponse): Via | null {
  const value = getHeader(message, 'via');
  if (value === undefined) return null;
  try {
    return parseVia(value)[0] ?? null;
  } catch {
    return null;
  }
}

function safeCSeq(message: SipRequest | SipResponse): { seq: number; method: string } | null {
  const value = getHeader(message, 'cseq');
  if (value === undefined) return null;
  try {
    return parseCSeq(value);
  } catch {
    return null;
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

function sentBy(via: Via): string {
  return `${via.host.toLowerCase()}:${via.port ?? ''}`;
}

/** The top Via for RFC 2543 comparison, without the received/rport parameters stamped on receipt. */
function viaIdentity(via: Via): string {
  const params = Object.entries(via.params)
    .filter(([name]) => name !== 'received' && name !== 'rport')
    .map(([name, value]) => (value === null ? name : `${name}=${value}`))
    .sort()
    .join(';');
  return `${via.transport}/${sentBy(via)};${params}`;
}
