import { describe, expect, it } from 'vitest';
import { MAX_CSEQ, parseCSeq, parseExpires, parseMaxForwards, SipHeaderError } from '../../../src/sip/message/index.js';

const codeOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    if (e instanceof SipHeaderError) return e.code;
    throw e;
  }
  return 'ok';
};

describe('parseCSeq (RFC 3261 §20.16, §8.1.1.5)', () => {
  it.each([
    ['4711 INVITE', { seq: 4711, method: 'INVITE' }],
    ['0009 INVITE', { seq: 9, method: 'INVITE' }],
    ['0 ACK', { seq: 0, method: 'ACK' }],
    ['1\t  NEWMETHOD', { seq: 1, method: 'NEWMETHOD' }],
    [`${MAX_CSEQ} BYE`, { seq: 2 ** 31 - 1, method: 'BYE' }],
  ])('%j', (text, expected) => {
    expect(parseCSeq(text)).toEqual(expected);
  });

  it.each(['', 'INVITE', '12', '12INVITE', '-1 INVITE', '2147483648 INVITE', '36893488147419103232 REGISTER', '1 INVITE extra', '1 INV@TE'])(
    'rejects %j',
    (text) => {
      expect(codeOf(() => parseCSeq(text))).toBe('SIP_ERR_BAD_CSEQ');
    },
  );
});

describe('Max-Forwards and Expires', () => {
  it('Max-Forwards is 0–255 with leading zeros allowed', () => {
    expect(parseMaxForwards('0068')).toBe(68);
    expect(parseMaxForwards('0')).toBe(0);
    expect(codeOf(() => parseMaxForwards('300'))).toBe('SIP_ERR_BAD_MAX_FORWARDS');
    expect(codeOf(() => parseMaxForwards('-1'))).toBe('SIP_ERR_BAD_MAX_FORWARDS');
    expect(codeOf(() => parseMaxForwards(''))).toBe('SIP_ERR_BAD_MAX_FORWARDS');
  });

  it('Expires is delta-seconds up to 2**32-1', () => {
    expect(parseExpires('3600')).toBe(3600);
    expect(parseExpires('4294967295')).toBe(4294967295);
    expect(codeOf(() => parseExpires('4294967296'))).toBe('SIP_ERR_BAD_EXPIRES');
    expect(codeOf(() => parseExpires('1'.repeat(100)))).toBe('SIP_ERR_BAD_EXPIRES');
  });
});
