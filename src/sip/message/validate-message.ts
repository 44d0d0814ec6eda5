/**
 * Semantic sanity checks that run after `parseMessage` (RFC 3261 §8.2.1–§8.2.2, §16.3 step 1):
 * version, Request-URI, mandatory headers present once and well-formed, CSeq method = request
 * method, scalar ranges. Returns null or the first defect as a value, with the status to answer.
 */
import { parseCSeq, parseExpires, parseMaxForwards } from './parse-cseq.js';
import { parseNameAddr } from './parse-name-addr.js';
import { parseUri, uriScheme } from './parse-uri.js';
import { parseVia } from './parse-via.js';
import { equalsLower, isWordChar } from './char-classes.js';
import { SIP_ERROR_CODES, sanitizeReason, sipError, type SipErrorCodeName } from './sip-error-codes.js';
import { SipHeaderError } from './sip-header-error.js';
import type { SipMessage, SipRequest, SipResponse } from './sip-message.js';
import type { SipParseError } from './sip-parse-error.js';
import { splitHeaderList } from './split-header-list.js';

/** Headers that must appear exactly once (RFC 3261 §8.1.1, §20: not list headers). */
const SINGLE = ['to', 'from', 'call-id', 'cseq', 'max-forwards', 'content-length', 'content-type', 'expires'] as const;
const DISPLAY: Record<string, string> = {
  to: 'To',
  from: 'From',
  'call-id': 'Call-ID',
  cseq: 'CSeq',
  via: 'Via',
  'max-forwards': 'Max-Forwards',
  'content-length': 'Content-Length',
  'content-type': 'Content-Type',
  expires: 'Expires',
  contact: 'Contact',
};

class Defect {
  constructor(
    readonly code: SipErrorCodeName,
    readonly detail: string | undefined,
    /** The header or element at fault, when the code's phrase does not already name it. */
    readonly where?: string,
  ) {}
}

function partialOf(m: SipMessage): SipParseError['partial'] {
  return m.kind === 'request' ? { kind: 'request', method: m.method, headers: m.headers } : { kind: 'response', headers: m.headers };
}

/** `parse(value)`; a SipHeaderError becomes a Defect naming where it happened. */
function checked<T>(where: string, parse: (value: string) => T, value: string): T {
  try {
    return parse(value);
  } catch (e) {
    if (e instanceof SipHeaderError) throw new Defect(e.code, e.detail, where);
    throw e;
  }
}

/**
 * The headers the checks look at, collected in one pass over the message (no per-header
 * allocation: this runs for every message received).
 */
class Collected {
  via: string[] = [];
  contact: string[] = [];
  /** First value and count of each header that must appear once, indexed like SINGLE. */
  readonly first: (string | undefined)[] = [undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined];
  readonly count: number[] = [0, 0, 0, 0, 0, 0, 0, 0];

  constructor(m: SipMessage) {
    for (const field of m.headers) {
      const slot = slotOf(field.name);
      if (slot === VIA) this.via.push(field.value);
      else if (slot === CONTACT) this.contact.push(field.value);
      else if (slot >= 0) {
        if (this.count[slot] === 0) this.first[slot] = field.value;
        this.count[slot] = (this.count[slot] as number) + 1;
      }
    }
  }

  has(slot: number): boolean {
    return slot === VIA ? this.via.length > 0 : (this.count[slot] as number) > 0;
  }
}

// Slots: indexes into SINGLE, plus Via and Contact.
const TO = 0;
const FROM = 1;
const CALL_ID = 2;
const CSEQ = 3;
const MAX_FORWARDS = 4;
const CONTENT_LENGTH = 5;
const CONTENT_TYPE = 6;
const EXPIRES = 7;
const VIA = 8;
const CONTACT = 9;

/** The slot of a header name (long or compact form, any case), or -1 when no check reads it. */
function slotOf(name: string): number {
  switch (name.length) {
    case 1:
      switch (name.charCodeAt(0) | 0x20) {
        case 0x76: // v
          return VIA;
        case 0x74: // t
          return TO;
        case 0x66: // f
          return FROM;
        case 0x69: // i
          return CALL_ID;
        case 0x6d: // m
          return CONTACT;
        case 0x6c: // l
          return CONTENT_LENGTH;
        case 0x63: // c
          return CONTENT_TYPE;
        default:
          return -1;
      }
    case 2:
      return equalsLower(name, 'to') ? TO : -1;
    case 3:
      return equalsLower(name, 'via') ? VIA : -1;
    case 4:
      return equalsLower(name, 'from') ? FROM : equalsLower(name, 'cseq') ? CSEQ : -1;
    case 7:
      return equalsLower(name, 'call-id') ? CALL_ID : equalsLower(name, 'contact') ? CONTACT : equalsLower(name, 'expires') ? EXPIRES : -1;
    case 12:
      return equalsLower(name, 'max-forwards') ? MAX_FORWARDS : equalsLower(name, 'content-type') ? CONTENT_TYPE : -1;
    case 14:
      return equalsLower(name, 'content-length') ? CONTENT_LENGTH : -1;
    default:
      return -1;
  }
}

/** callid = word [ "@" word ] (RFC 3261 §25.1). */
function checkCallId(value: string): void {
  const at = value.indexOf('@');
  if (value.length === 0 || at === 0 || at === value.length - 1 || (at !== -1 && value.indexOf('@', at + 1) !== -1)) {
    throw new Defect('SIP_ERR_BAD_CALL_ID', 'not word[@word]');
  }
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c !== 64 && !isWordChar(c)) throw new Defect('SIP_ERR_BAD_CALL_ID', 'bad character');
  }
}

