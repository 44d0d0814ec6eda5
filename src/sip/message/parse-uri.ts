/**
 * SIP/SIPS URIs (RFC 3261 §19.1.1, §25.1) and TEL URIs (RFC 3966 §3), parsed into a view that
 * keeps every part as written (escaped), so forwarding never re-escapes or unescapes (RFC 3261
 * §19.1.4, RFC 4475 §3.1.1.3). Scheme, host and parameter names are lower-cased.
 */
import { isDigit, isHexDigit, isParamChar, isPasswordChar, isSchemeChar, isTelNumberChar, isUserChar, isHnvChar, isAlpha } from './char-classes.js';
import { parseHostPort } from './host-syntax.js';
import { emptyParams, setParam } from './parse-params.js';
import { SipHeaderError } from './sip-header-error.js';

export interface SipUri {
  scheme: 'sip' | 'sips';
  user: string | null;
  password: string | null;
  /** Host without IPv6 brackets, lower-cased. */
  host: string;
  port: number | null;
  params: Record<string, string | null>;
  headers: Record<string, string>;
}

export interface TelUri {
  scheme: 'tel';
  number: string;
  params: Record<string, string | null>;
}

const bad = (detail: string): SipHeaderError => new SipHeaderError('SIP_ERR_BAD_URI', detail);

/** Every character passes `ok` or is a valid `%HH` escape (RFC 3261 §25.1 escaped). */
function checkEscaped(s: string, ok: (c: number) => boolean, what: string): void {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 37 /* % */) {
      if (!isHexDigit(s.charCodeAt(i + 1)) || !isHexDigit(s.charCodeAt(i + 2))) throw bad(`bad escape in ${what}`);
      i += 2;
    } else if (!ok(c)) throw bad(`bad character in ${what}`);
  }
}

/** The URI scheme, lower-cased, or null when `text` does not start with `scheme ":"` (RFC 3986 §3.1). */
export function uriScheme(text: string): string | null {
  const colon = text.indexOf(':');
  if (colon <= 0 || !isAlpha(text.charCodeAt(0))) return null;
  for (let i = 1; i < colon; i++) if (!isSchemeChar(text.charCodeAt(i))) return null;
  return text.slice(0, colon).toLowerCase();
}

/**
 * Parse a `sip:`, `sips:` or `tel:` URI. Throws `SipHeaderError`: `SIP_ERR_BAD_URI` for bad syntax,
 * `SIP_ERR_UNSUPPORTED_URI_SCHEME` for any other scheme (RFC 3261 §8.2.2.1 → 416).
 */
export function parseUri(text: string): SipUri | TelUri {
  const scheme = uriScheme(text);
  if (scheme === null) throw bad('no scheme');
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c <= 32 || c >= 127 || c === 60 || c === 62 || c === 34) throw bad('whitespace or a forbidden character');
  }
  if (scheme === 'sip' || scheme === 'sips') return parseSipUri(text, scheme);
  if (scheme === 'tel') return parseTelUri(text);
  throw new SipHeaderError('SIP_ERR_UNSUPPORTED_URI_SCHEME', scheme);
}

