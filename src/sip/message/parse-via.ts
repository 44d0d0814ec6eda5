/**
 * Via (RFC 3261 §20.42, §25.1; RFC 3581 rport):
 *
 *   Via           = ( "Via" / "v" ) HCOLON via-parm *(COMMA via-parm)
 *   via-parm      = sent-protocol LWS sent-by *( SEMI via-params )
 *   sent-protocol = protocol-name SLASH protocol-version SLASH transport   (SLASH = SWS "/" SWS)
 *   sent-by       = host [ COLON port ]                                    (COLON = SWS ":" SWS)
 */
import { isTokenChar, isWsp, skipWsp } from './char-classes.js';
import { isHostname, isIPv4, isIPv6, parsePort } from './host-syntax.js';
import { emptyParams, parseParams } from './parse-params.js';
import { SipHeaderError } from './sip-header-error.js';
import { splitHeaderListStrict } from './split-header-list.js';

export interface Via {
  /** `SIP/2.0/UDP` as written (LWS around the slashes removed). */
  protocol: string;
  /** Transport token upper-cased: `UDP`, `TCP`, `TLS`, `SCTP`, `WS` … */
  transport: string;
  /** Host without IPv6 brackets. */
  host: string;
  port: number | null;
  /** Parameter names lower-cased; `null` for a flag parameter (`;rport`). */
  params: Record<string, string | null>;
  branch: string | null;
}

/** RFC 3261 §8.1.1.7: branch IDs of RFC 3261 elements start with this magic cookie. */
export const BRANCH_MAGIC_COOKIE = 'z9hG4bK';

const bad = (detail: string): SipHeaderError => new SipHeaderError('SIP_ERR_BAD_VIA', detail);

function isUpper(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 97 && c <= 122) return false;
  }
  return true;
}

function readToken(s: string, i: number): number {
  while (i < s.length && isTokenChar(s.charCodeAt(i))) i++;
  return i;
}

/** Parse every via-parm of a Via header value (comma-separated, RFC 3261 §7.3.1). */
export function parseVia(value: string): Via[] {
  const out: Via[] = [];
  for (const part of splitHeaderListStrict(value)) {
    if (part.length === 0) throw bad('empty value in list');
    out.push(parseViaParm(part));
  }
  return out;
}

function parseViaParm(s: string): Via {
  let i = 0;
  const nameEnd = readToken(s, i);
  if (nameEnd === i) throw bad('missing protocol name');
  const name = s.slice(i, nameEnd);
  i = skipWsp(s, nameEnd);
  if (s.charCodeAt(i) !== 47) throw bad('missing "/"');
  i = skipWsp(s, i + 1);
  const versionEnd = readToken(s, i);
  if (versionEnd === i) throw bad('missing protocol version');
  const version = s.slice(i, versionEnd);
  i = skipWsp(s, versionEnd);
  if (s.charCodeAt(i) !== 47) throw bad('missing "/"');
  i = skipWsp(s, i + 1);
  const transportEnd = readToken(s, i);
  if (transportEnd === i) throw bad('missing transport');
  const transport = s.slice(i, transportEnd);
  i = transportEnd;
  // LWS between sent-protocol and sent-by is mandatory.
  if (!isWsp(s.charCodeAt(i))) throw bad('missing space before sent-by');
  i = skipWsp(s, i);

  let host: string;
  if (s.charCodeAt(i) === 91 /* [ */) {
    const close = s.indexOf(']', i);
    if (close === -1) throw bad('unterminated IPv6 reference');
    host = s.slice(i + 1, close);
    if (!isIPv6(host)) throw bad('bad IPv6 address');
    i = close + 1;
  } else {
    const start = i;
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (c === 59 || c === 58 || isWsp(c)) break;
      i++;
    }
    host = s.slice(start, i);
    if (!isIPv4(host) && !isHostname(host)) throw bad('bad sent-by host');
  }
  let port: number | null = null;
  const j = skipWsp(s, i);
  if (s.charCodeAt(j) === 58 /* : */) {
    const ps = skipWsp(s, j + 1);
    let pe = ps;
    while (pe < s.length && s.charCodeAt(pe) >= 48 && s.charCodeAt(pe) <= 57) pe++;
    port = parsePort(s.slice(ps, pe));
    if (port === null) throw bad('bad port');
    i = pe;
  }
  const params = emptyParams<string | null>();
  parseParams(s, i, params, 'SIP_ERR_BAD_VIA');
  const branch = params.branch;
  if (branch === null) throw bad('branch without a value');
  const compact = transportEnd === name.length + version.length + transport.length + 2;
  return {
    protocol: compact ? s.slice(0, transportEnd) : name + '/' + version + '/' + transport,
    transport: isUpper(transport) ? transport : transport.toUpperCase(),
    host,
    port,
    params,
    branch: branch === undefined ? null : branch,
  };
}

/** Write one via-parm (`SIP/2.0/UDP host:port;branch=…;rport`). */
export function formatVia(via: { protocol?: string; transport: string; host: string; port: number | null; params: Record<string, string | null> }): string {
  const protocol = via.protocol ?? `SIP/2.0/${via.transport}`;
  let out = protocol + ' ' + (via.host.indexOf(':') !== -1 ? '[' + via.host + ']' : via.host);
  if (via.port !== null) out += ':' + via.port;
  for (const name in via.params) {
    const v = via.params[name];
    out += v === null || v === undefined ? ';' + name : ';' + name + '=' + v;
  }
  return out;
}