/** A name-addr whose URI, when sip/sips/tel, must parse; other schemes are opaque here (RFC 4475 §3.3.4). */
function checkAddress(where: string, value: string): ReturnType<typeof parseNameAddr> {
  const addr = checked(where, parseNameAddr, value);
  const scheme = uriScheme(addr.uri);
  if (scheme === 'sip' || scheme === 'sips' || scheme === 'tel') checked(where, parseUri, addr.uri);
  return addr;
}

const REQUIRED = [TO, FROM, CALL_ID, CSEQ, VIA] as const;

function checkCommon(m: SipMessage, headers: Collected): void {
  if (!REQUIRED.every((slot) => headers.has(slot))) {
    const missing = REQUIRED.filter((slot) => !headers.has(slot)).map((slot) => (slot === VIA ? 'Via' : DISPLAY[SINGLE[slot]]));
    throw new Defect('SIP_ERR_MISSING_HEADER', missing.join(', '));
  }
  if (headers.count.some((n) => n > 1)) {
    const dup = SINGLE.filter((_, slot) => (headers.count[slot] as number) > 1);
    throw new Defect('SIP_ERR_DUPLICATE_HEADER', dup.map((k) => DISPLAY[k]).join(', '));
  }

  for (const v of headers.via) checked('Via', parseVia, v);
  checkAddress('From', headers.first[FROM] as string);
  checkAddress('To', headers.first[TO] as string);
  checkCallId(headers.first[CALL_ID] as string);
  const cseq = checked('CSeq', parseCSeq, headers.first[CSEQ] as string);
  if (m.kind === 'request' && cseq.method !== m.method) {
    // RFC 3261 §8.1.1.5 / RFC 4475 §3.1.2.17: the CSeq method MUST match the request method.
    throw new Defect('SIP_ERR_CSEQ_METHOD_MISMATCH', `${cseq.method} vs ${m.method}`);
  }
}

function toError(m: SipMessage, e: unknown): SipParseError {
  if (e instanceof Defect) {
    const error = sipError(e.code, e.detail, partialOf(m));
    const phrase = SIP_ERROR_CODES[e.code].reason;
    if (e.where && !phrase.includes(e.where)) {
      // "Bad Address in To: whitespace inside <>"; "Bad CSeq: sequence number too large"
      error.reason = sanitizeReason(`${phrase} in ${e.where}${e.detail ? `: ${e.detail}` : ''}`);
    }
    return error;
  }
  // Defensive: an unexpected throw is still a defect value, never an exception upward.
  return sipError('SIP_ERR_MALFORMED', undefined, partialOf(m));
}

/** RFC 3261 §7.1: this engine speaks SIP/2.0 only; anything else is 505. */
function checkVersion(m: SipMessage): void {
  if (m.version.toUpperCase() !== 'SIP/2.0') throw new Defect('SIP_ERR_BAD_VERSION', m.version.slice(0, 16));
}

/** Sanity checks of a parsed request; null when it may go on to the transaction layer. */
export function validateRequest(req: SipRequest): SipParseError | null {
  try {
    checkVersion(req);
    // Request-URI = SIP-URI / SIPS-URI / absoluteURI (RFC 3261 §25.1)
    const scheme = uriScheme(req.uri);
    if (scheme === null) {
      // RFC 4475 §3.1.2.7: a Request-URI in <> is invalid.
      throw new Defect('SIP_ERR_BAD_URI', req.uri.startsWith('<') ? 'enclosed in <>' : 'no scheme', 'Request-URI');
    }
    for (let i = 0; i < req.uri.length; i++) {
      const c = req.uri.charCodeAt(i);
      if (c <= 32 || c === 34 || c === 60 || c === 62 || c >= 127) throw new Defect('SIP_ERR_BAD_URI', 'forbidden character', 'Request-URI');
    }
    const known = scheme === 'sip' || scheme === 'sips' || scheme === 'tel';
    if (known) {
      const uri = checked('Request-URI', parseUri, req.uri);
      // RFC 3261 §19.1.1 table 1: headers are not allowed in a Request-URI (RFC 4475 §3.1.2.11).
      if (uri.scheme !== 'tel' && Object.keys(uri.headers).length > 0) {
        throw new Defect('SIP_ERR_BAD_URI', 'headers not allowed', 'Request-URI');
      }
    }
    const headers = new Collected(req);
    checkCommon(req, headers);
    const mf = headers.first[MAX_FORWARDS];
    // RFC 3261 §16.3: a request without Max-Forwards passes (RFC 2543 compat, RFC 4475 §3.4.1).
    if (mf !== undefined) checked('Max-Forwards', parseMaxForwards, mf);
    const expires = headers.first[EXPIRES];
    if (expires !== undefined) checked('Expires', parseExpires, expires);
    for (const row of headers.contact) {
      for (const v of splitHeaderList(row)) {
        if (v === '*') continue;
        const addr = checkAddress('Contact', v);
        const exp = addr.params.expires;
        if (exp !== undefined && exp !== null) checked('Contact expires', parseExpires, exp);
      }
    }
    // RFC 3261 §8.2.2.1: an unknown Request-URI scheme is answered 416 (RFC 4475 §3.3.2).
    if (!known) throw new Defect('SIP_ERR_UNSUPPORTED_URI_SCHEME', scheme);
    return null;
  } catch (e) {
    return toError(req, e);
  }
}

/** Sanity checks of a parsed response; a response with a defect is dropped (RFC 3261 §18.1.2). */
export function validateResponse(res: SipResponse): SipParseError | null {
  try {
    checkVersion(res);
    checkCommon(res, new Collected(res));
    return null;
  } catch (e) {
    return toError(res, e);
  }
}

