/** RFC 3261 §16.4–§16.7 as pure functions: the request a proxy forwards, and what it relays back. */
import { describe, expect, it } from 'vitest';
import { getHeader, headerValues, parseMessage } from '../../../src/sip/message/index.js';
import type { SipMessage, SipRequest, SipResponse } from '../../../src/sip/message/sip-message.js';
import {
  bestResponse,
  destinationUri,
  forwardRequest,
  maxForwardsOf,
  nextHop,
  parseProxyTimeout,
  relayResponse,
  upstreamStatus,
  withoutOwnRoute,
} from '../../../src/sip/proxy/index.js';

function parse(lines: string[], body = ''): SipMessage {
  const result = parseMessage(Buffer.from(`${lines.join('\r\n')}\r\nContent-Length: ${body.length}\r\n\r\n${body}`));
  if (!result.ok) throw new Error(result.error.reason);
  return result.message;
}

const invite = (extra: string[] = []) =>
  parse(
    [
      'INVITE sip:bob@example.com SIP/2.0',
      'Via: SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bK-up',
      'From: <sip:alice@example.com>;tag=a1',
      'To: <sip:bob@example.com>',
      'Call-ID: c1',
      'CSeq: 1 INVITE',
      ...extra,
    ],
    'v=0\r\n',
  ) as SipRequest;

const response = (status: number, vias = ['SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-ours', 'SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bK-up']) =>
  parse([`SIP/2.0 ${status} Whatever`, ...vias.map((v) => `Via: ${v}`), 'From: <sip:alice@example.com>;tag=a1', 'To: <sip:bob@example.com>;tag=b1', 'Call-ID: c1', 'CSeq: 1 INVITE']) as SipResponse;

const isUs = (uri: string) => /^sip:127\.0\.0\.1:5060\b/.test(uri);

describe('forwardRequest (§16.6)', () => {
  it('replaces the Request-URI, decrements Max-Forwards, puts Record-Route and our Via on top', () => {
    const out = forwardRequest(invite(['Max-Forwards: 70']), {
      targetUri: 'sip:bob@10.0.0.2:5080',
      via: 'SIP/2.0/UDP 127.0.0.1:5060;rport;branch=z9hG4bK-ours',
      recordRoute: '<sip:127.0.0.1:5060;lr>',
    });
    expect(out.uri).toBe('sip:bob@10.0.0.2:5080');
    expect(headerValues(out, 'Via')).toEqual(['SIP/2.0/UDP 127.0.0.1:5060;rport;branch=z9hG4bK-ours', 'SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bK-up']);
    expect(getHeader(out, 'Record-Route')).toBe('<sip:127.0.0.1:5060;lr>');
    expect(getHeader(out, 'Max-Forwards')).toBe('69');
    expect(getHeader(out, 'Content-Length')).toBe('5');
    expect(out.body.toString()).toBe('v=0\r\n');
  });

  it('adds Max-Forwards: 70 when missing; app headers replace fields of the same name', () => {
    const out = forwardRequest(invite(['X-Tag: old']), { targetUri: 'sip:b@h', via: 'SIP/2.0/UDP h;branch=z9hG4bK-x', recordRoute: null, extraHeaders: [{ name: 'X-Tag', value: 'new' }] });
    expect(getHeader(out, 'Max-Forwards')).toBe('70');
    expect(headerValues(out, 'X-Tag')).toEqual(['new']);
    expect(getHeader(out, 'Record-Route')).toBeUndefined();
  });

  it('reads Max-Forwards (§16.3 step 3)', () => {
    expect(maxForwardsOf(invite(['Max-Forwards: 0']))).toBe(0);
    expect(maxForwardsOf(invite())).toBeNull();
  });
});

describe('Route preprocessing and next hop (§16.4, §16.6 steps 6–7)', () => {
  it('removes our own Route and routes on the next one, or on the Request-URI', () => {
    const both = invite(['Route: <sip:127.0.0.1:5060;lr>, <sip:10.9.9.9;lr>']);
    const first = withoutOwnRoute(both, isUs);
    expect(first.removed).toBe(true);
    expect(headerValues(first.request, 'Route')).toEqual(['<sip:10.9.9.9;lr>']);
    expect(nextHop(first.request)).toBe('sip:10.9.9.9;lr');
    const only = withoutOwnRoute(invite(['Route: <sip:127.0.0.1:5060;lr>']), isUs);
    expect(headerValues(only.request, 'Route')).toEqual([]);
    expect(nextHop(only.request)).toBe('sip:bob@example.com');
  });

  it('leaves a Route that is not ours', () => {
    const other = invite(['Route: <sip:10.9.9.9;lr>']);
    expect(withoutOwnRoute(other, isUs)).toEqual({ request: other, removed: false });
  });
});

describe('responses (§16.7)', () => {
  it('relays with our Via removed; a response with only our Via was meant for us', () => {
    const relayed = relayResponse(response(200))!;
    expect(headerValues(relayed, 'Via')).toEqual(['SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bK-up']);
    expect(relayResponse(response(200, ['SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-ours']))).toBeNull();
  });

  it('chooses 6xx first, else the lowest class; a lone 503 goes up as 500', () => {
    expect(bestResponse([response(486), response(302), response(503)])?.status).toBe(302);
    expect(bestResponse([response(486), response(603), response(302)])?.status).toBe(603);
    expect(bestResponse([response(404), response(486)])?.status).toBe(404);
    expect(bestResponse([])).toBeNull();
    expect(upstreamStatus(response(503))).toEqual({ status: 500, reason: 'Server Internal Error' });
    expect(upstreamStatus(response(486)).status).toBe(486);
  });
});

describe('drachtio proxy options', () => {
  it('parses timeouts like 2s / 1500ms', () => {
    expect(parseProxyTimeout('2s')).toBe(2000);
    expect(parseProxyTimeout('1500ms')).toBe(1500);
    expect(parseProxyTimeout('')).toBeNull();
    expect(parseProxyTimeout('soon')).toBeNull();
  });

  it('keeps the user of the Request-URI for a destination without one', () => {
    expect(destinationUri('sip:10.0.0.2:5080', 'sip:bob@example.com')).toBe('sip:bob@10.0.0.2:5080');
    expect(destinationUri('sip:carol@10.0.0.2', 'sip:bob@example.com')).toBe('sip:carol@10.0.0.2');
  });
});
