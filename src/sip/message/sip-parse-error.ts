/**
 * The shape of a parse or validation defect, and the result of `parseMessage`.
 * Expected failures are values (STYLE.md habit 5): the parser returns them, never throws them.
 */
import type { HeaderField, SipMessage } from './sip-message.js';

/** Stable parse/validation defect codes, `SIP_ERR_*`, each mapped to a response status (see `SIP_ERROR_CODES`). */
export type SipErrorCode = string;

export interface SipParseError {
  code: SipErrorCode;
  /** Reason phrase naming the defect, safe to put on a status line (no CR/LF). */
  reason: string;
  /** Status to answer with when the message was a request that can be answered (400, 505, 513 …). */
  status: number;
  /** Whatever could be read before the defect: enough to build a response when possible. */
  partial: { kind: 'request' | 'response' | 'unknown'; method?: string; headers: HeaderField[] };
}

export type ParseResult = { ok: true; message: SipMessage } | { ok: false; error: SipParseError };
