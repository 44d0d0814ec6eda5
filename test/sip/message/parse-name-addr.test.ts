import { describe, expect, it } from 'vitest';
import { formatNameAddr, parseNameAddr, SipHeaderError } from '../../../src/sip/message/index.js';

const codeOf = (text: string): string => {
  try {
    parseNameAddr(text);
  } catch (e) {
    if (e instanceof SipHeaderError) return e.code;
    throw e;
  }
  return 'ok';
};

describe('parseNameAddr (RFC 3261 §20.10, §25.1)', () => {
  it.each([
    ['<sip:bob@biloxi.com>', { displayName: null, uri: 'sip:bob@biloxi.com', params: {}, tag: null }],
    ['Bob <sip:bob@biloxi.com>;tag=a6c85cf', { displayName: 'Bob', uri: 'sip:bob@biloxi.com', params: { tag: 'a6c85cf' }, tag: 'a6c85cf' }],
    ['"Alice Liddell" <sip:alice@atlanta.com>', { displayName: 'Alice Liddell', uri: 'sip:alice@atlanta.com' }],
    ['"" <sip:anon@example.com>', { displayName: '' }],
    ['"J Rosenberg \\\\\\"" <sip:jdrosen@example.com>', { displayName: 'J Rosenberg \\"' }],
    ['"Quoted string \\"\\"" <sip:jdrosen@example.com>', { displayName: 'Quoted string ""' }],
    ['"Bell, Alexander" <sip:a.g.bell@example.com>;tag=43', { displayName: 'Bell, Alexander', tag: '43' }],
    ['"<sip:fake@x>" <sip:real@example.com>', { displayName: '<sip:fake@x>', uri: 'sip:real@example.com' }],
    ['caller<sip:caller@example.com>;tag=323', { displayName: 'caller', tag: '323' }],
    ['A. Bell <sip:a.g.bell@example.com>', { displayName: 'A. Bell' }],
    ['sip:alice@atlanta.com;tag=88sja8x', { displayName: null, uri: 'sip:alice@atlanta.com', tag: '88sja8x' }],
    ['sip:+19725552222@gw1.example.net;unknownparam', { uri: 'sip:+19725552222@gw1.example.net', params: { unknownparam: null } }],
    ['<sip:+19725552222@gw1.example.net;unknownparam>', { uri: 'sip:+19725552222@gw1.example.net;unknownparam', params: {} }],
    ['  sip:x@example.com ;  TAG  = Abc ; q = 0.5 ', { uri: 'sip:x@example.com', params: { tag: 'Abc', q: '0.5' }, tag: 'Abc' }],
    ['<sip:x@example.com>;+sip.instance="<urn:uuid:1234>";expires=60', { params: { '+sip.instance': '"<urn:uuid:1234>"', expires: '60' } }],
    ['<urn:service:sos>', { uri: 'urn:service:sos' }],
    ['isbn:2983792873', { uri: 'isbn:2983792873' }],
    ['<sip:user@[2001:db8::1]:5060>', { uri: 'sip:user@[2001:db8::1]:5060' }],
    ['<tel:+1-201-555-0123>;tag=x', { uri: 'tel:+1-201-555-0123', tag: 'x' }],
  ])('%s', (text, expected) => {
    expect(parseNameAddr(text)).toMatchObject(expected);
  });

  it.each([
    ['"Mr. J. User <sip:j.user@example.com>', 'SIP_ERR_UNTERMINATED_QUOTE'],
    ['"Escaped at end\\" <sip:a@b>', 'SIP_ERR_UNTERMINATED_QUOTE'],
    ['Bell, Alexander <sip:a.g.bell@example.com>', 'SIP_ERR_BAD_DISPLAY_NAME'],
    ['Bob (home) <sip:bob@example.com>', 'SIP_ERR_BAD_DISPLAY_NAME'],
    ['"Watson, Thomas" < sip:t.watson@example.org >', 'SIP_ERR_BAD_NAME_ADDR'],
    ['<sip:a@b', 'SIP_ERR_BAD_NAME_ADDR'],
    ['<>', 'SIP_ERR_BAD_NAME_ADDR'],
    ['"Name" sip:a@b', 'SIP_ERR_BAD_NAME_ADDR'],
    ['sip:user@example.com?Route=%3Csip:sip.example.com%3E', 'SIP_ERR_BAD_NAME_ADDR'],
    ['sip:a@b, sip:c@d', 'SIP_ERR_BAD_NAME_ADDR'],
    ['', 'SIP_ERR_BAD_NAME_ADDR'],
    ['<sip:a@b>;;', 'SIP_ERR_BAD_PARAM'],
    ['<sip:a@b>;tag=', 'SIP_ERR_BAD_PARAM'],
    ['<sip:a@b> junk', 'SIP_ERR_BAD_PARAM'],
    ['<sip:a@b>;x="open', 'SIP_ERR_UNTERMINATED_QUOTE'],
    ['<no-scheme>', 'SIP_ERR_BAD_URI'],
    ['<sip:a b@c>', 'SIP_ERR_BAD_URI'],
  ])('rejects %j with %s', (text, code) => {
    expect(codeOf(text)).toBe(code);
  });
});

describe('formatNameAddr', () => {
  it('quotes and escapes the display name, brackets the URI, writes params and tag', () => {
    expect(formatNameAddr({ displayName: 'Say "hi" \\ bye', uri: 'sip:a@b;lr', params: { q: '0.5', flag: null }, tag: 't1' })).toBe(
      '"Say \\"hi\\" \\\\ bye" <sip:a@b;lr>;q=0.5;flag;tag=t1',
    );
    expect(formatNameAddr({ uri: 'sip:a@b' })).toBe('<sip:a@b>');
  });

  it('round-trips through parseNameAddr', () => {
    const text = '"Bell, \\"Alexander\\"" <sip:a.g.bell@example.com;transport=tcp>;tag=43;x';
    const parsed = parseNameAddr(text);
    expect(parseNameAddr(formatNameAddr(parsed))).toEqual(parsed);
  });
});
