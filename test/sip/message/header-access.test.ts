import { describe, expect, it } from 'vitest';
import {
  appendHeader,
  canonicalHeaderName,
  getHeader,
  hasHeader,
  headerFields,
  headerKey,
  headerValues,
  isListHeader,
  prependHeader,
  removeHeader,
  setHeader,
  SipHeaderError,
  splitHeaderList,
  type SipRequest,
} from '../../../src/sip/message/index.js';

function request(headers: [string, string][]): SipRequest {
  return { kind: 'request', method: 'INVITE', uri: 'sip:x@example.com', version: 'SIP/2.0', headers: headers.map(([name, value]) => ({ name, value })), body: Buffer.alloc(0) };
}

describe('header names', () => {
  it('headerKey maps compact forms and case to the long lower-case name', () => {
    expect(['v', 'V', 'VIA', 'Via'].map(headerKey)).toEqual(['via', 'via', 'via', 'via']);
    expect(headerKey('i')).toBe('call-id');
    expect(headerKey('q')).toBe('q');
    expect(headerKey('X-Foo')).toBe('x-foo');
  });

  it('canonicalHeaderName spells known headers and title-cases others', () => {
    expect(['i', 'cseq', 'WWW-AUTHENTICATE', 'v', 'l', 'x-zendesk-ticket-id', 'p-asserted-identity'].map(canonicalHeaderName)).toEqual([
      'Call-ID',
      'CSeq',
      'WWW-Authenticate',
      'Via',
      'Content-Length',
      'X-Zendesk-Ticket-Id',
      'P-Asserted-Identity',
    ]);
  });

  it('knows which headers are lists', () => {
    expect(['Via', 'v', 'Route', 'Record-Route', 'Contact', 'Allow', 'Supported', 'Require'].every(isListHeader)).toBe(true);
    expect(['WWW-Authenticate', 'Authorization', 'Proxy-Authenticate', 'Proxy-Authorization', 'Date', 'Call-ID', 'Subject', 'X-Foo', 'User-Agent'].some(isListHeader)).toBe(
      false,
    );
  });
});

describe('getHeader / headerValues', () => {
  const m = request([
    ['v', 'SIP/2.0/UDP a;branch=z9hG4bK1, SIP/2.0/UDP b;branch=z9hG4bK2'],
    ['VIA', 'SIP/2.0/UDP c;branch=z9hG4bK3'],
    ['Authorization', 'Digest username="bob", realm="biloxi.com", nonce="x"'],
    ['Authorization', 'Digest username="bob2", realm="b"'],
    ['Date', 'Sat, 13 Nov 2010 23:29:00 GMT'],
    ['X-List', 'a, b'],
    ['Contact', '"Bell, A" <sip:a@b>;q=0.5, <sip:c@d;x=1,2>'],
    ['Allow', 'INVITE, ACK,, BYE'],
  ]);

  it('finds the first value by long or compact name, any case', () => {
    expect(getHeader(m, 'Via')).toBe('SIP/2.0/UDP a;branch=z9hG4bK1, SIP/2.0/UDP b;branch=z9hG4bK2');
    expect(getHeader(m, 'v')).toBe(getHeader(m, 'via'));
    expect(getHeader(m, 'date')).toBe('Sat, 13 Nov 2010 23:29:00 GMT');
    expect(getHeader(m, 'Missing')).toBeUndefined();
    expect(hasHeader(m, 'x-list')).toBe(true);
  });

  it('splits list headers across lines and commas', () => {
    expect(headerValues(m, 'via')).toEqual(['SIP/2.0/UDP a;branch=z9hG4bK1', 'SIP/2.0/UDP b;branch=z9hG4bK2', 'SIP/2.0/UDP c;branch=z9hG4bK3']);
    expect(headerValues(m, 'Contact')).toEqual(['"Bell, A" <sip:a@b>;q=0.5', '<sip:c@d;x=1,2>']);
    expect(headerValues(m, 'Allow')).toEqual(['INVITE', 'ACK', 'BYE']);
  });

  it('never splits Authorization, Date or unknown headers', () => {
    expect(headerValues(m, 'Authorization')).toEqual(['Digest username="bob", realm="biloxi.com", nonce="x"', 'Digest username="bob2", realm="b"']);
    expect(headerValues(m, 'Date')).toEqual(['Sat, 13 Nov 2010 23:29:00 GMT']);
    expect(headerValues(m, 'X-List')).toEqual(['a, b']);
  });

  it('headerFields returns the fields with their names as written', () => {
    expect(headerFields(m, 'via').map((f) => f.name)).toEqual(['v', 'VIA']);
  });
});

describe('splitHeaderList', () => {
  it.each([
    ['a,b', ['a', 'b']],
    [' a , b ', ['a', 'b']],
    ['"x,\\"y,z" <sip:a>, b', ['"x,\\"y,z" <sip:a>', 'b']],
    ['<sip:a;p=1,2>;q=1, <sip:b>', ['<sip:a;p=1,2>;q=1', '<sip:b>']],
    ['', []],
    [',,', []],
  ])('%j', (value, expected) => {
    expect(splitHeaderList(value)).toEqual(expected);
  });
});

describe('editing headers', () => {
  it('appendHeader keeps the name as written', () => {
    const m = request([['Via', 'v1']]);
    appendHeader(m, 'X-Zendesk-Ticket-Id', '123');
    expect(m.headers.at(-1)).toEqual({ name: 'X-Zendesk-Ticket-Id', value: '123' });
  });

  it('prependHeader goes above the first field of that name (Via, Record-Route)', () => {
    const m = request([
      ['Max-Forwards', '70'],
      ['v', 'old'],
    ]);
    prependHeader(m, 'Via', 'new');
    expect(m.headers.map((h) => h.value)).toEqual(['70', 'new', 'old']);
    prependHeader(m, 'Record-Route', '<sip:rr>');
    expect(m.headers[0]).toEqual({ name: 'Record-Route', value: '<sip:rr>' });
  });

  it('setHeader replaces in place and drops the other fields of that name', () => {
    const m = request([
      ['A', '1'],
      ['l', '10'],
      ['B', '2'],
      ['Content-Length', '11'],
    ]);
    setHeader(m, 'Content-Length', '0');
    expect(m.headers).toEqual([
      { name: 'A', value: '1' },
      { name: 'Content-Length', value: '0' },
      { name: 'B', value: '2' },
    ]);
    setHeader(m, 'X-New', 'v');
    expect(m.headers.at(-1)).toEqual({ name: 'X-New', value: 'v' });
  });

  it('removeHeader removes every field of that name including compact forms', () => {
    const m = request([
      ['v', '1'],
      ['A', 'x'],
      ['Via', '2'],
    ]);
    expect(removeHeader(m, 'VIA')).toBe(2);
    expect(m.headers).toEqual([{ name: 'A', value: 'x' }]);
  });

  it('refuses CR/LF in names and values (header injection)', () => {
    const m = request([]);
    expect(() => appendHeader(m, 'X-A', 'ok\r\nVia: evil')).toThrow(SipHeaderError);
    expect(() => setHeader(m, 'X-A', 'a\nb')).toThrow(SipHeaderError);
    expect(() => prependHeader(m, 'X-A\r\n', 'v')).toThrow(SipHeaderError);
    expect(() => appendHeader(m, 'Bad Name', 'v')).toThrow(SipHeaderError);
    expect(m.headers).toEqual([]);
  });
});
