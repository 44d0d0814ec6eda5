import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type FrameEvent, StreamFramer } from '../../../src/sip/transport/stream-framer.js';

const crlf = (lines: string[]): string => lines.join('\r\n');

function request(body: Buffer | string, extraHeaders: string[] = [], lengthHeader = `Content-Length: ${Buffer.byteLength(body)}`): Buffer {
  const head = crlf([
    'OPTIONS sip:bob@127.0.0.1 SIP/2.0',
    'Via: SIP/2.0/TCP 127.0.0.1:5070;branch=z9hG4bK776asdhds',
    'Call-ID: a84b4c76e66710@pc33',
    'CSeq: 1 OPTIONS',
    ...extraHeaders,
    ...(lengthHeader ? [lengthHeader] : []),
    '',
    '',
  ]);
  return Buffer.concat([Buffer.from(head, 'latin1'), Buffer.isBuffer(body) ? body : Buffer.from(body, 'latin1')]);
}

const messages = (events: FrameEvent[]): Buffer[] =>
  events.flatMap((e) => (e.type === 'message' ? [e.data] : []));

function feed(framer: StreamFramer, chunks: Buffer[]): FrameEvent[] {
  return chunks.flatMap((chunk) => framer.push(chunk));
}

describe('StreamFramer', () => {
  const first = request('v=0\r\n');
  const second = request('', ['Max-Forwards: 70']);
  const stream = Buffer.concat([first, second]);

  it('emits one message from one chunk in memory of its own (never pins the read chunk)', () => {
    const framer = new StreamFramer();
    const events = framer.push(first);
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(event?.type).toBe('message');
    if (event?.type === 'message') {
      expect(event.data.equals(first)).toBe(true);
      // A dialog may keep this message for a whole call: it must not pin the socket's read chunk.
      expect(event.data.buffer).not.toBe(first.buffer);
      expect(event.data.byteLength).toBe(event.data.buffer.byteLength);
    }
    expect(framer.buffered).toBe(0);
  });

  it('emits several messages from one chunk, in order', () => {
    const framer = new StreamFramer();
    const out = messages(framer.push(Buffer.concat([first, second, first])));
    expect(out.map((m) => m.toString('latin1'))).toEqual([first, second, first].map((m) => m.toString('latin1')));
  });

  it('frames a two-message stream split at every byte position', () => {
    for (let split = 0; split <= stream.length; split++) {
      const framer = new StreamFramer();
      const out = messages(feed(framer, [stream.subarray(0, split), stream.subarray(split)]));
      expect(out, `split at ${split}`).toHaveLength(2);
      expect(out[0]?.equals(first), `split at ${split}`).toBe(true);
      expect(out[1]?.equals(second), `split at ${split}`).toBe(true);
      expect(framer.buffered).toBe(0);
    }
  });

  it('frames a stream delivered one byte at a time', () => {
    const framer = new StreamFramer();
    const chunks = [...stream].map((byte) => Buffer.from([byte]));
    const out = messages(feed(framer, chunks));
    expect(out.map((m) => m.toString('latin1'))).toEqual([first.toString('latin1'), second.toString('latin1')]);
  });

  it('frames any chunking of any sequence of messages (property)', () => {
    const body = fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes));
    fc.assert(
      fc.property(fc.array(body, { minLength: 1, maxLength: 5 }), fc.array(fc.nat(), { maxLength: 12 }), (bodies, cuts) => {
        const originals = bodies.map((b) => request(b));
        const all = Buffer.concat(originals);
        const points = [...new Set(cuts.map((c) => c % (all.length + 1)))].sort((a, b) => a - b);
        const chunks: Buffer[] = [];
        let from = 0;
        for (const point of [...points, all.length]) {
          chunks.push(all.subarray(from, point));
          from = point;
        }
        const framer = new StreamFramer();
        const out = messages(feed(framer, chunks));
        expect(out).toHaveLength(originals.length);
        out.forEach((m, i) => expect(m.equals(originals[i] as Buffer)).toBe(true));
      }),
    );
  });

  it('keeps a body that contains CRLFCRLF and binary bytes intact', () => {
    const binary = Buffer.from([...Array(256).keys()]);
    const body = Buffer.concat([Buffer.from('a\r\n\r\nb\r\n\r\n'), binary, Buffer.from('\r\n\r\n')]);
    const message = request(body);
    for (let split = 0; split <= message.length; split += 7) {
      const framer = new StreamFramer();
      const out = messages(feed(framer, [message.subarray(0, split), message.subarray(split), second]));
      expect(out).toHaveLength(2);
      expect(out[0]?.equals(message)).toBe(true);
      expect(out[1]?.equals(second)).toBe(true);
    }
  });

  it('skips CRLFs before a message and answers each CRLFCRLF ping (RFC 5626 §4.4.1)', () => {
    const framer = new StreamFramer();
    expect(framer.push(Buffer.from('\r\n'))).toEqual([]); // a pong or stray CRLF: nothing to do
    expect(framer.push(Buffer.from('\r\n'))).toEqual([{ type: 'ping' }]); // completes CRLFCRLF across chunks
    const events = framer.push(Buffer.concat([Buffer.from('\r\n\r\n'), first, Buffer.from('\r\n\r\n\r\n'), second]));
    expect(events.map((e) => e.type)).toEqual(['ping', 'message', 'ping', 'message']);
    expect(framer.buffered).toBe(0);
  });

  it('answers a ping split inside its CR LF pairs', () => {
    const framer = new StreamFramer();
    const events = feed(framer, ['\r', '\n\r', '\n'].map((s) => Buffer.from(s)));
    expect(events).toEqual([{ type: 'ping' }]);
  });

  it('reads Content-Length in compact form, any case, with spaces and folding', () => {
    const variants = ['l: 5', 'L:5', 'CONTENT-LENGTH: 5', 'content-length :\t5 ', 'Content-Length:\r\n  5', 'Content-Length: 5\r\nl: 5'];
    for (const header of variants) {
      const message = request('hello', [], header);
      const out = messages(new StreamFramer().push(Buffer.concat([message, second])));
      expect(out, header).toHaveLength(2);
      expect(out[0]?.equals(message), header).toBe(true);
    }
  });

  it('does not take other headers for Content-Length', () => {
    const message = request('', ['Content-Lengthy: 99', 'Lr: 7', 'Contact: <sip:l@x>', 'X-L: 3'], 'Content-Length: 0');
    const out = messages(new StreamFramer().push(Buffer.concat([message, second])));
    expect(out).toHaveLength(2);
    expect(out[0]?.equals(message)).toBe(true);
  });

  it('accepts a message without body (Content-Length: 0)', () => {
    const out = messages(new StreamFramer().push(second));
    expect(out).toHaveLength(1);
  });

  it('reports a missing Content-Length with the header block, then ignores the stream (RFC 3261 §18.3)', () => {
    const framer = new StreamFramer();
    const message = request('', [], '');
    const events = framer.push(message);
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(event?.type).toBe('error');
    if (event?.type === 'error') {
      expect(event.reason).toBe('no-content-length');
      expect(event.header.toString('latin1')).toContain('CSeq: 1 OPTIONS');
    }
    expect(framer.broken).toBe(true);
    expect(framer.push(second)).toEqual([]);
  });

  it('reports an invalid or contradictory Content-Length', () => {
    for (const header of ['Content-Length: abc', 'Content-Length: -1', 'Content-Length: 5\r\nl: 6', 'Content-Length: 12345678901', 'Content-Length: 5 5', 'Content-Length:']) {
      const events = new StreamFramer().push(request('hello', [], header));
      expect(events, header).toEqual([expect.objectContaining({ type: 'error', reason: 'bad-content-length' })]);
    }
  });

  it('refuses a message over the maximum size as soon as its headers say so', () => {
    const framer = new StreamFramer({ maxMessageSize: 1000 });
    const head = request('x'.repeat(2000)).subarray(0, 200); // headers complete, body not yet sent
    const events = framer.push(head);
    expect(events).toEqual([expect.objectContaining({ type: 'error', reason: 'too-large' })]);
  });

  it('accepts a message of exactly the maximum size', () => {
    const base = request('');
    const message = request('x'.repeat(1000 - base.length - 2)); // a 3-digit Content-Length instead of "0"
    expect(message.length).toBe(1000);
    expect(messages(new StreamFramer({ maxMessageSize: 1000 }).push(message))).toHaveLength(1);
    const events = new StreamFramer({ maxMessageSize: 999 }).push(message);
    expect(events).toEqual([expect.objectContaining({ type: 'error', reason: 'too-large' })]);
  });

  it('gives up on bytes that never form a header block within the maximum size', () => {
    const framer = new StreamFramer({ maxMessageSize: 4096 });
    const garbage = Buffer.alloc(1024, 0x41);
    let events: FrameEvent[] = [];
    for (let i = 0; i < 5 && events.length === 0; i++) events = framer.push(garbage);
    expect(events).toEqual([expect.objectContaining({ type: 'error', reason: 'no-header-end' })]);
    const [event] = events;
    if (event?.type === 'error') expect(event.header.length).toBe(4096);
    expect(framer.buffered).toBe(0);
  });

  it('a header flood without an end: the reported header block stops at the last complete line', () => {
    const framer = new StreamFramer({ maxMessageSize: 1000 });
    const lines = ['OPTIONS sip:x@example.com SIP/2.0', 'Via: SIP/2.0/TCP 127.0.0.1;branch=z9hG4bK-f', 'Call-ID: flood', 'CSeq: 1 OPTIONS'];
    for (let i = 0; i < 40; i++) lines.push(`X-Pad-${i}: ${'p'.repeat(40)}`);
    const events = framer.push(Buffer.from(`${lines.join('\r\n')}\r\n`, 'latin1'));
    expect(events).toEqual([expect.objectContaining({ type: 'error', reason: 'no-header-end' })]);
    const [event] = events;
    if (event?.type !== 'error') throw new Error('no error event');
    const text = event.header.toString('latin1');
    expect(event.header.length).toBeLessThanOrEqual(1000);
    expect(text.startsWith('OPTIONS sip:x@example.com SIP/2.0\r\n')).toBe(true);
    expect(text.split('\r\n').at(-1)).toMatch(/^X-Pad-\d+: p{40}$/);
  });

  it('refuses a header flood arriving a byte at a time in linear time', () => {
    const framer = new StreamFramer({ maxMessageSize: 64 * 1024 });
    const one = Buffer.from('a');
    let pushes = 0;
    let events: FrameEvent[] = [];
    const started = performance.now();
    while (events.length === 0) {
      events = framer.push(one);
      pushes++;
    }
    expect(pushes).toBe(64 * 1024 + 1);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
