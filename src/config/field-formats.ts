/**
 * Syntax checks for config values that end up on the wire (ids in SIP headers, SIP URIs, header
 * names/values). Deliberately small and local: the config is decoded once here, so nothing later
 * has to re-validate strings (STYLE.md habit 4).
 */

/** Ids of organisations, agents, destinations, carriers: safe in a SIP header value and a URL path. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** RFC 3261 §25.1 `token`: the characters a header name may use. */
const TOKEN = /^[A-Za-z0-9\-.!%*_+`'~]+$/;

/** Header value: printable ASCII and spaces/tabs only, so no CR, LF or NUL can reach the wire. */
const SAFE_HEADER_VALUE = /^[\x20-\x7e\t]*$/;

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6_REF = /^\[[0-9A-Fa-f:.]+\]$/;
/** RFC 3261 §25.1 `user` unreserved/escaped characters (kept simple: no "@", ">", spaces, controls). */
const SIP_USER = /^(?:[A-Za-z0-9\-_.!~*'()&=+$,;?/]|%[0-9A-Fa-f]{2})+$/;
const SIP_PARAMS = /^(?:;[A-Za-z0-9\-_.!~*'()%[\]/:&+$]+(?:=[A-Za-z0-9\-_.!~*'()%[\]/:&+$]*)?)*$/;

export function isSipToken(value: string): boolean {
  return TOKEN.test(value);
}

export function isSafeHeaderValue(value: string): boolean {
  return SAFE_HEADER_VALUE.test(value);
}

/** Host (name, IPv4 or bracketed IPv6) with an optional port. */
export function isHostPort(value: string): boolean {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d{1,5}))?$/.exec(value);
  if (!m?.[1]) return false;
  const host = m[1];
  if (m[2] !== undefined && (Number(m[2]) < 1 || Number(m[2]) > 65535)) return false;
  return IPV4.test(host) || IPV6_REF.test(host) || HOSTNAME.test(host);
}

/**
 * `sip:` / `sips:` URI in the simple form this product needs (RFC 3261 §19.1.1):
 * `sip:[user@]host[:port][;params]`; no headers part (`?`), no passwords.
 */
export function isSipUri(value: string): boolean {
  const m = /^sips?:(.+)$/i.exec(value);
  if (!m?.[1]) return false;
  let rest = m[1];
  let params = '';
  const at = rest.lastIndexOf('@');
  let user: string | null = null;
  if (at >= 0) {
    user = rest.slice(0, at);
    rest = rest.slice(at + 1);
  }
  const semi = rest.indexOf(';');
  if (semi >= 0) {
    params = rest.slice(semi);
    rest = rest.slice(0, semi);
  }
  if (user !== null && (user === '' || user.includes(':') || !SIP_USER.test(user))) return false;
  return isHostPort(rest) && SIP_PARAMS.test(params);
}

/** `transport:host:port` listen spec of the embedded SIP server, e.g. `udp:127.0.0.1:5060`. */
export interface ListenSpec {
  transport: 'udp' | 'tcp';
  host: string;
  port: number;
}

export function parseListenSpec(value: string): ListenSpec | null {
  const m = /^(udp|tcp):(\[[0-9A-Fa-f:.]+\]|[^:[\]]+):(\d{1,5})$/i.exec(value);
  if (!m?.[1] || !m[2] || !m[3]) return null;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return null;
  const host = m[2].startsWith('[') ? m[2].slice(1, -1) : m[2];
  return { transport: m[1].toLowerCase() as 'udp' | 'tcp', host, port };
}
