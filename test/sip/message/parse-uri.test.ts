import { describe, expect, it } from 'vitest';
import { formatUri, isIPv4, isIPv6, parseUri, SipHeaderError } from '../../../src/sip/message/index.js';

const codeOf = (text: string): string => {
  try {
    parseUri(text);
  } catch (e) {
    if (e instanceof SipHeaderError) return e.code;
    throw e;
  }
  return 'ok';
};

describe('parseUri: SIP and SIPS (RFC 3261 §19.1.1)', () => {
  it.each([
    ['sip:alice@atlanta.com', { scheme: 'sip', user: 'alice', password: null, host: 'atlanta.com', port: null, params: {}, headers: {} }],
    [
      'sip:alice:secretword@atlanta.com;transport=tcp',
      { scheme: 'sip', user: 'alice', password: 'secretword', host: 'atlanta.com', port: null, params: { transport: 'tcp' }, headers: {} },
    ],
    [
      'sips:alice@atlanta.com?subject=project%20x&priority=urgent',
      { scheme: 'sips', user: 'alice', host: 'atlanta.com', params: {}, headers: { subject: 'project%20x', priority: 'urgent' } },
    ],
    [
      'sip:+1-212-555-1212:1234@gateway.com;user=phone',
      { user: '+1-212-555-1212', password: '1234', host: 'gateway.com', params: { user: 'phone' } },
    ],
    ['sip:atlanta.com;method=REGISTER?to=alice%40atlanta.com', { user: null, host: 'atlanta.com', params: { method: 'REGISTER' }, headers: { to: 'alice%40atlanta.com' } }],
    ['sip:alice;day=tuesday@atlanta.com', { user: 'alice;day=tuesday', host: 'atlanta.com', params: {} }],
    ['SIP:Bob@BIloxi.COM:5070;Transport=UDP;lr', { scheme: 'sip', user: 'Bob', host: 'biloxi.com', port: 5070, params: { transport: 'UDP', lr: null } }],
    ['sip:192.0.2.4:5060', { user: null, host: '192.0.2.4', port: 5060 }],
    ['sip:[2001:db8::10]', { host: '2001:db8::10', port: null }],
    ['sip:user@[2001:db8::10]:5070;maddr=[2001:db8::1]', { host: '2001:db8::10', port: 5070, params: { maddr: '[2001:db8::1]' } }],
    ['sip:[::ffff:192.0.2.10]:19823', { host: '::ffff:192.0.2.10', port: 19823 }],
    ['sip:%61lice@example.com', { user: '%61lice' }],
    ['sip:example.com.', { host: 'example.com.' }],
  ])('%s', (text, expected) => {
    expect(parseUri(text)).toMatchObject(expected);
  });

  it.each([
    ['sip:2001:db8::10', 'IPv6 without brackets (RFC 5118 §4.2)'],
    ['sip:user@[2001:db8:::192.0.2.1]', 'three colons (RFC 5118 §4.10, strict)'],
    ['sip:user@[2001:db8::10', 'unterminated IPv6 reference'],
    ['sip:user@host:99999', 'port out of range'],
    ['sip:user@host:', 'empty port'],
    ['sip:@host', 'empty user'],
    ['sip:us er@host', 'space'],
    ['sip:user@host;', 'empty parameter'],
    ['sip:user@host;a=', 'empty parameter value'],
    ['sip:user@host?', 'empty header'],
    ['sip:user@host?a', 'header without ='],
    ['sip:user%4@host', 'bad escape'],
    ['sip:user%zz@host', 'bad escape'],
    ['sip:user@ho_st', 'underscore in hostname'],
    ['sip:user@-host.com', 'label starting with -'],
    ['sip:user@1.2.3.999', 'numeric toplabel'],
    ['sip:', 'nothing'],
    ['sip:user@', 'no host'],
    ['sip:<user@host>', 'angle brackets'],
    ['sip:us"er@host', 'quote'],
    ['sip:usér@host', 'non-ASCII'],
  ])('rejects %s (%s) with SIP_ERR_BAD_URI', (text) => {
    expect(codeOf(text)).toBe('SIP_ERR_BAD_URI');
  });

  it('rejects text without a scheme as SIP_ERR_BAD_URI and unknown schemes as SIP_ERR_UNSUPPORTED_URI_SCHEME (416)', () => {
    expect(codeOf('alice@example.com')).toBe('SIP_ERR_BAD_URI');
    expect(codeOf('1sip:x')).toBe('SIP_ERR_BAD_URI');
    expect(codeOf('http://www.example.com')).toBe('SIP_ERR_UNSUPPORTED_URI_SCHEME');
    expect(codeOf('nobodyKnowsThisScheme:totallyopaquecontent')).toBe('SIP_ERR_UNSUPPORTED_URI_SCHEME');
  });

  it('keeps escapes as written (never re-escapes or unescapes, RFC 3261 §19.1.4)', () => {
    const text = 'sip:sips%3Auser%40example.com@example.net;n%61me=v%61lue?h%20x=%3Cy%3E';
    const uri = parseUri(text);
    expect(uri).toMatchObject({ user: 'sips%3Auser%40example.com', params: { 'n%61me': 'v%61lue' }, headers: { 'h%20x': '%3Cy%3E' } });
    expect(formatUri(uri)).toBe(text);
  });

  it('ignores a __proto__ parameter safely', () => {
    const uri = parseUri('sip:host;__proto__=x;constructor=y');
    expect(uri.params.__proto__).toBe('x');
    expect(uri.params.constructor).toBe('y');
    expect(Object.getPrototypeOf(Object.getPrototypeOf(uri.params))).toBeNull();
  });
});

