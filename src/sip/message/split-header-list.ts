/**
 * Split a comma-separated header value into its elements (RFC 3261 §7.3.1), ignoring commas
 * inside quoted strings (with quoted-pairs) and inside `<…>` URIs.
 */
import { trimWsp } from './char-classes.js';

/** Elements of a list value, trimmed; empty elements are dropped (`a, , b` → `a`, `b`). */
export function splitHeaderList(value: string): string[] {
  if (value.indexOf(',') === -1) {
    const one = trimWsp(value);
    return one.length === 0 ? [] : [one];
  }
  const out: string[] = [];
  let start = 0;
  let inQuote = false;
  let inAngle = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (inQuote) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inQuote = false;
    } else if (c === 34) inQuote = true;
    else if (c === 60 /* < */) inAngle = true;
    else if (c === 62 /* > */) inAngle = false;
    else if (c === 44 /* , */ && !inAngle) {
      const part = trimWsp(value.slice(start, i));
      if (part.length > 0) out.push(part);
      start = i + 1;
    }
  }
  const last = trimWsp(value.slice(start));
  if (last.length > 0) out.push(last);
  return out;
}

/**
 * Like `splitHeaderList` but keeps empty elements, so a strict parser can reject `a,,b`
 * (RFC 3261 §7.3.1 has no empty list elements in SIP grammar).
 */
export function splitHeaderListStrict(value: string): string[] {
  if (value.indexOf(',') === -1) return [trimWsp(value)];
  const out: string[] = [];
  let start = 0;
  let inQuote = false;
  let inAngle = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (inQuote) {
      if (c === 92) i++;
      else if (c === 34) inQuote = false;
    } else if (c === 34) inQuote = true;
    else if (c === 60) inAngle = true;
    else if (c === 62) inAngle = false;
    else if (c === 44 && !inAngle) {
      out.push(trimWsp(value.slice(start, i)));
      start = i + 1;
    }
  }
  out.push(trimWsp(value.slice(start)));
  return out;
}
