/**
 * name-addr / addr-spec with header parameters — the value of To, From, Contact, Route,
 * Record-Route, Reply-To, Refer-To, P-Asserted-Identity … (RFC 3261 §20.10, §25.1):
 *
 *   ( name-addr / addr-spec ) *( SEMI param )
 *   name-addr    = [ display-name ] LAQUOT addr-spec RAQUOT
 *   display-name = *( token LWS ) / quoted-string
 */
import { isAlpha, isSchemeChar, isTokenChar, isWsp, skipWsp } from './char-classes.js';
import { emptyParams, parseParams, quote, scanQuoted, unquote } from './parse-params.js';
import { SipHeaderError } from './sip-header-error.js';

export interface NameAddr {
  displayName: string | null;
  /** The URI text (inside <> when it was bracketed). */
  uri: string;
  /** Header parameters (after the URI), names lower-cased. */
  params: Record<string, string | null>;
  tag: string | null;
}

const bad = (detail: string): SipHeaderError => new SipHeaderError('SIP_ERR_BAD_NAME_ADDR', detail);

/** absoluteURI shape of `s[from..to)`: scheme ":" and no whitespace, quotes or angle brackets (RFC 3986 §3.1). */
function checkUriText(s: string, from: number, to: number): void {
  let i = from;
  if (!isAlpha(s.charCodeAt(i))) throw new SipHeaderError('SIP_ERR_BAD_URI', 'no scheme');
  for (; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c === 58 /* : */) break;
    if (!isSchemeChar(c)) throw new SipHeaderError('SIP_ERR_BAD_URI', 'no scheme');
  }
  if (i === to) throw new SipHeaderError('SIP_ERR_BAD_URI', 'no scheme');
  for (; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c <= 32 || c === 34 || c === 60 || c === 62) throw new SipHeaderError('SIP_ERR_BAD_URI', 'forbidden character');
  }
}

/**
 * Parse one name-addr or addr-spec with its parameters (one element of a list: split Contact or
 * Route first with `headerValues`). The display name is returned unquoted with quoted-pairs
 * resolved. Throws `SipHeaderError` on malformed input.
 */
export function parseNameAddr(value: string): NameAddr {
  let i = skipWsp(value, 0);
  let displayName: string | null = null;
  let uri: string;
  if (value.charCodeAt(i) === 34 /* " */) {
    const end = scanQuoted(value, i);
    if (end === -1) throw new SipHeaderError('SIP_ERR_UNTERMINATED_QUOTE', 'in display name');
    displayName = unquote(value, i, end);
    // RFC 3261 §25.1: LAQUOT = SWS "<"
    i = skipWsp(value, end);
    if (value.charCodeAt(i) !== 60) throw bad('quoted display name without <URI>');
    const gt = closingBracket(value, i);
    uri = value.slice(i + 1, gt);
    i = gt + 1;
  } else {
    const lt = value.indexOf('<', i);
    if (lt !== -1) {
      // display-name = *( token LWS ); LWS before "<" is optional (RFC 4475 §3.1.1.6)
      let end = lt;
      while (end > i && isWsp(value.charCodeAt(end - 1))) end--;
      if (end > i) {
        for (let j = i; j < end; j++) {
          const c = value.charCodeAt(j);
          if (!isTokenChar(c) && !isWsp(c)) {
            if (c === 34) throw new SipHeaderError('SIP_ERR_UNTERMINATED_QUOTE', 'stray quote in display name');
            throw new SipHeaderError('SIP_ERR_BAD_DISPLAY_NAME', 'unquoted display name with non-token characters');
          }
        }
        displayName = value.slice(i, end);
      }
      const gt = closingBracket(value, lt);
      uri = value.slice(lt + 1, gt);
      i = gt + 1;
    } else {
      // addr-spec: RFC 3261 §20.10 — a URI with a comma, question mark or semicolon must be
      // in <>, so here the URI runs to the first ";" (or whitespace) and the rest are header params.
      const start = i;
      while (i < value.length) {
        const c = value.charCodeAt(i);
        if (c === 59 || isWsp(c)) break;
        if (c === 44 || c === 63) throw bad('URI with "," or "?" must be in <>');
        if (c === 34) throw new SipHeaderError('SIP_ERR_BAD_DISPLAY_NAME', 'quote outside a display name');
        i++;
      }
      if (i === start) throw bad('empty address');
      checkUriText(value, start, i);
      uri = value.slice(start, i);
    }
  }
  const params = emptyParams<string | null>();
  parseParams(value, i, params, 'SIP_ERR_BAD_PARAM');
  const tag = params.tag;
  return { displayName, uri, params, tag: tag === undefined ? null : tag };
}

/** Index of the ">" closing the "<" at `lt`; the URI between has no whitespace at its ends (RFC 4475 §3.1.2.14). */
function closingBracket(value: string, lt: number): number {
  const gt = value.indexOf('>', lt + 1);
  if (gt === -1) throw bad('missing >');
  if (gt === lt + 1) throw bad('empty <>');
  if (isWsp(value.charCodeAt(lt + 1)) || isWsp(value.charCodeAt(gt - 1))) throw bad('whitespace inside <>');
  checkUriText(value, lt + 1, gt);
  return gt;
}

function formatParams(params: Record<string, string | null>): string {
  let out = '';
  for (const name in params) {
    const v = params[name];
    out += v === null || v === undefined ? ';' + name : ';' + name + '=' + v;
  }
  return out;
}

/**
 * Write a name-addr: the display name quoted (always — it is safe for any text), the URI always in
 * `<>` (RFC 3261 §20.10 then never needs to care about `,;?`), then the parameters. `tag` wins over
 * `params.tag`.
 */
export function formatNameAddr(addr: { displayName?: string | null; uri: string; params?: Record<string, string | null>; tag?: string | null }): string {
  let out = '';
  if (addr.displayName !== null && addr.displayName !== undefined) out += quote(addr.displayName) + ' ';
  out += '<' + addr.uri + '>';
  const params = { ...(addr.params ?? {}) };
  if (addr.tag !== null && addr.tag !== undefined) params.tag = addr.tag;
  return out + formatParams(params);
}
