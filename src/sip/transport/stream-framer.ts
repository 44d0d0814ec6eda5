/**
 * Splits a SIP byte stream (TCP) into messages. Pure: bytes in, events out, no sockets or timers.
 *
 * RFC 3261 §18.3: on a stream the Content-Length header MUST be present and gives the body size;
 * the header block ends at the first empty line (§7). RFC 3261 §7.5: CRLFs before a start line are
 * ignored. RFC 5626 §4.4.1: a CRLFCRLF "ping" between messages is answered with a CRLF "pong".
 *
 * Bytes are processed straight from the pushed chunk when nothing is pending (no copy); only an
 * unfinished message is kept, in a buffer that grows by doubling so a peer that sends one byte at
 * a time costs linear, not quadratic, work.
 */
import { findHeaderEnd, scanContentLength } from './header-scan.js';

export const DEFAULT_MAX_MESSAGE_SIZE = 64 * 1024;

export type FramingErrorReason =
  /** RFC 3261 §18.3: Content-Length is mandatory on a stream. */
  | 'no-content-length'
  /** Not 1*DIGIT, or several Content-Length headers that disagree. */
  | 'bad-content-length'
  /** Header block plus Content-Length exceeds the maximum message size. */
  | 'too-large'
  /** No end of headers within the maximum message size (garbage or a header flood). */
  | 'no-header-end';

export type FrameEvent =
  | { type: 'message'; data: Buffer }
  /** A CRLFCRLF keep-alive ping: the owner answers with a single CRLF (RFC 5626 §4.4.1). */
  | { type: 'ping' }
  /**
   * The stream cannot be framed any further; the owner reports it and closes the connection.
   * `header` is the header block (start line included) — for `no-header-end`, the first
   * `maxMessageSize` bytes — so the stack can still answer a request it recognises.
   */
  | { type: 'error'; reason: FramingErrorReason; header: Buffer };

export interface StreamFramerOptions {
  /** Largest message (headers + body) accepted, in bytes. Default 64 KiB. */
  maxMessageSize?: number;
}

const CR = 0x0d;
const LF = 0x0a;
const CRLF_BYTES = Buffer.from('\r\n', 'latin1');
const MIN_CAPACITY = 4096;

export class StreamFramer {
  private readonly maxMessageSize: number;
  /** Bytes of an unfinished message live in `pending[0, length)`; it always starts at a message start. */
  private pending: Buffer | null = null;
  private length = 0;
  /** Bytes of the current message already searched for the end of headers. */
  private scanned = 0;
  /** Total size of the current message once its headers were read; 0 while unknown. */
  private need = 0;
  /** How much of "\r\n\r\n" the current run of line breaks between messages has matched. */
  private pingMatch = 0;
  private failed = false;

  constructor(options: StreamFramerOptions = {}) {
    this.maxMessageSize = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
  }

  /** Bytes held for a message that has not fully arrived. */
  get buffered(): number {
    return this.length;
  }

  /** True once an error event was emitted; later input is ignored. */
  get broken(): boolean {
    return this.failed;
  }

  push(chunk: Buffer): FrameEvent[] {
    const events: FrameEvent[] = [];
    if (this.failed || chunk.length === 0) return events;
    if (this.length === 0) {
      const used = this.frame(chunk, 0, chunk.length, events);
      if (!this.failed && used < chunk.length) this.keep(chunk, used);
      return events;
    }
    this.append(chunk);
    if (this.need > 0 && this.length < this.need) return events; // body still arriving
    const buffer = this.pending as Buffer;
    const used = this.frame(buffer, 0, this.length, events);
    if (this.failed) {
      this.pending = null;
      this.length = 0;
    } else if (used === this.length) {
      this.pending = null; // nothing pending: drop the (possibly large) buffer
      this.length = 0;
    } else if (used > 0) {
      buffer.copy(buffer, 0, used, this.length);
      this.length -= used;
    }
    return events;
  }

