/**
 * Every parse and validation defect code of the message layer, defined once with the status a
 * request carrying it is answered with (STYLE.md: `<AREA>_ERR_<WHAT>`). Responses with a defect are
 * dropped (RFC 3261 §8.1.3.3 / §18.1.2), so their status is informational only.
 */
import type { SipParseError } from './sip-parse-error.js';

export const SIP_ERROR_CODES = {
  // — framing and line syntax (parseMessage) —
  SIP_ERR_EMPTY: { status: 400, reason: 'Empty Message' },
  SIP_ERR_BAD_START_LINE: { status: 400, reason: 'Bad Start Line' },
  SIP_ERR_BAD_REQUEST_LINE: { status: 400, reason: 'Bad Request-Line' },
  SIP_ERR_BAD_STATUS_LINE: { status: 400, reason: 'Bad Status-Line' },
  SIP_ERR_BAD_METHOD: { status: 400, reason: 'Bad Method' },
  SIP_ERR_BAD_HEADER: { status: 400, reason: 'Bad Header Line' },
  SIP_ERR_NO_HEADER_END: { status: 400, reason: 'Missing Empty Line After Headers' },
  SIP_ERR_BAD_CONTENT_LENGTH: { status: 400, reason: 'Bad Content-Length' },
  SIP_ERR_MISSING_CONTENT_LENGTH: { status: 400, reason: 'Missing Content-Length' },
  SIP_ERR_MESSAGE_TOO_LARGE: { status: 513, reason: 'Message Too Large' },
  SIP_ERR_MALFORMED: { status: 400, reason: 'Malformed Message' },
  // — header and URI grammar (accessors and validate*) —
  SIP_ERR_BAD_VERSION: { status: 505, reason: 'Version Not Supported' },
  SIP_ERR_BAD_URI: { status: 400, reason: 'Bad URI' },
  SIP_ERR_UNSUPPORTED_URI_SCHEME: { status: 416, reason: 'Unsupported URI Scheme' },
  SIP_ERR_MISSING_HEADER: { status: 400, reason: 'Missing Header' },
  SIP_ERR_DUPLICATE_HEADER: { status: 400, reason: 'Duplicate Header' },
  SIP_ERR_BAD_VIA: { status: 400, reason: 'Bad Via' },
  SIP_ERR_BAD_NAME_ADDR: { status: 400, reason: 'Bad Address' },
  SIP_ERR_BAD_DISPLAY_NAME: { status: 400, reason: 'Bad Display Name' },
  SIP_ERR_UNTERMINATED_QUOTE: { status: 400, reason: 'Unterminated Quoted String' },
  SIP_ERR_BAD_PARAM: { status: 400, reason: 'Bad Parameter' },
  SIP_ERR_BAD_CSEQ: { status: 400, reason: 'Bad CSeq' },
  SIP_ERR_CSEQ_METHOD_MISMATCH: { status: 400, reason: 'CSeq Method Mismatch' },
  SIP_ERR_BAD_CALL_ID: { status: 400, reason: 'Bad Call-ID' },
  SIP_ERR_BAD_MAX_FORWARDS: { status: 400, reason: 'Bad Max-Forwards' },
  SIP_ERR_BAD_EXPIRES: { status: 400, reason: 'Bad Expires' },
  SIP_ERR_BAD_HEADER_VALUE: { status: 400, reason: 'Bad Header Value' },
} as const satisfies Record<string, { status: number; reason: string }>;

export type SipErrorCodeName = keyof typeof SIP_ERROR_CODES;

/** Longest reason phrase we emit; long enough to name a header and a defect. */
const MAX_REASON = 120;

/** A reason phrase safe for a status line: no CR, LF or other control characters (RFC 3261 §25.1 Reason-Phrase). */
export function sanitizeReason(reason: string): string {
  let out = '';
  for (let i = 0; i < reason.length && out.length < MAX_REASON; i++) {
    const c = reason.charCodeAt(i);
    out += c < 32 || c === 127 ? ' ' : reason[i];
  }
  return out;
}

/** Build a defect value; `detail` is appended to the code's reason phrase (`Bad Via: empty parameter`). */
export function sipError(
  code: SipErrorCodeName,
  detail?: string,
  partial: SipParseError['partial'] = { kind: 'unknown', headers: [] },
): SipParseError {
  const entry = SIP_ERROR_CODES[code];
  const reason = sanitizeReason(detail ? `${entry.reason}: ${detail}` : entry.reason);
  return { code, reason, status: entry.status, partial };
}
