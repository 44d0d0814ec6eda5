import { describe, expect, it } from 'vitest';
import {
  MAX_MESSAGE_SIZE,
  getHeader,
  headerValues,
  parseMessage,
  serializeMessage,
  type SipMessage,
} from '../../../src/sip/message/index.js';
import { INVITE_HEADERS, sip } from './sip-text.js';

function ok(data: Buffer): SipMessage {
  const r = parseMessage(data);
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.reason}`);
  return r.message;
}
function errorOf(data: Buffer, options?: Parameters<typeof parseMessage>[1]) {
  const r = parseMessage(data, options);
  if (r.ok) throw new Error('expected a parse error');
  return r.error;
}

describe('parseMessage: start line (RFC 3261 §7.1, §7.2)', () => {
  it('parses a Request-Line', () => {
    const m = ok(sip(['INVITE sip:bob@example.com SIP/2.0', ...INVITE_HEADERS, 'Content-Length: 0']));
    expect(m).toMatchObject({ kind: 'request', method: 'INVITE', uri: 'sip:bob@example.com', version: 'SIP/2.0' });
  });

  it('parses a Status-Line with a reason phrase containing spaces', () => {
    const m = ok(sip(['SIP/2.0 486 Busy Here  now', 'Content-Length: 0']));
    expect(m).toMatchObject({ kind: 'response', status: 486, reason: 'Busy Here  now', version: 'SIP/2.0' });
  });

  it('accepts an empty reason phrase, with or without the SP', () => {
    expect(ok(sip(['SIP/2.0 100 ', 'l: 0']))).toMatchObject({ status: 100, reason: '' });
    expect(ok(sip(['SIP/2.0 100', 'l: 0']))).toMatchObject({ status: 100, reason: '' });
  });

  it('keeps the method case-sensitive (RFC 3261 §7.1)', () => {
    expect(ok(sip(['invite sip:x@example.com SIP/2.0', 'l: 0']))).toMatchObject({ method: 'invite' });
  });

  it('ignores leading empty lines (RFC 3261 §7.5)', () => {
    const m = ok(Buffer.concat([Buffer.from('\r\n\r\n'), sip(['OPTIONS sip:x@example.com SIP/2.0', 'l: 0'])]));
    expect(m).toMatchObject({ method: 'OPTIONS' });
  });

  it.each([
    ['INVITE  sip:x@example.com SIP/2.0', 'SIP_ERR_BAD_REQUEST_LINE'],
    ['INVITE sip:x@example.com SIP/2.0 ', 'SIP_ERR_BAD_REQUEST_LINE'],
    ['INVITE sip:x@example.com', 'SIP_ERR_BAD_REQUEST_LINE'],
    ['INVITE sip:x@example.com HTTP/1.1', 'SIP_ERR_BAD_REQUEST_LINE'],
    ['INVITE sip:x@ex ample.com SIP/2.0', 'SIP_ERR_BAD_REQUEST_LINE'],
    ['INV@TE sip:x@example.com SIP/2.0', 'SIP_ERR_BAD_METHOD'],
    ['SIP/2.0 99 Too Small', 'SIP_ERR_BAD_STATUS_LINE'],
    ['SIP/2.0 700 Too Big', 'SIP_ERR_BAD_STATUS_LINE'],
    ['SIP/2.0 2000 OK', 'SIP_ERR_BAD_STATUS_LINE'],
    ['SIP/2.0 OK', 'SIP_ERR_BAD_STATUS_LINE'],
    ['SIP/x 200 OK', 'SIP_ERR_BAD_STATUS_LINE'],
    ['hello', 'SIP_ERR_BAD_START_LINE'],
    ['<html> x', 'SIP_ERR_BAD_START_LINE'],
  ])('rejects %j with %s', (line, code) => {
    const e = errorOf(sip([line, 'l: 0']));
    expect(e.code).toBe(code);
    expect(e.status).toBe(400);
  });

  it('keeps SIP/7.0 for validate to answer 505 (syntax is fine)', () => {
    expect(ok(sip(['OPTIONS sip:x@example.com SIP/7.0', 'l: 0'])).version).toBe('SIP/7.0');
  });

  it('rejects an empty datagram and a CRLF keep-alive', () => {
    expect(errorOf(Buffer.alloc(0)).code).toBe('SIP_ERR_EMPTY');
    expect(errorOf(Buffer.from('\r\n\r\n')).code).toBe('SIP_ERR_EMPTY');
  });
});

describe('parseMessage: headers (RFC 3261 §7.3)', () => {
  it('keeps every header in order with its original name and case', () => {
    const m = ok(sip(['OPTIONS sip:x@example.com SIP/2.0', 'X-Zendesk-Ticket-Id: 42', 'v: SIP/2.0/UDP h;branch=z9hG4bK1', 'x-oDD-CaSe: a', 'l: 0']));
    expect(m.headers).toEqual([
      { name: 'X-Zendesk-Ticket-Id', value: '42' },
      { name: 'v', value: 'SIP/2.0/UDP h;branch=z9hG4bK1' },
      { name: 'x-oDD-CaSe', value: 'a' },
      { name: 'l', value: '0' },
    ]);
    expect(serializeMessage(m).toString()).toContain('X-Zendesk-Ticket-Id: 42\r\nv: SIP/2.0/UDP');
  });

  it('allows whitespace before and after the colon and trims the value', () => {
    const m = ok(sip(['OPTIONS sip:x@example.com SIP/2.0', 'Subject  :   hello world \t', 'Empty:', 'l: 0']));
    expect(m.headers[0]).toEqual({ name: 'Subject', value: 'hello world' });
    expect(m.headers[1]).toEqual({ name: 'Empty', value: '' });
  });

  it('unfolds continuation lines into a single SP (RFC 3261 §7.3.1)', () => {
    const m = ok(sip(['OPTIONS sip:x@example.com SIP/2.0', 'Subject: I know you\'re there,', '   pick up the phone', '\tand talk to me!', 'l: 0']));
    expect(getHeader(m, 'subject')).toBe("I know you're there, pick up the phone and talk to me!");
  });

  it('unfolds a value that starts on the next line', () => {
    const m = ok(sip(['OPTIONS sip:x@example.com SIP/2.0', 'Route:', ' <sip:a.example.com;lr>', 'l: 0']));
    expect(getHeader(m, 'Route')).toBe('<sip:a.example.com;lr>');
  });

  it('maps compact forms for lookup', () => {
    const m = ok(
      sip(['OPTIONS sip:x@example.com SIP/2.0', 'i: cid', 'f: <sip:a@b>;tag=1', 't: <sip:c@d>', 'v: SIP/2.0/UDP h', 'm: <sip:e@f>', 'c: text/plain', 'k: timer', 's: subj', 'o: dialog', 'u: refer', 'r: <sip:g@h>', 'b: <sip:i@j>', 'x: 90', 'e: gzip', 'y: abc', 'a: *;audio', 'l: 0']),
    );
    expect([
      getHeader(m, 'Call-ID'),
      getHeader(m, 'From'),
      getHeader(m, 'To'),
      getHeader(m, 'Via'),
      getHeader(m, 'Contact'),
      getHeader(m, 'Content-Type'),
      getHeader(m, 'Supported'),
      getHeader(m, 'Subject'),
      getHeader(m, 'Event'),
      getHeader(m, 'Allow-Events'),
      getHeader(m, 'Refer-To'),
      getHeader(m, 'Referred-By'),
      getHeader(m, 'Session-Expires'),
      getHeader(m, 'Content-Encoding'),
      getHeader(m, 'Identity'),
      getHeader(m, 'Accept-Contact'),
      getHeader(m, 'Content-Length'),
    ]).toEqual(['cid', '<sip:a@b>;tag=1', '<sip:c@d>', 'SIP/2.0/UDP h', '<sip:e@f>', 'text/plain', 'timer', 'subj', 'dialog', 'refer', '<sip:g@h>', '<sip:i@j>', '90', 'gzip', 'abc', '*;audio', '0']);
  });

  it.each([
    ['a line without a colon', 'NoColonHere'],
    ['a header name with a space inside', 'Bad Name: x'],
    ['an empty header name', ': x'],
    ['a non-token header name', 'Bad@Name: x'],
  ])('rejects %s', (_what, line) => {
    const e = errorOf(sip(['OPTIONS sip:x@example.com SIP/2.0', 'Call-ID: keep-me', line, 'l: 0']));
    expect(e.code).toBe('SIP_ERR_BAD_HEADER');
    expect(e.partial).toMatchObject({ kind: 'request', method: 'OPTIONS' });
    expect(e.partial.headers).toContainEqual({ name: 'Call-ID', value: 'keep-me' });
  });

  it('rejects a continuation line before any header', () => {
    expect(errorOf(sip(['OPTIONS sip:x@example.com SIP/2.0', ' folded', 'l: 0'])).code).toBe('SIP_ERR_BAD_HEADER');
  });

  it('rejects a bare LF or CR inside the header section', () => {
    expect(errorOf(Buffer.from('OPTIONS sip:x@example.com SIP/2.0\r\nA: b\nC: d\r\nl: 0\r\n\r\n')).code).toBe('SIP_ERR_BAD_HEADER');
    expect(errorOf(Buffer.from('OPTIONS sip:x@example.com SIP/2.0\r\nA: b\rC: d\r\nl: 0\r\n\r\n')).code).toBe('SIP_ERR_BAD_HEADER');
    expect(errorOf(Buffer.from('OPTIONS sip:x@example.com\rSIP/2.0\r\nl: 0\r\n\r\n')).code).toBe('SIP_ERR_BAD_START_LINE');
  });

  it('rejects a message without the empty line after the headers', () => {
    const e = errorOf(Buffer.from('OPTIONS sip:x@example.com SIP/2.0\r\nCall-ID: abc\r\nl: 0\r\n'));
    expect(e.code).toBe('SIP_ERR_NO_HEADER_END');
    expect(e.partial.headers).toContainEqual({ name: 'Call-ID', value: 'abc' });
  });

  it('decodes header text as UTF-8', () => {
    const m = ok(sip(['OPTIONS sip:x@example.com SIP/2.0', 'Subject: Grüße 你好', 'l: 0']));
    expect(getHeader(m, 'subject')).toBe('Grüße 你好');
    expect(serializeMessage(m).toString('utf8')).toContain('Subject: Grüße 你好\r\n');
  });
});

describe('parseMessage: Content-Length framing and bodies (RFC 3261 §18.3, §20.14)', () => {
  it('reads exactly Content-Length bytes and ignores what follows (datagram)', () => {
    const m = ok(Buffer.concat([sip(['MESSAGE sip:x@example.com SIP/2.0', 'Content-Length: 5'], 'hello'), Buffer.from('trailing')]));
    expect(m.body.toString()).toBe('hello');
  });

  it('is binary-safe: NUL, bare CR/LF and invalid UTF-8 in the body survive byte for byte', () => {
    const body = Buffer.from([0, 13, 10, 13, 10, 255, 254, 0xc3, 0x28, 10, 0]);
    const m = ok(sip(['MESSAGE sip:x@example.com SIP/2.0', `Content-Length: ${body.length}`], body));
    expect(m.body.equals(body)).toBe(true);
    expect(serializeMessage(m).subarray(-body.length).equals(body)).toBe(true);
  });

  it('gives the body as a zero-copy view of the message bytes (transports hand over memory of its own)', () => {
    const data = sip(['MESSAGE sip:x@example.com SIP/2.0', 'Content-Length: 3'], 'abc');
    const m = ok(data);
    expect(m.body.toString()).toBe('abc');
    expect(m.body.buffer).toBe(data.buffer);
    expect(m.body.byteOffset).toBe(data.byteOffset + data.length - 3);
  });

  it('takes the rest of the datagram as body when Content-Length is absent', () => {
    expect(ok(sip(['MESSAGE sip:x@example.com SIP/2.0'], 'rest of it')).body.toString()).toBe('rest of it');
  });

  it('requires Content-Length when asked to (stream transports)', () => {
    expect(errorOf(sip(['MESSAGE sip:x@example.com SIP/2.0'], 'x'), { requireContentLength: true }).code).toBe('SIP_ERR_MISSING_CONTENT_LENGTH');
  });

  it.each([
    ['larger than the body', '10', 'short'],
    ['negative', '-1', ''],
    ['not a number', 'abc', ''],
    ['with a sign', '+5', 'hello'],
    ['overlarge', '99999999999999999999', ''],
    ['empty', '', ''],
  ])('rejects Content-Length %s', (_what, cl, body) => {
    expect(errorOf(sip(['MESSAGE sip:x@example.com SIP/2.0', `Content-Length: ${cl}`], body)).code).toBe('SIP_ERR_BAD_CONTENT_LENGTH');
  });

  it('rejects two different Content-Length values, also across compact and long forms', () => {
    expect(errorOf(sip(['MESSAGE sip:x@example.com SIP/2.0', 'Content-Length: 2', 'l: 3'], 'abc')).code).toBe('SIP_ERR_BAD_CONTENT_LENGTH');
  });

  it('reads a folded Content-Length after unfolding (found by the fuzz test)', () => {
    expect(ok(sip(['MESSAGE sip:x@example.com SIP/2.0', 'Content-Length:', ' 3'], 'abc')).body.toString()).toBe('abc');
    expect(errorOf(sip(['MESSAGE sip:x@example.com SIP/2.0', 'Content-Length: 1', ' 0'], 'abcdefghij')).code).toBe('SIP_ERR_BAD_CONTENT_LENGTH');
  });

  it('accepts leading zeros in Content-Length', () => {
    expect(ok(sip(['MESSAGE sip:x@example.com SIP/2.0', 'Content-Length: 003'], 'abc')).body.toString()).toBe('abc');
  });
});

describe('parseMessage: size limit (RFC 3261 §21.5.14)', () => {
  it('answers 513 above maxSize, keeping the headers for the response', () => {
    const data = sip(['MESSAGE sip:x@example.com SIP/2.0', 'Call-ID: big', 'Content-Length: 2000'], 'x'.repeat(2000));
    const e = errorOf(data, { maxSize: 1000 });
    expect(e).toMatchObject({ code: 'SIP_ERR_MESSAGE_TOO_LARGE', status: 513 });
    expect(e.partial.headers).toContainEqual({ name: 'Call-ID', value: 'big' });
  });

  it('headers alone over maxSize: the complete lines within the limit are the partial (bounded)', () => {
    const pad = Array.from({ length: 60 }, (_, i) => `X-Pad-${i}: ${'p'.repeat(30)}`);
    const lines = ['OPTIONS sip:x@example.com SIP/2.0', 'Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-h', 'From: <sip:a@example.com>;tag=1', 'To: <sip:x@example.com>', 'Call-ID: flood', 'CSeq: 7 OPTIONS', ...pad, 'Content-Length: 0'];
    const data = sip(lines);
    const e = errorOf(data, { maxSize: 1000 });
    expect(e).toMatchObject({ code: 'SIP_ERR_MESSAGE_TOO_LARGE', status: 513, partial: { kind: 'request', method: 'OPTIONS' } });
    expect(e.partial.headers.slice(0, 5).map((h) => h.name)).toEqual(['Via', 'From', 'To', 'Call-ID', 'CSeq']);
    // Only whole lines within the first 1000 bytes: no cut header value, nothing past the limit.
    const kept = e.partial.headers.map((h) => `${h.name}: ${h.value}\r\n`).join('');
    expect(kept.length).toBeLessThan(1000);
    expect(e.partial.headers.every((h) => !h.name.startsWith('X-Pad') || h.value === 'p'.repeat(30))).toBe(true);
    expect(e.partial.headers.some((h) => h.name === 'Content-Length')).toBe(false);
  });

  it('a start line longer than maxSize leaves nothing to answer from', () => {
    const e = errorOf(sip([`OPTIONS sip:${'x'.repeat(2000)}@example.com SIP/2.0`, 'Content-Length: 0']), { maxSize: 1000 });
    expect(e).toMatchObject({ status: 513, partial: { kind: 'unknown', headers: [] } });
  });

  it('defaults to MAX_MESSAGE_SIZE', () => {
    expect(MAX_MESSAGE_SIZE).toBe(65_535);
    const big = 'x'.repeat(MAX_MESSAGE_SIZE);
    expect(errorOf(sip(['MESSAGE sip:x@example.com SIP/2.0', `Content-Length: ${big.length}`], big)).status).toBe(513);
  });
});

describe('headerValues on a parsed message', () => {
  it('splits Route lists across lines and commas, keeping commas inside <> and quotes', () => {
    const m = ok(
      sip([
        'BYE sip:x@example.com SIP/2.0',
        'Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>',
        'Record-Route: "a, b" <sip:p3.example.com;lr>',
        'Route: <sip:p4.example.com;lr;x=a,b>',
        'l: 0',
      ]),
    );
    expect(headerValues(m, 'Route')).toEqual(['<sip:p1.example.com;lr>', '<sip:p2.example.com;lr>', '<sip:p4.example.com;lr;x=a,b>']);
    expect(headerValues(m, 'record-route')).toEqual(['"a, b" <sip:p3.example.com;lr>']);
  });
});
