/**
 * Header names: compact forms, canonical spelling, and which headers are comma-separated lists.
 * Header names are case-insensitive (RFC 3261 §7.3.1); lookups use a lower-case long-form key.
 */

/** Compact form → lower-case long name (RFC 3261 §7.3.3 and the extensions that registered one). */
export const COMPACT_FORMS: Readonly<Record<string, string>> = {
  a: 'accept-contact', // RFC 3841
  b: 'referred-by', // RFC 3892
  c: 'content-type',
  d: 'request-disposition', // RFC 3841
  e: 'content-encoding',
  f: 'from',
  i: 'call-id',
  j: 'reject-contact', // RFC 3841
  k: 'supported',
  l: 'content-length',
  m: 'contact',
  n: 'identity-info', // RFC 4474
  o: 'event', // RFC 6665
  r: 'refer-to', // RFC 3515
  s: 'subject',
  t: 'to',
  u: 'allow-events', // RFC 6665
  v: 'via',
  x: 'session-expires', // RFC 4028
  y: 'identity', // RFC 8224
};

/** Lower-case long name → compact letter. */
const COMPACT_OF: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(COMPACT_FORMS).map(([letter, long]) => [long, letter]),
);

/** Spellings that a plain Title-Case rule would get wrong or that are worth fixing. */
const CANONICAL: Readonly<Record<string, string>> = {
  'call-id': 'Call-ID',
  cseq: 'CSeq',
  'www-authenticate': 'WWW-Authenticate',
  'mime-version': 'MIME-Version',
  'rack': 'RAck',
  'rseq': 'RSeq',
  'sip-etag': 'SIP-ETag',
  'sip-if-match': 'SIP-If-Match',
  'p-asserted-identity': 'P-Asserted-Identity',
  'p-preferred-identity': 'P-Preferred-Identity',
  'identity-info': 'Identity-Info',
};

/**
 * Headers whose whole value is a comma-separated list (RFC 3261 §7.3.1: only these may be split or
 * combined). Everything else — Authorization/WWW-Authenticate and friends, Date, Call-ID, Subject,
 * User-Agent, unknown and X- headers — keeps its commas.
 */
const LIST_HEADERS: ReadonlySet<string> = new Set([
  'accept',
  'accept-contact',
  'accept-encoding',
  'accept-language',
  'accept-resource-priority',
  'alert-info',
  'allow',
  'allow-events',
  'call-info',
  'contact',
  'content-encoding',
  'content-language',
  'diversion',
  'error-info',
  'history-info',
  'in-reply-to',
  'p-asserted-identity',
  'p-associated-uri',
  'p-preferred-identity',
  'path',
  'proxy-require',
  'reason',
  'record-route',
  'reject-contact',
  'request-disposition',
  'require',
  'resource-priority',
  'route',
  'security-client',
  'security-server',
  'security-verify',
  'service-route',
  'supported',
  'unsupported',
  'via',
  'warning',
]);

/** Lower-case long-form key of a header name: `v`, `VIA` and `Via` all give `via`. */
export function headerKey(name: string): string {
  const lower = name.toLowerCase();
  if (lower.length === 1) return COMPACT_FORMS[lower] ?? lower;
  return lower;
}

/** The compact letter of a long-form key (`via` → `v`), if it has one. */
export function compactFormOf(key: string): string | undefined {
  return COMPACT_OF[key];
}

/** Canonical spelling for display or for building messages: `i` → `Call-ID`, `x-foo` → `X-Foo`. */
export function canonicalHeaderName(name: string): string {
  const key = headerKey(name);
  const known = CANONICAL[key];
  if (known) return known;
  let out = '';
  let upper = true;
  for (let i = 0; i < key.length; i++) {
    const ch = key[i] as string;
    out += upper ? ch.toUpperCase() : ch;
    upper = ch === '-';
  }
  return out;
}

/** Whether a header's value is a comma-separated list that `headerValues` splits. */
export function isListHeader(name: string): boolean {
  return LIST_HEADERS.has(headerKey(name));
}
