import { describe, expect, it } from 'vitest';
import { getHeader, headerValues } from '../../../src/sip/message/index.js';
import type { SipRequest } from '../../../src/sip/message/sip-message.js';
import { mayUseTcp, switchRequestToTcp, udpSizeLimit } from '../../../src/sip/transport/switch-to-tcp.js';
import { optionsRequest, parse } from './transport-harness.js';

describe('switchRequestToTcp (RFC 3261 §18.1.1)', () => {
  it('uses MTU − 200 as the UDP limit', () => {
    expect(udpSizeLimit(1500)).toBe(1300);
  });

  it('rewrites only the top Via transport token and keeps the input untouched', () => {
    const request = optionsRequest('SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-1;rport', { extra: ['Via: SIP/2.0/UDP proxy.example.com;branch=z9hG4bK-0'] });
    const switched = switchRequestToTcp(request);
    expect(headerValues(switched, 'via')).toEqual(['SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bK-1;rport', 'SIP/2.0/UDP proxy.example.com;branch=z9hG4bK-0']);
    expect(headerValues(request, 'via')[0]).toBe('SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-1;rport');
  });

  it('keeps compact names and odd spacing', () => {
    const request = parse('OPTIONS sip:a@b SIP/2.0\r\nv: sip / 2.0 / udp h;branch=z9hG4bK-1\r\nl: 0\r\n\r\n') as SipRequest;
    const switched = switchRequestToTcp(request);
    expect(switched.headers[0]).toEqual({ name: 'v', value: 'sip / 2.0 / TCP h;branch=z9hG4bK-1' });
  });

  it('adds Content-Length when missing (RFC 3261 §18.3)', () => {
    const request = optionsRequest('SIP/2.0/UDP h;branch=z9hG4bK-1', { body: 'abc', contentLength: false });
    expect(getHeader(switchRequestToTcp(request), 'content-length')).toBe('3');
  });

  it('does not switch when the Request-URI says transport=udp', () => {
    expect(mayUseTcp(optionsRequest('SIP/2.0/UDP h;branch=z9hG4bK-1', { uri: 'sip:bob@127.0.0.1;transport=UDP' }))).toBe(false);
    expect(mayUseTcp(optionsRequest('SIP/2.0/UDP h;branch=z9hG4bK-1', { uri: 'sip:bob@127.0.0.1;transport=udpx' }))).toBe(true);
    expect(mayUseTcp(optionsRequest('SIP/2.0/UDP h;branch=z9hG4bK-1', { uri: 'sip:bob@127.0.0.1?X=;transport=udp' }))).toBe(true);
  });
});
