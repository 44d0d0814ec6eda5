import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameDecoder } from '../../../src/sip/drachtio/frame-decoder.js';

const text = (frames: Buffer[]): string[] => frames.map((f) => f.toString('utf8'));

describe('FrameDecoder', () => {
  it('decodes one frame', () => {
    const d = new FrameDecoder();
    const r = d.push(Buffer.from('5#hello'));
    expect(r.error).toBeNull();
    expect(text(r.frames)).toEqual(['hello']);
    expect(d.pendingBytes).toBe(0);
  });

  it('decodes several frames in one chunk', () => {
    const d = new FrameDecoder();
    const r = d.push(Buffer.from('3#abc2#de10#0123456789'));
    expect(text(r.frames)).toEqual(['abc', 'de', '0123456789']);
  });

  it('reassembles a frame split at every possible byte, including inside the digits', () => {
    const wire = Buffer.concat([encodeFrame('id1|ping'), encodeFrame('x#y|sip||\r\nINVITE sip:a#b@h SIP/2.0\r\n\r\n'), encodeFrame('z')]);
    for (let cut = 0; cut <= wire.length; cut++) {
      const d = new FrameDecoder();
      const a = d.push(wire.subarray(0, cut));
      const b = d.push(wire.subarray(cut));
      expect(a.error ?? b.error).toBeNull();
      expect(text([...a.frames, ...b.frames])).toEqual(['id1|ping', 'x#y|sip||\r\nINVITE sip:a#b@h SIP/2.0\r\n\r\n', 'z']);
    }
  });

  it('delivers byte by byte', () => {
    const wire = Buffer.concat([encodeFrame('hello|world'), encodeFrame('second')]);
    const d = new FrameDecoder();
    const out: Buffer[] = [];
    for (const byte of wire) out.push(...d.push(Buffer.from([byte])).frames);
    expect(text(out)).toEqual(['hello|world', 'second']);
  });

  it('only the first # of a frame is the separator', () => {
    const d = new FrameDecoder();
    expect(text(d.push(Buffer.from('4#a#b#2##x')).frames)).toEqual(['a#b#', '#x']);
  });

  it('counts UTF-8 bytes, and multi-byte characters may be split across chunks', () => {
    const payload = 'body: héllo 😀 ✓';
    const frame = encodeFrame(payload);
    expect(frame.toString('latin1').startsWith(`${Buffer.byteLength(payload)}#`)).toBe(true);
    expect(Buffer.byteLength(payload)).not.toBe(payload.length);
    const emoji = frame.indexOf(Buffer.from('😀'));
    const d = new FrameDecoder();
    expect(d.push(frame.subarray(0, emoji + 2)).frames).toEqual([]);
    expect(text(d.push(frame.subarray(emoji + 2)).frames)).toEqual([payload]);
  });

  it.each([
    ['non-digit before #', 'ab#xy'],
    ['sign', '+2#xy'],
    ['whitespace', ' 2#xy'],
    ['zero length', '0#'],
    ['leading zero', '02#xy'],
    ['no digits', '#xy'],
    ['too many digits without #', '1234567890123'],
  ])('reports a malformed length (%s)', (_name, input) => {
    const d = new FrameDecoder(Number.MAX_SAFE_INTEGER);
    const r = d.push(Buffer.from(input));
    expect(r.error?.code).toBe('DRACHTIO_ERR_BAD_LENGTH');
    // The stream stays failed: later bytes are not interpreted.
    expect(d.push(Buffer.from('2#ok')).frames).toEqual([]);
  });

  it('detects garbage in the digits before the # arrives', () => {
    const d = new FrameDecoder();
    expect(d.push(Buffer.from('12')).error).toBeNull();
    expect(d.push(Buffer.from('x')).error?.code).toBe('DRACHTIO_ERR_BAD_LENGTH');
  });

  it('returns frames that precede a malformed one', () => {
    const d = new FrameDecoder();
    const r = d.push(Buffer.from('2#ok junk'));
    expect(text(r.frames)).toEqual(['ok']);
    expect(r.error?.code).toBe('DRACHTIO_ERR_BAD_LENGTH');
  });

  it('enforces the maximum frame size, also before the # arrives', () => {
    const d = new FrameDecoder(100);
    expect(text(d.push(Buffer.from(`100#${'a'.repeat(100)}`)).frames)).toHaveLength(1);
    expect(d.push(Buffer.from('101#')).error?.code).toBe('DRACHTIO_ERR_FRAME_TOO_LARGE');
    expect(new FrameDecoder(100).push(Buffer.from('1000')).error?.code).toBe('DRACHTIO_ERR_FRAME_TOO_LARGE');
  });

  it('accepts frames larger than the real server 5-digit limit', () => {
    const payload = 'x'.repeat(150_000);
    const d = new FrameDecoder();
    const wire = encodeFrame(payload);
    const out: Buffer[] = [];
    for (let i = 0; i < wire.length; i += 1400) out.push(...d.push(wire.subarray(i, i + 1400)).frames);
    expect(out).toHaveLength(1);
    expect(out[0]!.length).toBe(150_000);
  });
});
