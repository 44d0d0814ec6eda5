/**
 * RFC 3261 §18.1.1: a request larger than 1300 bytes (path MTU unknown; MTU 1500 − 200) that would
 * go over UDP MUST go over a congestion-controlled transport (TCP) instead — unless the transport
 * was forced (a `transport=udp` URI parameter, RFC 3263 §4.1 explicit choice).
 *
 * The transport layer does the Via rewrite itself when it switches (no hook): the top Via's
 * sent-protocol must name the transport actually used (RFC 3261 §18.1.1 "the client transport
 * MUST insert ... sent-by"; §20.42 sent-protocol), so `SIP/2.0/UDP` leaves as `SIP/2.0/TCP`.
 * Sent-by and every parameter (branch) are kept as the caller wrote them.
 */
import { getHeader } from '../message/index.js';
import type { SipRequest } from '../message/sip-message.js';
import { locateTopVia, withTopVia } from './top-via.js';

/** Largest UDP request that stays on UDP for a path MTU of `mtu` (RFC 3261 §18.1.1: MTU − 200). */
export function udpSizeLimit(mtu: number): number {
  return mtu - 200;
}

/** True when the Request-URI does not pin the transport to UDP. */
export function mayUseTcp(request: SipRequest): boolean {
  const params = request.uri.split('?')[0] ?? '';
  return !/;\s*transport\s*=\s*udp(?=\s*(;|$))/i.test(params);
}

/**
 * A copy of `request` ready for TCP: top Via transport token `UDP` → `TCP`, and a Content-Length
 * header added when missing (RFC 3261 §18.3: mandatory on a stream). The input is not modified.
 */
export function switchRequestToTcp(request: SipRequest): SipRequest {
  let out = request;
  const location = locateTopVia(request);
  if (location) {
    const text = location.text.replace(/^(\s*SIP\s*\/\s*2\.0\s*\/\s*)UDP(?=\s)/i, '$1TCP');
    if (text !== location.text) out = withTopVia(request, location, text);
  }
  if (getHeader(out, 'content-length') === undefined) {
    out = { ...out, headers: [...out.headers, { name: 'Content-Length', value: String(out.body.length) }] };
  }
  return out;
}
