/**
 * Parse-error values for defects the stream framer finds before the parser runs. Codes and reason
 * phrases come from the message layer's table (`SIP_ERROR_CODES`); `partial` is sketched from the
 * header bytes so the stack can still answer a request with 400/513.
 */
import { type SipErrorCodeName, type SipParseError, sipError } from '../message/index.js';
import { sketchHeaderBlock } from './header-scan.js';
import type { FramingErrorReason } from './stream-framer.js';

const BY_REASON: Record<FramingErrorReason, { code: SipErrorCodeName; detail?: string }> = {
  // RFC 3261 §18.3: Content-Length is mandatory on a stream.
  'no-content-length': { code: 'SIP_ERR_MISSING_CONTENT_LENGTH' },
  'bad-content-length': { code: 'SIP_ERR_BAD_CONTENT_LENGTH' },
  // RFC 3261 §21.5.14: 513 Message Too Large.
  'too-large': { code: 'SIP_ERR_MESSAGE_TOO_LARGE' },
  'no-header-end': { code: 'SIP_ERR_MESSAGE_TOO_LARGE', detail: 'no end of headers' },
};

export function framingError(reason: FramingErrorReason, header: Buffer): SipParseError {
  const entry = BY_REASON[reason];
  return sipError(entry.code, entry.detail, sketchHeaderBlock(header));
}