function parseSipUri(text: string, scheme: 'sip' | 'sips'): SipUri {
  let rest = text.slice(scheme.length + 1);
  let user: string | null = null;
  let password: string | null = null;
  // userinfo ends at the only "@": "@" is not allowed unescaped in params or headers.
  const at = rest.indexOf('@');
  if (at !== -1) {
    const userinfo = rest.slice(0, at);
    const colon = userinfo.indexOf(':');
    user = colon === -1 ? userinfo : userinfo.slice(0, colon);
    if (user.length === 0) throw bad('empty user');
    checkEscaped(user, isUserChar, 'user');
    if (colon !== -1) {
      password = userinfo.slice(colon + 1);
      checkEscaped(password, isPasswordChar, 'password');
    }
    rest = rest.slice(at + 1);
  }
  let hpEnd = rest.length;
  const semi = rest.indexOf(';');
  const q = rest.indexOf('?');
  if (semi !== -1) hpEnd = semi;
  if (q !== -1 && q < hpEnd) hpEnd = q;
  const hostport = parseHostPort(rest.slice(0, hpEnd));
  if (hostport === null) throw bad('bad host or port');

  const params = emptyParams<string | null>();
  const headers = emptyParams<string>();
  let i = hpEnd;
  const paramsEnd = q !== -1 && q >= hpEnd ? q : rest.length;
  // uri-parameters = *( ";" uri-parameter ), uri-parameter = pname [ "=" pvalue ]
  while (i < paramsEnd) {
    let next = rest.indexOf(';', i + 1);
    if (next === -1 || next > paramsEnd) next = paramsEnd;
    const param = rest.slice(i + 1, next);
    const eq = param.indexOf('=');
    const name = eq === -1 ? param : param.slice(0, eq);
    if (name.length === 0) throw bad('empty parameter');
    checkEscaped(name, isParamChar, 'parameter');
    let value: string | null = null;
    if (eq !== -1) {
      value = param.slice(eq + 1);
      if (value.length === 0) throw bad('empty parameter value');
      checkEscaped(value, isParamChar, 'parameter');
    }
    const key = name.toLowerCase();
    setParam(params, key, value);
    i = next;
  }
  // headers = "?" header *( "&" header ), header = hname "=" hvalue
  if (paramsEnd < rest.length) {
    for (const h of rest.slice(paramsEnd + 1).split('&')) {
      const eq = h.indexOf('=');
      if (eq <= 0) throw bad('bad header');
      const name = h.slice(0, eq);
      const value = h.slice(eq + 1);
      checkEscaped(name, isHnvChar, 'header');
      checkEscaped(value, isHnvChar, 'header');
      setParam(headers, name, value);
    }
  }
  return { scheme, user, password, host: hostport.host.toLowerCase(), port: hostport.port, params, headers };
}

/** RFC 3966 §3: telephone-subscriber = global-number / local-number. */
function parseTelUri(text: string): TelUri {
  const rest = text.slice(4);
  const semi = rest.indexOf(';');
  const number = semi === -1 ? rest : rest.slice(0, semi);
  const params = emptyParams<string | null>();
  if (semi !== -1) {
    for (const p of rest.slice(semi + 1).split(';')) {
      const eq = p.indexOf('=');
      const name = eq === -1 ? p : p.slice(0, eq);
      // pname = 1*( alphanum / "-" ); pvalue = 1*paramchar
      if (name.length === 0) throw bad('empty tel parameter');
      for (let i = 0; i < name.length; i++) {
        const c = name.charCodeAt(i);
        if (!(isAlpha(c) || isDigit(c) || c === 45)) throw bad('bad tel parameter name');
      }
      let value: string | null = null;
      if (eq !== -1) {
        value = p.slice(eq + 1);
        if (value.length === 0) throw bad('empty tel parameter value');
        checkEscaped(value, isParamChar, 'tel parameter');
      }
      const key = name.toLowerCase();
      setParam(params, key, value);
    }
  }
  const global = number.charCodeAt(0) === 43; /* + */
  let digits = 0;
  for (let i = global ? 1 : 0; i < number.length; i++) {
    const c = number.charCodeAt(i);
    if (!isTelNumberChar(c)) throw bad('bad character in telephone number');
    if (global && !isDigit(c) && c !== 45 && c !== 46 && c !== 40 && c !== 41) throw bad('bad character in global number');
    if (isHexDigit(c) || c === 42 || c === 35) digits++;
  }
  if (digits === 0) throw bad('telephone number without digits');
  // RFC 3966 §5.1.5: a local number MUST carry phone-context.
  if (!global && params['phone-context'] === undefined) throw bad('local number without phone-context');
  return { scheme: 'tel', number, params };
}
