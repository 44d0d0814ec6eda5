import { describe, expect, it } from 'vitest';
import { isKeepAlive, scanContentLength, sketchHeaderBlock } from '../../../src/sip/transport/header-scan.js';

describe('header scans', () => {
  it('sketches the start line and unfolded headers of a refused block', () => {
    const block = Buffer.from(
      'INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/TCP 192.0.2.1;branch=z9hG4bK1\r\nSubject: a\r\n  folded\r\nbroken line\r\ni: abc',
      'latin1',
    );
    expect(sketchHeaderBlock(block)).toEqual({
      kind: 'request',
      method: 'INVITE',
      headers: [
        { name: 'Via', value: 'SIP/2.0/TCP 192.0.2.1;branch=z9hG4bK1' },
        { name: 'Subject', value: 'a folded' },
        { name: 'i', value: 'abc' },
      ],
    });
    expect(sketchHeaderBlock(Buffer.from('SIP/2.0 200 OK\r\nCSeq: 1 INVITE')).kind).toBe('response');
    expect(sketchHeaderBlock(Buffer.from([0, 1, 2, 0xff, 0x0d, 0x0a])).kind).toBe('unknown');
  });

  it('finds no Content-Length in a block with only a start line', () => {
    const block = Buffer.from('OPTIONS sip:a SIP/2.0', 'latin1');
    expect(scanContentLength(block, 0, block.length)).toEqual({ kind: 'missing' });
  });

  it('tells keep-alive datagrams from messages', () => {
    expect(isKeepAlive(Buffer.from('\r\n'))).toBe(true);
    expect(isKeepAlive(Buffer.from('\r\n\r\n'))).toBe(true);
    expect(isKeepAlive(Buffer.from('\r\nX'))).toBe(false);
  });
});
