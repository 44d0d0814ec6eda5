import { describe, expect, it } from 'vitest';
import { getHeader, headerValues } from '../../../src/sip/message/index.js';
import type { SipAddress, SipRequest } from '../../../src/sip/message/sip-message.js';
import { stampReceived } from '../../../src/sip/transport/stamp-received.js';
import { optionsRequest, parse } from './transport-harness.js';

const source: SipAddress = { transport: 'udp', address: '192.0.2.7', port: 40000 };
const topVia = (request: SipRequest): string | undefined => headerValues(request, 'via')[0];

describe('stampReceived (RFC 3261 §18.2.1, RFC 3581 §4)', () => {
  it('adds received when sent-by is a domain name', () => {
    const stamped = stampReceived(optionsRequest('SIP/2.0/UDP pc33.example.com:5066;branch=z9hG4bK-1'), source);
    expect(topVia(stamped)).toBe('SIP/2.0/UDP pc33.example.com:5066;branch=z9hG4bK-1;received=192.0.2.7');
  });

  it('adds received when sent-by is a different address', () => {
    const stamped = stampReceived(optionsRequest('SIP/2.0/UDP 10.0.0.1:5066;branch=z9hG4bK-1'), source);
    expect(topVia(stamped)).toBe('SIP/2.0/UDP 10.0.0.1:5066;branch=z9hG4bK-1;received=192.0.2.7');
  });

  it('changes nothing when sent-by is the source address and there is no rport', () => {
    const request = optionsRequest('SIP/2.0/UDP 192.0.2.7:5066;branch=z9hG4bK-1');
    expect(stampReceived(request, source)).toBe(request);
  });

  it('fills rport and adds received even when the address matches (RFC 3581 §4)', () => {
    const stamped = stampReceived(optionsRequest('SIP/2.0/UDP 192.0.2.7:5066;rport;branch=z9hG4bK-1'), source);
    expect(topVia(stamped)).toBe('SIP/2.0/UDP 192.0.2.7:5066;rport=40000;branch=z9hG4bK-1;received=192.0.2.7');
  });

  it('replaces an existing received and leaves a valued rport', () => {
    const stamped = stampReceived(optionsRequest('SIP/2.0/UDP h.example.com;received=1.2.3.4;rport=1;branch=z9hG4bK-1'), source);
    expect(topVia(stamped)).toBe('SIP/2.0/UDP h.example.com;received=192.0.2.7;rport=1;branch=z9hG4bK-1');
  });

  it('touches only the top Via of a multi-value line and writes IPv6 without brackets (RFC 5118 §4.5)', () => {
    const request = parse(
      'OPTIONS sip:a@[2001:db8::1] SIP/2.0\r\nv: SIP/2.0/UDP [2001:db8::9]:5070;rport;branch=z9hG4bK-1, SIP/2.0/UDP proxy.example.com;branch=z9hG4bK-0\r\n' +
        'From: <sip:x@y>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: c1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n',
    ) as SipRequest;
    const stamped = stampReceived(request, { transport: 'udp', address: '2001:db8::7', port: 5999 });
    expect(getHeader(stamped, 'via')).toBe(
      'SIP/2.0/UDP [2001:db8::9]:5070;rport=5999;branch=z9hG4bK-1;received=2001:db8::7, SIP/2.0/UDP proxy.example.com;branch=z9hG4bK-0',
    );
    expect(stamped.headers[0]?.name).toBe('v');
  });

  it('does not modify its input', () => {
    const request = optionsRequest('SIP/2.0/UDP pc33.example.com;branch=z9hG4bK-1');
    const before = JSON.stringify(request.headers);
    stampReceived(request, source);
    expect(JSON.stringify(request.headers)).toBe(before);
  });
});
