/**
 * Decoding and cleaning the SIP text an application sends in a `sip` command
 * (drachtio-protocol.md §7.1). Pure functions.
 */
import { formatNameAddr, formatUri, getHeader, headerKey, headerValues, parseMessage, parseNameAddr, parseUri } from '../message/index.js';
import type { HeaderField, SipMessage } from '../message/sip-message.js';

const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');

export type AppSipResult = { ok: true; message: SipMessage } | { ok: false; reason: string };

/**
 * Parse the application's SIP text. drachtio-srf writes `Content-Length` as the JavaScript string
 * length of the body (wrong for multi-byte bodies), so the body is everything after the first
 * empty line and Content-Length is recomputed from its bytes. A message without the empty line
 * (nothing but headers) is taken as having no body.
 */
export function decodeAppSip(bytes: Buffer): AppSipResult {
  const complete = bytes.indexOf(CRLFCRLF) >= 0 ? bytes : Buffer.concat([trimTrailingCrlf(bytes), CRLFCRLF]);
  const result = parseMessage(complete, { bodyToEnd: true });
  if (!result.ok) return { ok: false, reason: result.error.reason };
  return { ok: true, message: result.message };
}

function trimTrailingCrlf(bytes: Buffer): Buffer {
  let end = bytes.length;
  while (end >= 2 && bytes[end - 2] === 0x0d && bytes[end - 1] === 0x0a) end -= 2;
  return bytes.subarray(0, end);
}

/** §7.1: never taken from the application; the server computes or copies them. */
const NEVER_FROM_APP = new Set(['via', 'route', 'record-route', 'rseq', 'content-length']);

const RFC_TOKEN = /^[A-Za-z0-9.!%*_+`'~-]+$/;

/**
 * Well-known header names in their usual spelling. drachtio-srf lower-cases most header names
 * (`cseq`, `user-agent`); these go back to the canonical form, anything else keeps the case the
 * application gave (custom headers, above all `X-*`, leave exactly as written).
 */
const CANONICAL_NAMES: Record<string, string> = Object.fromEntries(
  [
    'Accept', 'Accept-Encoding', 'Accept-Language', 'Alert-Info', 'Allow', 'Allow-Events', 'Authentication-Info', 'Authorization',
    'Call-ID', 'Call-Info', 'Contact', 'Content-Disposition', 'Content-Encoding', 'Content-Language', 'Content-Length',
    'Content-Type', 'CSeq', 'Date', 'Diversion', 'Error-Info', 'Event', 'Expires', 'From', 'History-Info', 'In-Reply-To',
    'Max-Forwards', 'MIME-Version', 'Min-Expires', 'Min-SE', 'Organization', 'P-Asserted-Identity', 'P-Preferred-Identity',
    'Path', 'Priority', 'Privacy', 'Proxy-Authenticate', 'Proxy-Authorization', 'Proxy-Require', 'RAck', 'Reason',
    'Record-Route', 'Refer-To', 'Referred-By', 'Remote-Party-ID', 'Replaces', 'Reply-To', 'Require', 'Retry-After', 'Route',
    'RSeq', 'Server', 'Session-Expires', 'SIP-ETag', 'SIP-If-Match', 'Subject', 'Subscription-State', 'Supported',
    'Timestamp', 'To', 'Unsupported', 'User-Agent', 'Via', 'Warning', 'WWW-Authenticate',
  ].map((name) => [name.toLowerCase(), name]),
);

export function outputHeaderName(name: string): string {
  const key = headerKey(name);
  if (name !== name.toLowerCase()) return name;
  return CANONICAL_NAMES[key] ?? name;
}

/**
 * The application's headers minus those the server owns (§7.1) and those named in `exclude`
 * (lower-case long names), names restored to their usual case, order kept.
 */
export function appHeaders(message: SipMessage, exclude: ReadonlySet<string>): HeaderField[] {
  const out: HeaderField[] = [];
  for (const field of message.headers) {
    const key = headerKey(field.name);
    if (NEVER_FROM_APP.has(key) || exclude.has(key)) continue;
    if (!RFC_TOKEN.test(field.name) || /[\r\n]/.test(field.value)) continue;
    out.push({ name: outputHeaderName(field.name), value: field.value });
  }
  return out;
}

/** `sip:placeholder`: srf's Request-URI for in-dialog requests; replaced by the remote target. */
export function isPlaceholderUri(uri: string): boolean {
  return /^sips?:placeholder$/i.test(uri.trim());
}

/**
 * §7.1 placeholder host: a From/To/Contact/P-Asserted-Identity value whose host is `localhost`
 * gets the server's SIP address and port (emitted in `<...>` form, parameters kept). Values
 * without `@localhost` (or unparseable ones) are returned unchanged.
 */
export function rewriteLocalhost(value: string, host: string, port: number): string {
  if (!/@localhost\b/i.test(value)) return value;
  try {
    const addr = parseNameAddr(value);
    const uri = parseUri(addr.uri);
    if (uri.scheme === 'tel' || uri.host !== 'localhost') return value;
    const rewritten = formatUri({ ...uri, host, port });
    return formatNameAddr({ displayName: addr.displayName, uri: rewritten, params: addr.params, tag: addr.tag });
  } catch {
    return value;
  }
}

/** The body's Content-Type when the application gave none (§7.1): SDP is recognised, else null. */
export function inferContentType(body: Buffer): string | null {
  return body.subarray(0, 3).toString('latin1') === 'v=0' ? 'application/sdp' : null;
}

/** The header's first value, if any. */
export function headerOf(message: SipMessage, name: string): string | undefined {
  return getHeader(message, name);
}

/** Whether a comma-separated option-tag header (Require, Supported) lists `tag`. */
export function hasOptionTag(message: SipMessage, header: string, tag: string): boolean {
  return headerValues(message, header).some((v) => v.split(',').some((t) => t.trim().toLowerCase() === tag));
}