  /** Frame messages in `data[from, to)`; returns the offset of the first byte not consumed. */
  private frame(data: Buffer, from: number, to: number, events: FrameEvent[]): number {
    let at = from;
    while (at < to) {
      if (this.need === 0 && this.scanned === 0) {
        at = this.skipLineBreaks(data, at, to, events);
        if (at >= to) return at;
      }
      if (this.need === 0) {
        const headerEnd = findHeaderEnd(data, at + Math.max(0, this.scanned - 3), to);
        if (headerEnd < 0) {
          if (to - at > this.maxMessageSize) {
            return this.fail(events, 'no-header-end', this.boundedHead(data, at, to));
          }
          this.scanned = to - at;
          return at;
        }
        const length = scanContentLength(data, at, headerEnd);
        if (length.kind !== 'ok') {
          const reason = length.kind === 'missing' ? 'no-content-length' : 'bad-content-length';
          return this.fail(events, reason, this.boundedHead(data, at, headerEnd));
        }
        const total = headerEnd + 4 - at + length.value;
        if (total > this.maxMessageSize) return this.fail(events, 'too-large', this.boundedHead(data, at, headerEnd));
        this.need = total;
        this.scanned = 0;
      }
      if (to - at < this.need) return at;
      // Each message gets memory of its own: a view into the socket's read chunk (up to 64 KiB) or
      // a slice of Node's shared 8 KiB pool would be pinned for a whole call by a dialog that keeps
      // the INVITE or its SDP body (the parser hands out zero-copy views of these bytes).
      const message = Buffer.allocUnsafeSlow(this.need);
      data.copy(message, 0, at, at + this.need);
      events.push({ type: 'message', data: message });
      at += this.need;
      this.need = 0;
    }
    return at;
  }

  /** RFC 3261 §7.5 / RFC 5626 §4.4.1: consume CR/LF between messages, reporting each CRLFCRLF. */
  private skipLineBreaks(data: Buffer, from: number, to: number, events: FrameEvent[]): number {
    let at = from;
    while (at < to) {
      const c = data[at];
      if (c !== CR && c !== LF) {
        this.pingMatch = 0;
        return at;
      }
      const expected = this.pingMatch % 2 === 0 ? CR : LF;
      if (c === expected) {
        this.pingMatch += 1;
        if (this.pingMatch === 4) {
          events.push({ type: 'ping' });
          this.pingMatch = 0;
        }
      } else {
        this.pingMatch = c === CR ? 1 : 0;
      }
      at += 1;
    }
    return at;
  }

  /**
   * The header bytes reported with an error: `data[at, end)` when within the maximum size;
   * otherwise the first `maxMessageSize` bytes cut back to the last complete line, so a sketch of
   * them never holds a header value cut short (issue 3: a header flood still gets its 513).
   */
  private boundedHead(data: Buffer, at: number, end: number): Buffer {
    const limit = Math.min(end, at + this.maxMessageSize);
    if (limit === end) return Buffer.from(data.subarray(at, end));
    const lineEnd = data.lastIndexOf(CRLF_BYTES, limit - 2);
    return Buffer.from(data.subarray(at, lineEnd > at ? lineEnd : limit));
  }

  private fail(events: FrameEvent[], reason: FramingErrorReason, header: Buffer): number {
    this.failed = true;
    events.push({ type: 'error', reason, header });
    return Number.MAX_SAFE_INTEGER;
  }

  /** Start the pending buffer with `chunk[from…]` (copied: the chunk is not ours to keep). */
  private keep(chunk: Buffer, from: number): void {
    const size = chunk.length - from;
    this.pending = Buffer.allocUnsafe(Math.max(MIN_CAPACITY, size * 2));
    chunk.copy(this.pending, 0, from);
    this.length = size;
  }

  private append(chunk: Buffer): void {
    let buffer = this.pending as Buffer;
    if (this.length + chunk.length > buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(buffer.length * 2, this.length + chunk.length));
      buffer.copy(grown, 0, 0, this.length);
      buffer = grown;
      this.pending = grown;
    }
    chunk.copy(buffer, this.length);
    this.length += chunk.length;
  }
}
