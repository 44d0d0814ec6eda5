import { describe, expect, it } from 'vitest';
import { buildPayload, LeaderTokenError, parsePayload } from '../../../src/sip/drachtio/payload.js';
import { decodeClientMessage } from '../../../src/sip/drachtio/client-message.js';

describe('parsePayload', () => {
  it('keeps empty tokens, including a trailing one', () => {
    expect(parsePayload(Buffer.from('a||b|')).tokens).toEqual(['a', '', 'b', '']);
    expect(parsePayload(Buffer.from('a||b|')).sip).toBeNull();
  });

  it('splits the leader at the first CRLF only', () => {
    const p = parsePayload(Buffer.from('id|sip||\r\nINVITE sip:x SIP/2.0\r\nA: b|c\r\n\r\n'));
    expect(p.tokens).toEqual(['id', 'sip', '', '']);
    expect(p.sip?.toString()).toBe('INVITE sip:x SIP/2.0\r\nA: b|c\r\n\r\n');
  });

  it('a lone CR does not end the leader', () => {
    expect(parsePayload(Buffer.from('a|b\rc|d\r\nX')).tokens).toEqual(['a', 'b\rc', 'd']);
  });

  it('an empty SIP part after CRLF is an empty buffer', () => {
    expect(parsePayload(Buffer.from('a|b\r\n')).sip?.length).toBe(0);
  });
});

describe('buildPayload', () => {
  it('joins tokens and attaches the SIP text after CRLF', () => {
    expect(buildPayload(['a', '', 'b', '']).toString()).toBe('a||b|');
    expect(buildPayload(['a', 'b'], 'SIP/2.0 200 OK\r\n\r\n').toString()).toBe('a|b\r\nSIP/2.0 200 OK\r\n\r\n');
  });

  it('round-trips through parsePayload', () => {
    const tokens = ['id', 'sip', 'network', '', 'x', ''];
    const body = Buffer.from('BYE sip:a SIP/2.0\r\n\r\nbody ✓');
    const parsed = parsePayload(buildPayload(tokens, body));
    expect(parsed.tokens).toEqual(tokens);
    expect(parsed.sip?.equals(body)).toBe(true);
  });

  it('refuses tokens that would corrupt the leader', () => {
    expect(() => buildPayload(['a|b'])).toThrow(LeaderTokenError);
    expect(() => buildPayload(['a\r\n'])).toThrow(LeaderTokenError);
  });
});

describe('decodeClientMessage', () => {
  const decode = (s: string) => decodeClientMessage(Buffer.from(s));

  it('authenticate with and without tags', () => {
    expect(decode('m1|authenticate|cymru|')).toEqual({ type: 'authenticate', id: 'm1', secret: 'cymru', tags: [] });
    expect(decode('m1|authenticate|cymru|t1,t2')).toMatchObject({ tags: ['t1', 't2'] });
  });

  it('route / remove_route lowercase the verb', () => {
    expect(decode('m2|route|INVITE')).toEqual({ type: 'route', id: 'm2', verb: 'invite' });
    expect(decode('m2|remove_route|cdr:start')).toEqual({ type: 'remove_route', id: 'm2', verb: 'cdr:start' });
  });

  it('sip with 3 or 4 tokens', () => {
    const m = decode('m3|sip|t1|d1\r\nBYE sip:placeholder SIP/2.0\r\n\r\n');
    expect(m).toMatchObject({ type: 'sip', transactionId: 't1', dialogId: 'd1', routeUri: null });
    if (m.type === 'sip') expect(m.sip.toString()).toBe('BYE sip:placeholder SIP/2.0\r\n\r\n');
    expect(decode('m3|sip|||sip:10.0.0.1:5060\r\nX')).toMatchObject({ transactionId: '', dialogId: '', routeUri: 'sip:10.0.0.1:5060' });
  });

  it('proxy flags and destinations', () => {
    expect(decode('m4|proxy|t9|remainInDialog|fullResponse||serial|2s||sip:a|sip:b\r\nINVITE sip:a SIP/2.0\r\n\r\n')).toMatchObject({
      type: 'proxy',
      transactionId: 't9',
      remainInDialog: true,
      fullResponse: true,
      followRedirects: false,
      simultaneous: false,
      provisionalTimeout: '2s',
      finalTimeout: '',
      destinations: ['sip:a', 'sip:b'],
    });
  });

  it('unknown types', () => {
    expect(decode('m5|bogus|x')).toEqual({ type: 'unknown', id: 'm5', rawType: 'bogus' });
    expect(decode('only-id')).toEqual({ type: 'unknown', id: 'only-id', rawType: '' });
  });
});
