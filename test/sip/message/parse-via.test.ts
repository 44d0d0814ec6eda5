import { describe, expect, it } from 'vitest';
import { formatVia, parseVia, SipHeaderError } from '../../../src/sip/message/index.js';

const codeOf = (text: string): string => {
  try {
    parseVia(text);
  } catch (e) {
    if (e instanceof SipHeaderError) return e.code;
    throw e;
  }
  return 'ok';
};

describe('parseVia (RFC 3261 §20.42; RFC 3581)', () => {
  it('parses protocol, transport, sent-by and parameters', () => {
    expect(parseVia('SIP/2.0/UDP pc33.atlanta.com:5066;branch=z9hG4bK776asdhds;received=192.0.2.1')).toEqual([
      {
        protocol: 'SIP/2.0/UDP',
        transport: 'UDP',
        host: 'pc33.atlanta.com',
        port: 5066,
        params: { branch: 'z9hG4bK776asdhds', received: '192.0.2.1' },
        branch: 'z9hG4bK776asdhds',
      },
    ]);
  });

  it('reads rport as a flag (request) and as a value (response)', () => {
    expect(parseVia('SIP/2.0/UDP 192.0.2.1;rport;branch=z9hG4bKx')[0]?.params).toEqual({ rport: null, branch: 'z9hG4bKx' });
    expect(parseVia('SIP/2.0/UDP 192.0.2.1;received=203.0.113.5;rport=40312;branch=z9hG4bKx')[0]?.params.rport).toBe('40312');
  });

  it('parses IPv6 sent-by with and without port, and IPv6 received with and without brackets', () => {
    expect(parseVia('SIP/2.0/UDP [2001:db8::9:1]:6050;branch=z9hG4bKas3-111')[0]).toMatchObject({ host: '2001:db8::9:1', port: 6050 });
    expect(parseVia('SIP/2.0/TCP [2001:db8::9:255];branch=z9hG4bK451jj;received=192.0.2.200')[0]).toMatchObject({ host: '2001:db8::9:255', port: null });
    expect(parseVia('SIP/2.0/UDP [2001:db8::9:1];received=[2001:db8::9:255]')[0]?.params.received).toBe('[2001:db8::9:255]');
    expect(parseVia('SIP/2.0/UDP [2001:db8::9:1];received=2001:db8::9:255')[0]?.params.received).toBe('2001:db8::9:255');
  });

  it('allows LWS around "/", ":", ";" and "=" and upper-cases the transport', () => {
    expect(parseVia('SIP  /   2.0 /udp  192.0.2.2 : 5060 ;  branch  =  z9hG4bK30239 ')[0]).toMatchObject({
      protocol: 'SIP/2.0/udp',
      transport: 'UDP',
      host: '192.0.2.2',
      port: 5060,
      branch: 'z9hG4bK30239',
    });
  });

  it('splits comma-separated via-parms and keeps unknown transports', () => {
    const vias = parseVia('SIP/2.0/SCTP t2.example.com;branch=z9hG4bKa, SIP/2.0/UNKNOWN t4.example.com ;branch=z9hG4bKb,SIP/2.0/WSS t5.example.com');
    expect(vias.map((v) => [v.transport, v.host, v.branch])).toEqual([
      ['SCTP', 't2.example.com', 'z9hG4bKa'],
      ['UNKNOWN', 't4.example.com', 'z9hG4bKb'],
      ['WSS', 't5.example.com', null],
    ]);
  });

  it('keeps quoted parameter values (with commas) intact', () => {
    expect(parseVia('SIP/2.0/UDP h.example.com;x="a, b";branch=z9hG4bK1')[0]?.params).toEqual({ x: '"a, b"', branch: 'z9hG4bK1' });
  });

  it.each([
    ['SIP/2.0/UDP 192.0.2.15;;,;,,', 'extra separators (RFC 4475 §3.1.2.1)'],
    ['SIP/2.0/UDP', 'no sent-by'],
    ['SIP/2.0 host', 'no transport'],
    ['SIP/2.0/UDPhost', 'no space before sent-by'],
    ['SIP/2.0/UDP host:port', 'non-numeric port'],
    ['SIP/2.0/UDP host:70000', 'port out of range'],
    ['SIP/2.0/UDP 2001:db8::1', 'IPv6 without brackets'],
    ['SIP/2.0/UDP [2001:db8::1', 'unterminated IPv6'],
    ['SIP/2.0/UDP host;branch', 'branch without value'],
    ['SIP/2.0/UDP ho$t', 'bad host'],
    ['SIP/2.0/UDP host, ', 'empty element'],
    ['', 'empty'],
  ])('rejects %j (%s)', (text) => {
    expect(codeOf(text)).toBe('SIP_ERR_BAD_VIA');
  });
});

describe('formatVia', () => {
  it('writes a via-parm that parses back to the same value', () => {
    const text = 'SIP/2.0/TCP [2001:db8::1]:5061;branch=z9hG4bKabc;rport;received=192.0.2.1';
    const via = parseVia(text)[0];
    if (!via) throw new Error('no via');
    expect(formatVia(via)).toBe(text);
    expect(formatVia({ transport: 'UDP', host: 'h.example.com', port: null, params: { branch: 'z9hG4bK1', rport: null } })).toBe(
      'SIP/2.0/UDP h.example.com;branch=z9hG4bK1;rport',
    );
  });
});
