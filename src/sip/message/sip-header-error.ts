/**
 * Thrown by the structured-header accessors (`parseVia`, `parseNameAddr`, `parseCSeq`, `parseUri`)
 * whose contract returns the parsed value directly. `validateRequest`/`validateResponse` catch it and
 * turn it into a defect value, so the inbound pipeline never sees the throw.
 */
import { SIP_ERROR_CODES, sanitizeReason, type SipErrorCodeName } from './sip-error-codes.js';

export class SipHeaderError extends Error {
  readonly code: SipErrorCodeName;
  readonly status: number;
  /** Status-line-safe reason phrase (`Bad Via: empty parameter`). */
  readonly reason: string;
  /** What exactly is wrong (`empty parameter`), without the code's phrase. */
  readonly detail: string | undefined;

  constructor(code: SipErrorCodeName, detail?: string) {
    const entry = SIP_ERROR_CODES[code];
    const reason = sanitizeReason(detail ? `${entry.reason}: ${detail}` : entry.reason);
    super(reason);
    this.name = 'SipHeaderError';
    this.code = code;
    this.status = entry.status;
    this.reason = reason;
    this.detail = detail;
  }
}

export const isSipHeaderError = (e: unknown): e is SipHeaderError => e instanceof SipHeaderError;
