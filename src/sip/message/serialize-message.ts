/**
 * Serialize a message exactly as modelled (RFC 3261 §7): start line, every header in order with
 * its name as written, `name: value` lines, the empty line, then the body bytes. Content-Length is
 * written as the message carries it; the caller owns its correctness.
 */
import { SipHeaderError } from './sip-header-error.js';
import type { HeaderField, SipMessage } from './sip-message.js';

function hasLineBreak(s: string): boolean {
  return s.indexOf('\n') !== -1 || s.indexOf('\r') !== -1;
}

/**
 * Serialize exactly: header names/case/order kept; Content-Length is written as given.
 * Throws `SipHeaderError` when a start-line element or a header contains CR/LF: that would let one
 * header smuggle others onto the wire, and it is always a bug in the code that built the message.
 */
export function serializeMessage(message: SipMessage): Buffer {
  let head: string;
  if (message.kind === 'request') {
    if (hasLineBreak(message.method) || hasLineBreak(message.uri) || hasLineBreak(message.version)) {
      throw new SipHeaderError('SIP_ERR_BAD_REQUEST_LINE', 'CR or LF in Request-Line');
    }
    head = message.method + ' ' + message.uri + ' ' + message.version + '\r\n';
  } else {
    if (hasLineBreak(message.reason) || hasLineBreak(message.version)) {
      throw new SipHeaderError('SIP_ERR_BAD_STATUS_LINE', 'CR or LF in Status-Line');
    }
    head = message.version + ' ' + message.status + ' ' + message.reason + '\r\n';
  }
  const headers = message.headers;
  for (let i = 0; i < headers.length; i++) {
    const field = headers[i] as HeaderField;
    if (hasLineBreak(field.name) || hasLineBreak(field.value)) {
      throw new SipHeaderError('SIP_ERR_BAD_HEADER_VALUE', 'CR or LF in header');
    }
    head += field.name + ': ' + field.value + '\r\n';
  }
  head += '\r\n';
  const body = message.body;
  const headLength = Buffer.byteLength(head, 'utf8');
  // Own memory rather than a slice of Node's shared 8 KiB pool: a sent message may be kept for
  // the whole call (retransmission, ACK for a 2xx), and one kept slice would pin the whole slab.
  const out = Buffer.allocUnsafeSlow(headLength + body.length);
  out.write(head, 0, 'utf8');
  body.copy(out, headLength);
  return out;
}
