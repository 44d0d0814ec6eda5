/** Write a parsed SIP/SIPS/TEL URI back to text (RFC 3261 §19.1.1, RFC 3966 §3). */
import type { SipUri, TelUri } from './parse-uri.js';

function formatParams(params: Record<string, string | null>): string {
  let out = '';
  for (const name in params) {
    const value = params[name];
    out += value === null || value === undefined ? ';' + name : ';' + name + '=' + value;
  }
  return out;
}

export function formatUri(uri: SipUri | TelUri): string {
  if (uri.scheme === 'tel') return 'tel:' + uri.number + formatParams(uri.params);
  let out = uri.scheme + ':';
  if (uri.user !== null) {
    out += uri.user;
    if (uri.password !== null) out += ':' + uri.password;
    out += '@';
  }
  out += uri.host.indexOf(':') !== -1 ? '[' + uri.host + ']' : uri.host;
  if (uri.port !== null) out += ':' + uri.port;
  out += formatParams(uri.params);
  let sep = '?';
  for (const name in uri.headers) {
    out += sep + name + '=' + uri.headers[name];
    sep = '&';
  }
  return out;
}
