/**
 * Reading and editing the ordered header list of a message. Lookups are case-insensitive and
 * accept long or compact names (RFC 3261 §7.3.1, §7.3.3); edits keep every other field, its name
 * and its position untouched, so `X-Zendesk-Ticket-Id` leaves exactly as written.
 */
import { equalsLower } from './char-classes.js';
import { compactFormOf, headerKey, isListHeader } from './header-names.js';
import { SipHeaderError } from './sip-header-error.js';
import type { HeaderField } from './sip-message.js';
import { splitHeaderList } from './split-header-list.js';

/**
 * Anything with a header list: a `SipMessage`, or the `partial` of a parse error (enough to answer
 * a broken request).
 */
export interface HasHeaders {
  headers: HeaderField[];
}

/** A matcher for one header name: long-form key plus its compact letter. */
function matcher(name: string): (field: HeaderField) => boolean {
  const key = headerKey(name);
  const compact = compactFormOf(key);
  const compactCode = compact === undefined ? -1 : compact.charCodeAt(0);
  return (field) => {
    const n = field.name;
    if (n.length === 1) return (n.charCodeAt(0) | 0x20) === compactCode || equalsLower(n, key);
    return equalsLower(n, key);
  };
}

/** First value of a header by canonical or compact name, case-insensitive. */
export function getHeader(message: HasHeaders, name: string): string | undefined {
  const key = headerKey(name);
  const compact = compactFormOf(key);
  const compactCode = compact === undefined ? -1 : compact.charCodeAt(0);
  const headers = message.headers;
  for (let i = 0; i < headers.length; i++) {
    const field = headers[i] as HeaderField;
    const n = field.name;
    if (n.length === 1 ? (n.charCodeAt(0) | 0x20) === compactCode || equalsLower(n, key) : equalsLower(n, key)) {
      return field.value;
    }
  }
  return undefined;
}

/** Whether the message has at least one field of that name. */
export function hasHeader(message: HasHeaders, name: string): boolean {
  return getHeader(message, name) !== undefined;
}

/** Every field (name as written + value) of that name, in order. */
export function headerFields(message: HasHeaders, name: string): HeaderField[] {
  return message.headers.filter(matcher(name));
}

/**
 * Every value of a header across lines; for list headers (Via, Route, Contact, Allow …) the
 * comma-separated values are split, respecting quotes and `<>`. Other headers (Authorization,
 * Date, unknown and X- headers) yield one value per line.
 */
export function headerValues(message: HasHeaders, name: string): string[] {
  const match = matcher(name);
  const split = isListHeader(name);
  const out: string[] = [];
  for (const field of message.headers) {
    if (!match(field)) continue;
    if (split) {
      for (const v of splitHeaderList(field.value)) out.push(v);
    } else out.push(field.value);
  }
  return out;
}

/** RFC 3261 §7.3: a header line cannot carry CR or LF; a name must be non-empty and colon-free. */
function assertField(name: string, value: string): void {
  if (name.length === 0 || /[\r\n:\s]/.test(name)) throw new SipHeaderError('SIP_ERR_BAD_HEADER', 'invalid header name');
  if (value.indexOf('\r') !== -1 || value.indexOf('\n') !== -1) {
    throw new SipHeaderError('SIP_ERR_BAD_HEADER_VALUE', 'CR or LF in header value');
  }
}

/** Append a field at the end (after any field of the same name). */
export function appendHeader(message: HasHeaders, name: string, value: string): void {
  assertField(name, value);
  message.headers.push({ name, value });
}

/**
 * Insert a field before the first field of the same name (or first in the list when there is
 * none), as a proxy pushes its Via or Record-Route on top (RFC 3261 §16.6 step 8).
 */
export function prependHeader(message: HasHeaders, name: string, value: string): void {
  assertField(name, value);
  const idx = message.headers.findIndex(matcher(name));
  message.headers.splice(idx === -1 ? 0 : idx, 0, { name, value });
}

/** Replace the first field of that name (keeping its position) and drop the others; append when absent. */
export function setHeader(message: HasHeaders, name: string, value: string): void {
  assertField(name, value);
  const match = matcher(name);
  const idx = message.headers.findIndex(match);
  if (idx === -1) {
    message.headers.push({ name, value });
    return;
  }
  message.headers = message.headers.filter((f, i) => i === idx || !match(f));
  message.headers[idx] = { name, value };
}

/** Remove every field of that name; returns how many were removed. */
export function removeHeader(message: HasHeaders, name: string): number {
  const match = matcher(name);
  const before = message.headers.length;
  message.headers = message.headers.filter((f) => !match(f));
  return before - message.headers.length;
}
