/**
 * The ACK a client INVITE transaction sends for a non-2xx final response (RFC 3261 §17.1.1.3).
 * Like the CANCEL (create-cancel.ts) it carries a single Via equal to the top Via of the original
 * request, so the peer matches it to the original server transaction (§17.2.3).
 */
import type { HeaderField, SipRequest, SipResponse } from '../message/sip-message.js';
import { firstField, isHeader, topValue } from './header-fields.js';

function cseqNumber(request: SipRequest): string {
  const cseq = firstField(request, 'cseq')?.value ?? '';
  return cseq.trim().split(/\s+/)[0] ?? '';
}

/** Via (top value only), then the fields both requests copy in the order the original had them. */
export function derivedHeaders(original: SipRequest, method: string, to: string | undefined): HeaderField[] {
  const headers: HeaderField[] = [];
  const via = topValue(original, 'via');
  if (via !== undefined) headers.push({ name: 'Via', value: via });
  for (const field of original.headers) {
    if (isHeader(field, 'route') || isHeader(field, 'from') || isHeader(field, 'call-id') || isHeader(field, 'max-forwards')) {
      headers.push({ name: field.name, value: field.value });
    } else if (isHeader(field, 'to')) {
      headers.push({ name: field.name, value: to ?? field.value });
    } else if (isHeader(field, 'cseq')) {
      headers.push({ name: field.name, value: `${cseqNumber(original)} ${method}` });
    }
  }
  headers.push({ name: 'Content-Length', value: '0' });
  return headers;
}

/**
 * RFC 3261 §17.1.1.3: "The ACK request constructed by the client transaction MUST contain values
 * for the Call-ID, From, and Request-URI that are equal to the values of those header fields in
 * the request passed to the transport by the client transaction ... The To header field in the
 * ACK MUST equal the To header field in the response being acknowledged ... The ACK MUST contain
 * a single Via header field, and this MUST be equal to the top Via header field of the original
 * request ... If the INVITE request whose response is being acknowledged had Route header fields,
 * those header fields MUST appear in the ACK."
 */
export function createNon2xxAck(invite: SipRequest, response: SipResponse): SipRequest {
  const to = firstField(response, 'to')?.value;
  return { kind: 'request', method: 'ACK', uri: invite.uri, version: 'SIP/2.0', headers: derivedHeaders(invite, 'ACK', to), body: Buffer.alloc(0) };
}