describe('parseUri: TEL (RFC 3966)', () => {
  it.each([
    ['tel:+1-201-555-0123', { scheme: 'tel', number: '+1-201-555-0123', params: {} }],
    ['tel:7042;phone-context=example.com', { number: '7042', params: { 'phone-context': 'example.com' } }],
    ['tel:863-1234;phone-context=+1-914-555', { number: '863-1234', params: { 'phone-context': '+1-914-555' } }],
    ['TEL:+1(212)555.1212;ext=22;isub=1411', { scheme: 'tel', number: '+1(212)555.1212', params: { ext: '22', isub: '1411' } }],
    ['tel:*31#;phone-context=example.com', { number: '*31#' }],
  ])('%s', (text, expected) => {
    expect(parseUri(text)).toMatchObject(expected);
  });

  it.each([
    ['tel:+', 'no digits'],
    ['tel:+1-AB', 'hex in a global number'],
    ['tel:1234', 'local number without phone-context (RFC 3966 §5.1.5)'],
    ['tel:+1234;', 'empty parameter'],
    ['tel:+1 234', 'space'],
    ['tel:+1234;ext=', 'empty parameter value'],
  ])('rejects %s (%s)', (text) => {
    expect(codeOf(text)).toBe('SIP_ERR_BAD_URI');
  });
});

describe('formatUri', () => {
  it.each(['sip:alice:pw@atlanta.com:5061;transport=tls;lr?subject=x&b=c', 'sips:[2001:db8::1]:5061', 'sip:example.com', 'tel:+1-201-555-0123;ext=1'])(
    'round-trips %s',
    (text) => {
      expect(formatUri(parseUri(text))).toBe(text);
    },
  );
});

describe('host syntax', () => {
  it.each(['::', '::1', '2001:db8::10', '2001:db8:0:0:0:0:0:1', '::ffff:192.0.2.1', '2001:db8::192.0.2.1', 'fe80::1:2:3:4:5:6'])('IPv6 %s', (a) => {
    expect(isIPv6(a)).toBe(true);
  });
  it.each(['', ':', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '2001:db8:::1', '1::2::3', '12345::', 'g::1', '::1.2.3', '1:2:3:4:5:6:7:1.2.3.4'])('not IPv6 %j', (a) => {
    expect(isIPv6(a)).toBe(false);
  });
  it('IPv4', () => {
    expect(['0.0.0.0', '192.0.2.255', '255.255.255.255'].every(isIPv4)).toBe(true);
    expect(['256.0.0.1', '1.2.3', '1.2.3.4.5', '1..2.3', '01234.1.1.1', 'a.b.c.d'].some(isIPv4)).toBe(false);
  });
});
