/**
 * CSeq and the other small scalar headers (RFC 3261 §20.16 CSeq, §20.22 Max-Forwards,
 * §20.19 Expires / delta-seconds).
 */
import { isDigit, isTokenChar, isWsp, skipWsp, trimWsp } from './char-classes.js';
import { SipHeaderError } from './sip-header-error.js';
import type { SipErrorCodeName } from './sip-error-codes.js';

export interface CSeq {
  seq: number;
  method: string;
}

/** RFC 3261 §8.1.1.5: the sequence number MUST be less than 2**31. */
export const MAX_CSEQ = 0x7fffffff;
/** RFC 3261 §20.19 / §25.1 delta-seconds: at most 2**32-1. */
export const MAX_DELTA_SECONDS = 0xffffffff;

/** 1*DIGIT (leading zeros allowed) as a number not above `max`, or -1. */
export function parseDigits(s: string, max: number): number {
  if (s.length === 0) return -1;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!isDigit(c)) return -1;
    n = n * 10 + (c - 48);
    if (n > max) return -1; // stops before the number can lose precision
  }
  return n;
}

/** CSeq = 1*DIGIT LWS Method. Throws `SipHeaderError('SIP_ERR_BAD_CSEQ')`. */
export function parseCSeq(value: string): CSeq {
  const s = trimWsp(value);
  let i = 0;
  while (i < s.length && isDigit(s.charCodeAt(i))) i++;
  if (i === 0) throw new SipHeaderError('SIP_ERR_BAD_CSEQ', 'no sequence number');
  const seq = parseDigits(s.slice(0, i), MAX_CSEQ);
  if (seq < 0) throw new SipHeaderError('SIP_ERR_BAD_CSEQ', 'sequence number too large');
  if (!isWsp(s.charCodeAt(i))) throw new SipHeaderError('SIP_ERR_BAD_CSEQ', 'no space before method');
  const m = skipWsp(s, i);
  let e = m;
  while (e < s.length && isTokenChar(s.charCodeAt(e))) e++;
  if (e === m || e !== s.length) throw new SipHeaderError('SIP_ERR_BAD_CSEQ', 'bad method');
  return { seq, method: s.slice(m) };
}

function scalar(value: string, max: number, code: SipErrorCodeName, what: string): number {
  const n = parseDigits(trimWsp(value), max);
  if (n < 0) throw new SipHeaderError(code, `${what} not a number in range`);
  return n;
}

/** Max-Forwards = 1*DIGIT, 0–255 (RFC 3261 §20.22). */
export function parseMaxForwards(value: string): number {
  return scalar(value, 255, 'SIP_ERR_BAD_MAX_FORWARDS', 'Max-Forwards');
}

/** Expires / expires param = delta-seconds, 0 – 2**32-1 (RFC 3261 §20.19). */
export function parseExpires(value: string): number {
  return scalar(value, MAX_DELTA_SECONDS, 'SIP_ERR_BAD_EXPIRES', 'Expires');
}
