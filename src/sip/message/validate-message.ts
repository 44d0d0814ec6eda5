/**
 * Semantic sanity checks that run after `parseMessage` (RFC 3261 §8.2.1–§8.2.2, §16.3 step 1):
 * version, Request-URI, mandatory headers present once and well-formed, CSeq method = request
 * method, scalar ranges. Returns null or the first defect as a value, with the status to answer.
 */
import { headerKey } from './header-names.js';
import { parseCSeq, parseExpires, parseMaxForwards } from './parse-cseq.js';
import { parseNameAddr } from './parse-name-addr.js';
import { parseUri, uriScheme } from './parse-uri.js';
import { parseVia } from './parse-via.js';
import { isWordChar } from './char-classes.js';
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

/** Run `fn`; a SipHeaderError becomes a Defect naming where it happened. */
function check<T>(where: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof SipHeaderError) throw new Defect(e.code, e.detail, where);
    throw e;
  }
}

/** Fields grouped by lower-case long-form key, in order. */
function group(m: SipMessage): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const f of m.headers) {
    const key = headerKey(f.name);
    const list = out.get(key);
    if (list) list.push(f.value);
    else out.set(key, [f.value]);
  }
  return out;
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
  const addr = check(where, () => parseNameAddr(value));
  const scheme = uriScheme(addr.uri);
  if (scheme === 'sip' || scheme === 'sips' || scheme === 'tel') check(where, () => parseUri(addr.uri));
  return addr;
}

function checkCommon(m: SipMessage, headers: Map<string, string[]>): void {
  const missing = ['to', 'from', 'call-id', 'cseq', 'via'].filter((k) => !headers.has(k));
  if (missing.length > 0) throw new Defect('SIP_ERR_MISSING_HEADER', missing.map((k) => DISPLAY[k]).join(', '));
  const dup = SINGLE.filter((k) => (headers.get(k)?.length ?? 0) > 1);
  if (dup.length > 0) throw new Defect('SIP_ERR_DUPLICATE_HEADER', dup.map((k) => DISPLAY[k]).join(', '));

  for (const v of headers.get('via') ?? []) check('Via', () => parseVia(v));
  checkAddress('From', (headers.get('from') as string[])[0] as string);
  checkAddress('To', (headers.get('to') as string[])[0] as string);
  checkCallId((headers.get('call-id') as string[])[0] as string);
  const cseq = check('CSeq', () => parseCSeq((headers.get('cseq') as string[])[0] as string));
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
      const uri = check('Request-URI', () => parseUri(req.uri));
      // RFC 3261 §19.1.1 table 1: headers are not allowed in a Request-URI (RFC 4475 §3.1.2.11).
      if (uri.scheme !== 'tel' && Object.keys(uri.headers).length > 0) {
        throw new Defect('SIP_ERR_BAD_URI', 'headers not allowed', 'Request-URI');
      }
    }
    const headers = group(req);
    checkCommon(req, headers);
    const mf = headers.get('max-forwards');
    // RFC 3261 §16.3: a request without Max-Forwards passes (RFC 2543 compat, RFC 4475 §3.4.1).
    if (mf) check('Max-Forwards', () => parseMaxForwards(mf[0] as string));
    const expires = headers.get('expires');
    if (expires) check('Expires', () => parseExpires(expires[0] as string));
    for (const row of headers.get('contact') ?? []) {
      for (const v of splitHeaderList(row)) {
        if (v === '*') continue;
        const addr = checkAddress('Contact', v);
        const exp = addr.params.expires;
        if (exp !== undefined && exp !== null) check('Contact expires', () => parseExpires(exp));
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
    checkCommon(res, group(res));
    return null;
  } catch (e) {
    return toError(res, e);
  }
}

