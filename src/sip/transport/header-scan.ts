/**
 * Cheap byte scans over a raw header block, used before (and without) the message parser:
 * Content-Length for stream framing, and a best-effort header list so a message the transport
 * refuses (too large, no Content-Length) can still be answered by the stack.
 */
import type { HeaderField } from '../message/sip-message.js';

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HT = 0x09;
const COLON = 0x3a;
const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');

/** Lower-cased header names that carry the body length (RFC 3261 §20.14; `l` is the compact form, §7.3.3). */
const CONTENT_LENGTH = Buffer.from('content-length', 'latin1');
/** More digits than this is no length a message under any sane size limit can have. */
const MAX_LENGTH_DIGITS = 10;

export type ContentLengthScan = { kind: 'ok'; value: number } | { kind: 'missing' } | { kind: 'invalid' };

/** Offset of the CRLFCRLF that ends the header block at or after `from`, or -1. */
export function findHeaderEnd(data: Buffer, from: number, to: number = data.length): number {
  const at = data.indexOf(CRLFCRLF, from);
  return at >= 0 && at + 4 <= to ? at : -1;
}

/**
 * Content-Length from the header block `data[start, end)` (start line included, the final
 * CRLFCRLF excluded). Header names are case-insensitive (RFC 3261 §7.3.1), the compact `l` counts,
 * folded values are followed (§7.3.1 line folding), and several headers must agree.
 */
export function scanContentLength(data: Buffer, start: number, end: number): ContentLengthScan {
  let found: number | null = null;
  let line = data.indexOf(LF, start);
  if (line < 0 || line >= end) return { kind: 'missing' };
  line += 1; // first header line
  while (line < end) {
    let next = data.indexOf(LF, line);
    if (next < 0 || next > end) next = end;
    const first = data[line];
    if (first !== SP && first !== HT) {
      const valueAt = matchLengthName(data, line, next);
      if (valueAt >= 0) {
        const value = readLengthValue(data, valueAt, end);
        if (value < 0 || (found !== null && found !== value)) return { kind: 'invalid' };
        found = value;
      }
    }
    line = next + 1;
  }
  return found === null ? { kind: 'missing' } : { kind: 'ok', value: found };
}

/** Position after the colon when the line names Content-Length (or `l`), else -1. */
function matchLengthName(data: Buffer, at: number, lineEnd: number): number {
  let p: number;
  const first = lowerAt(data, at);
  if (first === 0x63 /* c */) {
    if (at + CONTENT_LENGTH.length > lineEnd) return -1;
    for (let i = 1; i < CONTENT_LENGTH.length; i++) if (lowerAt(data, at + i) !== CONTENT_LENGTH[i]) return -1;
    p = at + CONTENT_LENGTH.length;
  } else if (first === 0x6c /* l */) {
    p = at + 1;
  } else {
    return -1;
  }
  while (p < lineEnd && (data[p] === SP || data[p] === HT)) p++;
  return p < lineEnd && data[p] === COLON ? p + 1 : -1;
}

/** The byte at `at`, ASCII letters folded to lower case. */
function lowerAt(data: Buffer, at: number): number {
  const c = data[at] ?? 0;
  return c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
}

/** Digits of the value, skipping whitespace and folds; -1 when it is not a plain 1*DIGIT. */
function readLengthValue(data: Buffer, at: number, end: number): number {
  let p = skipLws(data, at, end);
  let value = 0;
  let digits = 0;
  while (p < end) {
    const c = data[p] ?? 0;
    if (c < 0x30 || c > 0x39) break;
    value = value * 10 + (c - 0x30);
    digits++;
    p++;
  }
  if (digits === 0 || digits > MAX_LENGTH_DIGITS) return -1;
  p = skipLws(data, p, end);
  // The logical line must end here: end of block, or a line break not followed by a fold.
  if (p >= end) return value;
  if (data[p] === CR && data[p + 1] === LF) return value;
  if (data[p] === LF) return value;
  return -1;
}

/** Skip SP/HT and folds (CRLF followed by SP/HT, RFC 3261 §7.3.1). */
function skipLws(data: Buffer, at: number, end: number): number {
  let p = at;
  for (;;) {
    const c = data[p];
    if (p < end && (c === SP || c === HT)) p++;
    else if (p + 2 < end && c === CR && data[p + 1] === LF && (data[p + 2] === SP || data[p + 2] === HT)) p += 3;
    else if (p + 1 < end && c === LF && (data[p + 1] === SP || data[p + 1] === HT)) p += 2;
    else return p;
  }
}

export interface HeaderBlockSketch {
  kind: 'request' | 'response' | 'unknown';
  method?: string;
  headers: HeaderField[];
}

/**
 * Best effort start line and header fields of a block the transport refuses to parse in full,
 * so the stack can still build a 400/513 (it needs Via, From, To, Call-ID, CSeq). Never throws.
 */
export function sketchHeaderBlock(block: Buffer): HeaderBlockSketch {
  const text = block.toString('utf8');
  const lines = text.split(/\r?\n/);
  const startLine = lines[0] ?? '';
  const headers: HeaderField[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line === '') break;
    const last = headers[headers.length - 1];
    if ((line.startsWith(' ') || line.startsWith('\t')) && last) {
      last.value = `${last.value} ${line.trim()}`.trim(); // RFC 3261 §7.3.1 unfolding
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    headers.push({ name: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() });
  }
  if (startLine.startsWith('SIP/')) return { kind: 'response', headers };
  const method = /^([A-Za-z0-9.!%*_+`'~-]+) \S+ SIP\/\d+\.\d+$/.exec(startLine)?.[1];
  return method ? { kind: 'request', method, headers } : { kind: 'unknown', headers };
}

/** A datagram made only of CR/LF bytes: a keep-alive (RFC 5626 §4.4.1), ignored without a count. */
export function isKeepAlive(data: Buffer): boolean {
  if (data.length === 0) return true;
  for (const c of data) if (c !== CR && c !== LF) return false;
  return true;
}
