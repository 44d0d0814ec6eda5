/**
 * Locating and rewriting the top Via value inside a message's header list. The top Via is the first
 * comma-separated value of the first Via (or `v`) header line (RFC 3261 §7.3.1, §20.42).
 */
import { parseVia, type Via } from '../message/index.js';
import type { SipMessage } from '../message/sip-message.js';

export interface TopViaLocation {
  /** Index in `message.headers`. */
  index: number;
  /** The top Via value text as written. */
  text: string;
  /** Length of `text` within the header line's value (the rest is `, <more Vias>`). */
  end: number;
}

export function locateTopVia(message: SipMessage): TopViaLocation | null {
  for (let index = 0; index < message.headers.length; index++) {
    const field = message.headers[index];
    if (!field) continue;
    const name = field.name.toLowerCase();
    if (name !== 'via' && name !== 'v') continue;
    const end = firstValueEnd(field.value);
    return { index, text: field.value.slice(0, end).trimEnd(), end };
  }
  return null;
}

/** The parsed top Via, or null when there is none or it does not parse. */
export function readTopVia(message: SipMessage): Via | null {
  const location = locateTopVia(message);
  if (!location) return null;
  try {
    return parseVia(location.text)[0] ?? null;
  } catch {
    return null;
  }
}

/** A copy of `message` whose top Via text is `text` (other headers shared, the input untouched). */
export function withTopVia<M extends SipMessage>(message: M, location: TopViaLocation, text: string): M {
  const headers = message.headers.slice();
  const field = headers[location.index];
  if (!field) return message;
  headers[location.index] = { name: field.name, value: text + field.value.slice(location.end) };
  return { ...message, headers };
}

/** Offset of the first comma outside quotes and angle brackets, or the length. */
function firstValueEnd(value: string): number {
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      return i;
    }
  }
  return value.length;
}
