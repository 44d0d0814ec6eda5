/**
 * Server side stamping of the top Via of an arriving request with where it really came from.
 *
 * RFC 3261 §18.2.1: when the sent-by host is a domain name or an address that differs from the
 * packet source, add `received` with the source address.
 * RFC 3581 §4: when the top Via has an `rport` parameter without a value, set it to the source port,
 * and add `received` even if it equals the sent-by host.
 * RFC 5118 §4.5: an IPv6 `received` value is written without brackets.
 */
import type { SipAddress, SipRequest } from '../message/sip-message.js';
import { locateTopVia, readTopVia, withTopVia } from './top-via.js';

/** A copy of `request` with the top Via stamped, or `request` itself when nothing changes. */
export function stampReceived(request: SipRequest, source: SipAddress): SipRequest {
  const location = locateTopVia(request);
  const via = readTopVia(request);
  if (!location || !via) return request;
  const hasRport = Object.prototype.hasOwnProperty.call(via.params, 'rport');
  const fillRport = hasRport && via.params.rport === null;
  const needReceived = hasRport || via.host.toLowerCase() !== source.address.toLowerCase();
  if (!fillRport && !needReceived) return request;
  let text = location.text;
  if (fillRport) text = text.replace(/;\s*rport(?=\s*(;|$))/i, `;rport=${source.port}`);
  if (needReceived) {
    const existing = /;\s*received\s*=\s*[^;\s]*/i;
    text = existing.test(text) ? text.replace(existing, `;received=${source.address}`) : `${text};received=${source.address}`;
  }
  return withTopVia(request, location, text);
}
