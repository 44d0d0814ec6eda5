/**
 * drachtio control-channel framing (drachtio-protocol.md §2): every message is
 * `<decimal byte length>#<payload>` with no terminator. The length counts UTF-8 bytes of the
 * payload; only the first `#` of a frame is the separator (payloads may contain `#`).
 *
 * The decoder keeps a byte buffer across TCP reads: several frames per chunk, a frame split
 * anywhere (inside the digits too) and multi-byte characters split across chunks all work,
 * because nothing is decoded to text before a whole payload is present.
 */

const HASH = 0x23;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
/** More digits than this can only be garbage (10^12 bytes is far above any sane maximum). */
const MAX_LENGTH_DIGITS = 12;
export const DEFAULT_MAX_FRAME_BYTES = 8 * 1024 * 1024;

export type FrameErrorCode = 'DRACHTIO_ERR_BAD_LENGTH' | 'DRACHTIO_ERR_FRAME_TOO_LARGE';

export interface FrameError {
  code: FrameErrorCode;
  message: string;
}

export interface DecodeResult {
  /** Complete payloads, in arrival order (without the length prefix). */
  frames: Buffer[];
  /** Set when the stream is malformed; the connection must be closed (§2). Later bytes are ignored. */
  error: FrameError | null;
}

export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Payload length of the frame being assembled, or -1 while its prefix is incomplete. */
  private expected = -1;
  private failed: FrameError | null = null;

  constructor(private readonly maxFrameBytes: number = DEFAULT_MAX_FRAME_BYTES) {}

  /** Append one chunk read from the socket; returns every frame it completes. */
  push(chunk: Buffer): DecodeResult {
    const frames: Buffer[] = [];
    if (this.failed) return { frames, error: this.failed };
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    for (;;) {
      if (this.expected < 0) {
        const prefix = this.readPrefix();
        if (prefix === null) break;
        if (typeof prefix !== 'number') {
          this.failed = prefix;
          this.chunks = [];
          this.buffered = 0;
          return { frames, error: prefix };
        }
        this.expected = prefix;
      }
      if (this.buffered < this.expected) break;
      frames.push(this.take(this.expected));
      this.expected = -1;
    }
    return { frames, error: null };
  }

  /** Bytes held for an incomplete frame (0 between frames). */
  get pendingBytes(): number {
    return this.buffered;
  }

  /**
   * Consume `<digits>#` from the front of the buffer. Returns the length, `null` when more
   * bytes are needed, or an error. Strict: ASCII digits only, no sign, padding or whitespace.
   */
  private readPrefix(): number | FrameError | null {
    if (this.buffered === 0) return null;
    const head = this.flatten();
    const limit = Math.min(head.length, MAX_LENGTH_DIGITS + 1);
    let value = 0;
    for (let i = 0; i < limit; i++) {
      const byte = head[i]!;
      if (byte === HASH) {
        if (i === 0) return badLength('frame starts with "#": length missing');
        if (value === 0) return badLength('frame length is zero');
        if (head[0] === DIGIT_0) return badLength('frame length has leading zeros');
        if (value > this.maxFrameBytes) {
          return { code: 'DRACHTIO_ERR_FRAME_TOO_LARGE', message: `frame of ${value} bytes exceeds ${this.maxFrameBytes}` };
        }
        this.skip(i + 1);
        return value;
      }
      if (byte < DIGIT_0 || byte > DIGIT_9) return badLength(`non-digit byte 0x${byte.toString(16)} in frame length`);
      value = value * 10 + (byte - DIGIT_0);
    }
    if (head.length > MAX_LENGTH_DIGITS) return badLength('frame length has too many digits');
    // Partial digits: even before the '#' arrives, a value already above the maximum is final.
    if (value > this.maxFrameBytes) {
      return { code: 'DRACHTIO_ERR_FRAME_TOO_LARGE', message: `frame length exceeds ${this.maxFrameBytes}` };
    }
    return null;
  }

  private flatten(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.buffered)];
    return this.chunks[0]!;
  }

  private skip(count: number): void {
    const head = this.flatten();
    const rest = head.subarray(count);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered -= count;
  }

  private take(count: number): Buffer {
    const head = this.flatten();
    // Copy so the payload does not pin the rest of a large read buffer, into an allocation of its
    // own: SIP messages decoded from it keep views of it (bodies) as long as their transactions
    // live, and a pooled copy would pin a shared 8 KiB slab for each of them.
    const payload = Buffer.allocUnsafeSlow(count);
    head.copy(payload, 0, 0, count);
    this.skip(count);
    return payload;
  }
}

function badLength(message: string): FrameError {
  return { code: 'DRACHTIO_ERR_BAD_LENGTH', message };
}

/** Frame one payload: `<utf8 byte length>#<payload>`. */
export function encodeFrame(payload: Buffer | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  return Buffer.concat([frameHeader(body.length), body]);
}

/** The `<length>#` prefix of a frame whose payload is `byteLength` bytes. */
export function frameHeader(byteLength: number): Buffer {
  return Buffer.from(`${byteLength}#`, 'latin1');
}
