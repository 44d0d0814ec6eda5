/**
 * Character classes of the RFC 3261 §25.1 grammar as lookup tables, so the parsers test a
 * character with one array read instead of a regular expression.
 */

const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function table(chars: string): Uint8Array {
  const t = new Uint8Array(128);
  for (let i = 0; i < chars.length; i++) t[chars.charCodeAt(i)] = 1;
  return t;
}

// RFC 3261 §25.1: token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~")
const TOKEN = table(ALNUM + "-.!%*_+`'~");
// RFC 3261 §25.1: word (Call-ID) adds ( ) < > : \ DQUOTE / [ ] ? { }
const WORD = table(ALNUM + "-.!%*_+`'~()<>:\\\"/[]?{}");
// RFC 3261 §25.1: unreserved = alphanum / mark; mark = - _ . ! ~ * ' ( )
const UNRESERVED = ALNUM + "-_.!~*'()";
// RFC 3261 §25.1: user = 1*( unreserved / escaped / user-unreserved ), user-unreserved = & = + $ , ; ? /
const USER = table(UNRESERVED + '&=+$,;?/');
// RFC 3261 §25.1: password = *( unreserved / escaped / "&" / "=" / "+" / "$" / "," )
const PASSWORD = table(UNRESERVED + '&=+$,');
// RFC 3261 §25.1: paramchar = param-unreserved / unreserved / escaped; param-unreserved = [ ] / : & + $
const PARAMCHAR = table(UNRESERVED + '[]/:&+$');
// RFC 3261 §25.1: hname/hvalue chars = hnv-unreserved / unreserved / escaped; hnv-unreserved = [ ] / ? : + $
const HNVCHAR = table(UNRESERVED + '[]/?:+$');
// hostname = *( domainlabel "." ) toplabel [ "." ]: alphanum, "-" and "."
const HOSTNAME = table(ALNUM + '-.');
// RFC 3966 §3: phonedigit-hex and visual separators, plus * and # of local numbers
const TEL_NUMBER = table('0123456789abcdefABCDEF*#-.()');
// Generic param value: token / host (IPv6 reference) as in gen-value (RFC 3261 §25.1)
const GEN_VALUE = table(ALNUM + "-.!%*_+`'~[]:");
// RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
const SCHEME = table(ALNUM + '+-.');

export const isTokenChar = (c: number): boolean => c < 128 && TOKEN[c] === 1;
export const isWordChar = (c: number): boolean => c < 128 && WORD[c] === 1;
export const isUserChar = (c: number): boolean => c < 128 && USER[c] === 1;
export const isPasswordChar = (c: number): boolean => c < 128 && PASSWORD[c] === 1;
export const isParamChar = (c: number): boolean => c < 128 && PARAMCHAR[c] === 1;
export const isHnvChar = (c: number): boolean => c < 128 && HNVCHAR[c] === 1;
export const isHostnameChar = (c: number): boolean => c < 128 && HOSTNAME[c] === 1;
export const isTelNumberChar = (c: number): boolean => c < 128 && TEL_NUMBER[c] === 1;
export const isGenValueChar = (c: number): boolean => c < 128 && GEN_VALUE[c] === 1;
export const isSchemeChar = (c: number): boolean => c < 128 && SCHEME[c] === 1;
export const isDigit = (c: number): boolean => c >= 48 && c <= 57;
export const isHexDigit = (c: number): boolean => (c >= 48 && c <= 57) || ((c | 0x20) >= 97 && (c | 0x20) <= 102);
export const isAlpha = (c: number): boolean => (c | 0x20) >= 97 && (c | 0x20) <= 122;
/** SP or HTAB (RFC 3261 §25.1 WSP). */
export const isWsp = (c: number): boolean => c === 32 || c === 9;

/** True when every character of `s` is a token character and `s` is not empty. */
export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) if (!isTokenChar(s.charCodeAt(i))) return false;
  return true;
}

/** Index of the first non-WSP character at or after `i`. */
export function skipWsp(s: string, i: number): number {
  while (i < s.length && isWsp(s.charCodeAt(i))) i++;
  return i;
}

/** `s` without leading and trailing SP/HTAB (String.prototype.trim would also eat other Unicode spaces). */
export function trimWsp(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isWsp(s.charCodeAt(a))) a++;
  while (b > a && isWsp(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** Case-insensitive ASCII equality where `lower` is already lower-case. */
export function equalsLower(s: string, lower: string): boolean {
  if (s.length !== lower.length) return false;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) c |= 0x20;
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}
