import { describe, expect, it } from 'vitest';
import { buildInDialogRequest } from '../../../src/sip/dialog/in-dialog-request.js';
import { isLooseRoute, requestTarget } from '../../../src/sip/dialog/request-target.js';
import { serializeMessage } from '../../../src/sip/message/index.js';
import { dialogFixture } from './dialog-fixture.js';

describe('Request-URI and Route (RFC 3261 §12.2.1.1)', () => {
  it('empty route set: remote target, no Route', () => {
    expect(requestTarget(dialogFixture())).toEqual({
      requestUri: 'sip:bob@10.0.0.2:5080;transport=udp',
      routes: [],
      nextHop: 'sip:bob@10.0.0.2:5080;transport=udp',
    });
  });

  it('loose routing (lr): remote target in the Request-URI, whole route set as Route', () => {
    const t = requestTarget(dialogFixture({ routeSet: ['<sip:p1.example.com;lr>', '<sip:p2.example.com;lr;foo=bar>'] }));
    expect(t.requestUri).toBe('sip:bob@10.0.0.2:5080;transport=udp');
    expect(t.routes).toEqual(['<sip:p1.example.com;lr>', '<sip:p2.example.com;lr;foo=bar>']);
    expect(t.nextHop).toBe('sip:p1.example.com;lr');
  });

  it('strict routing: first route in the Request-URI, remote target appended to Route', () => {
    const t = requestTarget(dialogFixture({ routeSet: ['<sip:strict.example.com;maddr=10.1.1.1;method=INVITE>', '<sip:p2;lr>'] }));
    expect(t.requestUri).toBe('sip:strict.example.com;maddr=10.1.1.1');
    expect(t.routes).toEqual(['<sip:p2;lr>', '<sip:bob@10.0.0.2:5080;transport=udp>']);
    expect(t.nextHop).toBe('sip:strict.example.com;maddr=10.1.1.1');
  });

  it('recognises lr', () => {
    expect(isLooseRoute('<sip:a;lr>')).toBe(true);
    expect(isLooseRoute('<sip:a;lr=on>')).toBe(true);
    expect(isLooseRoute('<sip:a>')).toBe(false);
    expect(isLooseRoute('garbage<<')).toBe(false);
  });
});

describe('buildInDialogRequest', () => {
  it('fills From/To/Call-ID/CSeq/Route from the dialog, extra headers after Content-Length', () => {
    const { request, nextHop } = buildInDialogRequest(dialogFixture({ routeSet: ['<sip:p1;lr>'] }), {
      method: 'BYE',
      cseq: 11,
      via: 'SIP/2.0/UDP 127.0.0.1:5060;rport;branch=z9hG4bKabc',
      headers: [{ name: 'X-Custom-Header', value: 'v' }, { name: 'Reason', value: 'SIP ;cause=200 ;text="ACK timeout"' }],
    });
    expect(nextHop).toBe('sip:p1;lr');
    expect(serializeMessage(request).toString()).toBe(
      [
        'BYE sip:bob@10.0.0.2:5080;transport=udp SIP/2.0',
        'Via: SIP/2.0/UDP 127.0.0.1:5060;rport;branch=z9hG4bKabc',
        'Max-Forwards: 70',
        'From: "Alice" <sip:alice@example.com>;tag=ours',
        'To: <sip:bob@example.com>;tag=theirs',
        'Call-ID: c1',
        'CSeq: 11 BYE',
        'Route: <sip:p1;lr>',
        'Content-Length: 0',
        'X-Custom-Header: v',
        'Reason: SIP ;cause=200 ;text="ACK timeout"',
        '',
        '',
      ].join('\r\n'),
    );
  });

  it('Contact, body and Content-Type; an explicit Request-URI wins', () => {
    const sdp = Buffer.from('v=0\r\n');
    const { request, nextHop } = buildInDialogRequest(dialogFixture(), {
      method: 'INVITE',
      cseq: 12,
      via: 'SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKx',
      contact: '<sip:127.0.0.1:5060>',
      body: sdp,
      contentType: 'application/sdp',
      requestUri: 'sip:other@10.0.0.3',
    });
    expect(request.uri).toBe('sip:other@10.0.0.3');
    expect(nextHop).toBe('sip:other@10.0.0.3');
    const names = request.headers.map((h) => h.name);
    expect(names).toEqual(['Via', 'Max-Forwards', 'From', 'To', 'Call-ID', 'CSeq', 'Contact', 'Content-Type', 'Content-Length']);
    expect(request.headers.find((h) => h.name === 'Content-Length')?.value).toBe('5');
    expect(request.body.equals(sdp)).toBe(true);
  });
});
