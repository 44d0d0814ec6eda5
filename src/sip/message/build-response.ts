/**
 * Build a response to a request (RFC 3261 §8.2.6): Via (all, in order), From, Call-ID and CSeq
 * copied; To copied with a tag added when the request had none (§8.2.6.2); Timestamp copied for
 * 100 Trying (§8.2.6.1); Content-Length 0.
 */
import { headerFields, type HasHeaders } from './header-access.js';
import { generateTag } from './generate-ids.js';
import { sanitizeReason } from './sip-error-codes.js';
import type { HeaderField, SipResponse } from './sip-message.js';
import { parseNameAddr } from './parse-name-addr.js';

export interface BuildResponseOptions {
  /** To tag to add when the request's To has none; generated when omitted (not for 100). */
  toTag?: string;
  /** Extra headers appended after the copied ones (before Content-Length). */
  headers?: HeaderField[];
}

function hasTag(to: string): boolean {
  try {
    return parseNameAddr(to).tag !== null;
  } catch {
    // An unparseable To (we may be answering 400 because of it) is copied as is.
    return true;
  }
}

/**
 * `request` may be a parsed `SipRequest` or the `partial` of a parse/validation error, so a broken
 * request can still be answered with the status its defect maps to.
 */
export function buildResponse(request: HasHeaders, status: number, reason: string, options: BuildResponseOptions = {}): SipResponse {
  const headers: HeaderField[] = [];
  for (const f of headerFields(request, 'via')) headers.push({ name: 'Via', value: f.value });
  const from = headerFields(request, 'from')[0];
  if (from) headers.push({ name: 'From', value: from.value });
  const to = headerFields(request, 'to')[0];
  if (to) {
    let value = to.value;
    // RFC 3261 §8.2.6.2: add a To tag when there is none; a 100 Trying MAY omit it.
    if (status > 100 && !hasTag(value)) value += ';tag=' + (options.toTag ?? generateTag());
    headers.push({ name: 'To', value });
  }
  const callId = headerFields(request, 'call-id')[0];
  if (callId) headers.push({ name: 'Call-ID', value: callId.value });
  const cseq = headerFields(request, 'cseq')[0];
  if (cseq) headers.push({ name: 'CSeq', value: cseq.value });
  if (status === 100) {
    const ts = headerFields(request, 'timestamp')[0];
    if (ts) headers.push({ name: 'Timestamp', value: ts.value });
  }
  if (options.headers) for (const h of options.headers) headers.push({ name: h.name, value: h.value });
  headers.push({ name: 'Content-Length', value: '0' });
  return { kind: 'response', version: 'SIP/2.0', status, reason: sanitizeReason(reason), headers, body: Buffer.alloc(0) };
}
