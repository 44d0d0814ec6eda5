/**
 * Generic parameters `*( SEMI generic-param )` (RFC 3261 §25.1: SEMI = SWS ";" SWS,
 * generic-param = token [ EQUAL gen-value ], gen-value = token / host / quoted-string), and the
 * quoted-string scanner shared by display names and parameter values.
 */
import { isGenValueChar, isTokenChar, skipWsp } from './char-classes.js';
import { SipHeaderError } from './sip-header-error.js';
import type { SipErrorCodeName } from './sip-error-codes.js';

/**
 * Parameter maps are instances of a constructor whose prototype has no prototype: V8 keeps them on
 * its fast (hidden-class) path, unlike `Object.create(null)`, and nothing is inherited — no
 * `constructor`, no `__proto__` setter — so any parameter name is just a key.
 */
const ParamMap = function ParamMap(): void {} as unknown as new () => Record<string, never>;
(ParamMap as unknown as { prototype: object }).prototype = Object.create(null) as object;

/** A fresh, empty parameter map (see `ParamMap`). */
export function emptyParams<T>(): Record<string, T> {
  return new ParamMap() as Record<string, T>;
}

/** Set a parameter unless it is already set: the first occurrence wins. */
export function setParam<T>(into: Record<string, T>, name: string, value: T): void {
  if (into[name] === undefined) into[name] = value;
}

/**
 * Index just past the closing DQUOTE of the quoted-string opening at `i`, or -1 when it is not
 * terminated (RFC 3261 §25.1: quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F)).
 */
export function scanQuoted(s: string, i: number): number {
  for (let j = i + 1; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c === 92 /* \ */) {
      const next = s.charCodeAt(j + 1);
      if (next === 10 || next === 13 || Number.isNaN(next)) return -1;
      j++;
    } else if (c === 34 /* " */) return j + 1;
    else if (c === 10 || c === 13) return -1;
  }
  return -1;
}

/** The text of the quoted-string `s[from..to)` (quotes included) with quoted-pairs resolved. */
export function unquote(s: string, from = 0, to = s.length): string {
  const inner = s.slice(from + 1, to - 1);
  if (inner.indexOf('\\') === -1) return inner;
  let out = '';
  for (let i = 0; i < inner.length; i++) {
    const ch = inner[i] as string;
    if (ch === '\\' && i + 1 < inner.length) {
      out += inner[i + 1];
      i++;
    } else out += ch;
  }
  return out;
}

/** Quote a display name or parameter value: backslash-escape `"` and `\` (RFC 3261 §25.1 quoted-pair). */
export function quote(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    out += ch === '"' || ch === '\\' ? '\\' + ch : ch;
  }
  return out + '"';
}

/**
 * Read `;name[=value]` parameters from `s[i..]` to the end of `s` into `into` (names lower-cased,
 * values as written, quoted values with their quotes; a flag parameter is `null`).
 * Throws `SipHeaderError(code)` on an empty or malformed parameter.
 */
export function parseParams(
  s: string,
  i: number,
  into: Record<string, string | null>,
  code: SipErrorCodeName = 'SIP_ERR_BAD_PARAM',
): void {
  for (;;) {
    i = skipWsp(s, i);
    if (i >= s.length) return;
    if (s.charCodeAt(i) !== 59 /* ; */) throw new SipHeaderError(code, 'unexpected character before parameter');
    i = skipWsp(s, i + 1);
    const nameStart = i;
    let upper = false;
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (!isTokenChar(c)) break;
      if (c >= 65 && c <= 90) upper = true;
    }
    if (i === nameStart) throw new SipHeaderError(code, 'empty parameter');
    const raw = s.slice(nameStart, i);
    const name = upper ? raw.toLowerCase() : raw;
    let value: string | null = null;
    const j = skipWsp(s, i);
    if (s.charCodeAt(j) === 61 /* = */) {
      i = skipWsp(s, j + 1);
      if (s.charCodeAt(i) === 34) {
        const end = scanQuoted(s, i);
        if (end === -1) throw new SipHeaderError('SIP_ERR_UNTERMINATED_QUOTE', 'in parameter value');
        value = s.slice(i, end);
        i = end;
      } else {
        const valueStart = i;
        while (i < s.length && isGenValueChar(s.charCodeAt(i))) i++;
        if (i === valueStart) throw new SipHeaderError(code, `empty value of ${name}`);
        value = s.slice(valueStart, i);
      }
    }
    if (into[name] === undefined) into[name] = value; // first occurrence wins
  }
}
