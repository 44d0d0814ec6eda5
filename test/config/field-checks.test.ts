import { describe, expect, it } from 'vitest';
import { findApiKeyOwner, generateApiKey, hashApiKey } from '../../src/config/api-key.js';
import { CidrList, parseCidr } from '../../src/config/cidr.js';
import { isSafeHeaderValue, isSipToken, isSipUri, parseListenSpec } from '../../src/config/field-formats.js';

describe('isSipUri', () => {
  it.each([
    ['sip:agent@127.0.0.1:5090', true],
    ['sips:line@acme.zendesk.sip.twilio.com', true],
    ['sip:127.0.0.1:5094', true],
    ['sip:+15550100@carrier.example;user=phone', true],
    ['sip:bob@[2001:db8::1]:5060;transport=tcp', true],
    ['SIP:bob@example.com', true],
    ['tel:+15550100', false],
    ['http://example.com', false],
    ['sip:', false],
    ['sip:@host', false],
    ['sip:bob:pw@host', false],
    ['sip:bob@host:99999', false],
    ['sip:bob@ho st', false],
    ['sip:bob@host\r\nX: y', false],
    ['sip:bob@host?subject=x', false],
  ])('%s → %s', (uri, ok) => {
    expect(isSipUri(uri)).toBe(ok);
  });
});

describe('header syntax', () => {
  it.each([['X-Agent-Profile', true], ['X.Y_z+1', true], ['X Bad', false], ['X:Bad', false], ['', false]])('token %s → %s', (v, ok) => {
    expect(isSipToken(v)).toBe(ok);
  });
  it.each([['plain value; with=params', true], ['', true], ['a\r\nb', false], ['nul\u0000', false], ['é', false]])('value %j → %s', (v, ok) => {
    expect(isSafeHeaderValue(v)).toBe(ok);
  });
});

describe('parseListenSpec', () => {
  it.each([
    ['udp:127.0.0.1:5060', { transport: 'udp', host: '127.0.0.1', port: 5060 }],
    ['TCP:0.0.0.0:5080', { transport: 'tcp', host: '0.0.0.0', port: 5080 }],
    ['udp:[::1]:5060', { transport: 'udp', host: '::1', port: 5060 }],
    ['tls:1.2.3.4:5061', null],
    ['udp:1.2.3.4', null],
    ['udp:1.2.3.4:0', null],
  ])('%s', (spec, expected) => {
    expect(parseListenSpec(spec)).toEqual(expected);
  });
});

describe('CIDRs', () => {
  it.each([
    ['10.0.0.0/8', { address: '10.0.0.0', prefix: 8, family: 'ipv4' }],
    ['203.0.113.7', { address: '203.0.113.7', prefix: 32, family: 'ipv4' }],
    ['2001:db8::/32', { address: '2001:db8::', prefix: 32, family: 'ipv6' }],
    ['::1/128', { address: '::1', prefix: 128, family: 'ipv6' }],
    ['10.0.0.0/33', null],
    ['::/129', null],
    ['10.0.0.0/8/1', null],
    ['host.example/8', null],
    ['10.0.0.0/x', null],
  ])('parseCidr(%s)', (text, expected) => {
    expect(parseCidr(text)).toEqual(expected);
  });

  it('matches IPv4, IPv6 and IPv4-mapped IPv6 sources', () => {
    const list = new CidrList(['127.0.0.0/8', '2001:db8::/32']);
    expect(list.contains('127.1.2.3')).toBe(true);
    expect(list.contains('::ffff:127.0.0.1')).toBe(true);
    expect(list.contains('2001:db8:1::5')).toBe(true);
    expect(list.contains('128.0.0.1')).toBe(false);
    expect(list.contains('2001:db9::1')).toBe(false);
    expect(list.contains('not-an-ip')).toBe(false);
  });
});

describe('API keys', () => {
  it('hashes as sha256:<hex> and finds the owner', () => {
    expect(hashApiKey('demo-key-change-me')).toBe('sha256:090d1548c9d65f413a1a2c828a0bee3a7ae02d2137caf51e6029e6c3cb1f1fa4');
    const entries = [
      { hash: hashApiKey('a'), owner: 'org-a' },
      { hash: hashApiKey('b'), owner: 'org-b' },
    ];
    expect(findApiKeyOwner('b', entries)).toBe('org-b');
    expect(findApiKeyOwner('c', entries)).toBeNull();
    expect(findApiKeyOwner('', entries)).toBeNull();
    expect(generateApiKey()).toMatch(/^tbk_[A-Za-z0-9_-]{43}$/);
  });
});
