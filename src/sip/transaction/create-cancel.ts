/**
 * The CANCEL of a pending INVITE (RFC 3261 §9.1), sent in its own non-INVITE client transaction.
 */
import type { SipRequest } from '../message/sip-message.js';
import { derivedHeaders } from './create-non2xx-ack.js';

/**
 * RFC 3261 §9.1: "The Request-URI, Call-ID, To, the numeric part of CSeq, and From header fields
 * in the CANCEL request MUST be identical to those in the request being cancelled, including
 * tags. A CANCEL constructed by a client MUST have only a single Via header field value matching
 * the top Via value in the request being cancelled." Route header fields are copied too.
 */
export function createCancel(request: SipRequest): SipRequest {
  return { kind: 'request', method: 'CANCEL', uri: request.uri, version: 'SIP/2.0', headers: derivedHeaders(request, 'CANCEL', undefined), body: Buffer.alloc(0) };
}
