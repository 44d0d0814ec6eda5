/**
 * Complete a request the TU hands to `SipStack.sendRequest` before it enters a client transaction:
 * a top Via with a fresh magic-cookie branch and `rport` (RFC 3261 §8.1.1.7, RFC 3581 §3) when the
 * TU did not write one, Max-Forwards 70 when missing (§8.1.1.6), and a Content-Length that matches
 * the body (§20.14, mandatory on streams).
 */
import { formatHostPortForVia } from './format-host-port.js';
import type { SipAddress, SipRequest } from '../message/sip-message.js';
import { newBranch } from '../transaction/random-ids.js';
import { isHeader } from '../transaction/header-fields.js';

/** `via` is the local address the request leaves from (transport and listener). */
export function prepareRequest(request: SipRequest, via: SipAddress): SipRequest {
  let headers = request.headers.filter((field) => !isHeader(field, 'content-length'));
  if (!headers.some((field) => isHeader(field, 'via'))) {
    const value = `SIP/2.0/${via.transport.toUpperCase()} ${formatHostPortForVia(via.address, via.port)};branch=${newBranch()};rport`;
    headers = [{ name: 'Via', value }, ...headers];
  }
  if (!headers.some((field) => isHeader(field, 'max-forwards'))) headers = [...headers, { name: 'Max-Forwards', value: '70' }];
  headers = [...headers, { name: 'Content-Length', value: String(request.body.length) }];
  return { ...request, headers };
}
