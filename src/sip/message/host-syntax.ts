/**
 * Host grammar shared by URIs and Via sent-by (RFC 3261 §25.1 host / hostport, RFC 5118 for IPv6).
 */
import { isAlpha, isDigit, isHexDigit, isHostnameChar } from './char-classes.js';

/** IPv4address = 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT, each 0–255. */
export function isIPv4(s: string): boolean {
  let parts = 0;
  let digits = 0;
  let value = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 46;
    if (c === 46) {
      if (digits === 0 || value > 255) return false;
      parts++;
      digits = 0;
      value = 0;
    } else if (isDigit(c)) {
      if (++digits > 3) return false;
      value = value * 10 + (c - 48);
    } else return false;
  }
  return parts === 4;
}

/**
 * IPv6address per RFC 3261 §25.1 / RFC 4291 §2.2, without brackets, in one pass without
 * allocating. Stricter than RFC 3261's ABNF: `2001:db8:::192.0.2.1` (three colons, RFC 5118
 * §4.10) is rejected because it is not an address.
 */
export function isIPv6(s: string): boolean {
  const n = s.length;
  if (n < 2 || n > 45) return false;
  let groups = 0; // 16-bit groups seen
  let compressed = false; // "::" seen
  let i = 0;
  if (s.charCodeAt(0) === 58) {
    if (s.charCodeAt(1) !== 58) return false;
    compressed = true;
    i = 2;
    if (i === n) return true; // "::"
  }
  for (;;) {
    // one group: 1*4HEXDIG, or the IPv4 tail
    const start = i;
    while (i < n && isHexDigit(s.charCodeAt(i))) i++;
    if (i < n && s.charCodeAt(i) === 46 /* . */) {
      if (!isIPv4(s.slice(start))) return false;
      groups += 2;
      break;
    }
    const len = i - start;
    if (len === 0 || len > 4) return false;
    groups++;
    if (i === n) break;
    if (s.charCodeAt(i) !== 58) return false;
    i++;
    if (s.charCodeAt(i) === 58) {
      if (compressed) return false; // a second "::" or ":::"
      compressed = true;
      i++;
      if (i === n) break;
    } else if (i === n) return false; // trailing single ":"
  }
  return compressed ? groups <= 7 : groups === 8;
}

/**
 * hostname = *( domainlabel "." ) toplabel [ "." ]; labels are alphanum with inner "-",
 * and the toplabel starts with ALPHA (RFC 3261 §25.1), which keeps `1.2.3.999` from passing.
 */
export function isHostname(s: string): boolean {
  if (s.length === 0 || s.length > 255) return false;
  const end = s.charCodeAt(s.length - 1) === 46 ? s.length - 1 : s.length;
  if (end === 0) return false;
  let labelStart = 0;
  for (let i = 0; i <= end; i++) {
    const c = i < end ? s.charCodeAt(i) : 46;
    if (c === 46) {
      if (i === labelStart) return false;
      if (s.charCodeAt(labelStart) === 45 || s.charCodeAt(i - 1) === 45) return false;
      if (i === end && !isAlpha(s.charCodeAt(labelStart))) return false;
      labelStart = i + 1;
    } else if (!isHostnameChar(c)) return false;
  }
  return true;
}

export interface HostPort {
  /** Host as written, IPv6 without brackets. */
  host: string;
  port: number | null;
  ipv6: boolean;
}

/** Port = 1*DIGIT, 0–65535; null when it is not one. */
export function parsePort(s: string): number | null {
  if (s.length === 0 || s.length > 5) return null;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!isDigit(c)) return null;
    n = n * 10 + (c - 48);
  }
  return n <= 65535 ? n : null;
}

/**
 * hostport = host [ ":" port ], the whole of `s`. IPv6 must be bracketed (RFC 5118 §4.2:
 * `sip:2001:db8::10` is invalid). Returns null when `s` is not a valid hostport.
 */
export function parseHostPort(s: string): HostPort | null {
  if (s.charCodeAt(0) === 91 /* [ */) {
    const close = s.indexOf(']');
    if (close === -1) return null;
    const host = s.slice(1, close);
    if (!isIPv6(host)) return null;
    if (close === s.length - 1) return { host, port: null, ipv6: true };
    if (s.charCodeAt(close + 1) !== 58) return null;
    const port = parsePort(s.slice(close + 2));
    return port === null ? null : { host, port, ipv6: true };
  }
  const colon = s.indexOf(':');
  const host = colon === -1 ? s : s.slice(0, colon);
  if (!isIPv4(host) && !isHostname(host)) return null;
  if (colon === -1) return { host, port: null, ipv6: false };
  const port = parsePort(s.slice(colon + 1));
  return port === null ? null : { host, port, ipv6: false };
}
