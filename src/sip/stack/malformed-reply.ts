/**
 * The stateless answer to a request that failed parsing or the sanity checks ("Bad input" in
 * issue 3): 400 (or 505/513/…, as the message layer decided) with a reason phrase naming the
 * defect, built from whatever headers could be read. A request can be answered only when it is a
 * request, not an ACK (§17.1.1.3: ACK is never answered), and its top Via parses, so the response
 * can be routed (§18.2.2); everything else is dropped by the caller and counted.
 */
import type { SipParseError } from '../message/index.js';
import type { HeaderField, SipAddress, SipRequest, SipResponse } from '../message/sip-message.js';
import { createResponse } from '../transaction/create-response.js';
import { newTag } from '../transaction/random-ids.js';
import { readTopVia } from '../transport/top-via.js';
import { stampReceived } from '../transport/stamp-received.js';

export interface MalformedRequest {
  method: string | undefined;
  headers: HeaderField[];
}

/** The response to send, or null when the request cannot be answered. */
export function malformedReply(error: SipParseError, request: MalformedRequest, source: SipAddress): SipResponse | null {
  if (request.method === undefined || request.method === 'ACK') return null;
  const pseudo: SipRequest = { kind: 'request', method: request.method, uri: '', version: 'SIP/2.0', headers: request.headers, body: Buffer.alloc(0) };
  if (readTopVia(pseudo) === null) return null;
  const status = error.status >= 300 && error.status <= 699 ? error.status : 400;
  // RFC 3581 §4 / §18.2.1: stamp received/rport so the response follows the source address.
  return createResponse(stampReceived(pseudo, source), status, error.reason, { toTag: newTag() });
}
