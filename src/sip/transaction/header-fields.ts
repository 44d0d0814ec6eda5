/**
 * The few header-field operations the transaction layer needs to build 100 Trying, ACK and
 * CANCEL without re-parsing: copy fields by name (long or compact form, RFC 3261 §7.3.3), take
 * the first comma-separated value, set a field. Structured parsing stays in src/sip/message.
 */
import type { HeaderField, SipMessage } from '../message/sip-message.js';

/** RFC 3261 §7.3.3 / §20 compact forms of the headers used here (lower-cased long name → compact). */
const COMPACT: Record<string, string> = {
  via: 'v',
  from: 'f',
  to: 't',
  'call-id': 'i',
  'content-length': 'l',
  'content-type': 'c',
  contact: 'm',
  supported: 'k',
};

/** True when `field` is the header `canonical` (case-insensitive, compact form included). */
export function isHeader(field: HeaderField, canonical: string): boolean {
  const name = field.name.toLowerCase();
  const long = canonical.toLowerCase();
  return name === long || (COMPACT[long] !== undefined && name === COMPACT[long]);
}

export function fieldsNamed(message: SipMessage, canonical: string): HeaderField[] {
  return message.headers.filter((field) => isHeader(field, canonical));
}

export function firstField(message: SipMessage, canonical: string): HeaderField | undefined {
  return message.headers.find((field) => isHeader(field, canonical));
}

/** Split a header value on commas that are outside quoted strings and <...> (RFC 3261 §7.3.1). */
export function splitCommaValues(value: string): string[] {
  const parts: string[] = [];
  let depthAngle = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (quoted) {
      if (ch === '\\') i++;
      else if (ch === '"') quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === '<') depthAngle++;
    else if (ch === '>') depthAngle = Math.max(0, depthAngle - 1);
    else if (ch === ',' && depthAngle === 0) {
      parts.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(value.slice(start).trim());
  return parts.filter((part) => part.length > 0);
}

/** The top (first) value of a possibly multi-valued header, e.g. the top Via. */
export function topValue(message: SipMessage, canonical: string): string | undefined {
  const field = firstField(message, canonical);
  return field === undefined ? undefined : splitCommaValues(field.value)[0];
}

/** Replace the first field called `canonical` (keeping its written name), or append one. */
export function withHeader(headers: HeaderField[], canonical: string, value: string): HeaderField[] {
  const index = headers.findIndex((field) => isHeader(field, canonical));
  if (index === -1) return [...headers, { name: canonical, value }];
  return headers.map((field, i) => (i === index ? { name: field.name, value } : field));
}

/**
 * The `tag` parameter of a From/To value, or null. Header parameters follow the closing `>` of
 * a name-addr; in the addr-spec form every `;param` is a header parameter (RFC 3261 §20.10).
 */
export function tagParam(value: string): string | null {
  const unquoted = value.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const close = unquoted.lastIndexOf('>');
  const params = close === -1 ? unquoted : unquoted.slice(close + 1);
  const match = /;\s*tag\s*=\s*([^;\s,]+)/i.exec(params);
  return match?.[1] ?? null;
}
