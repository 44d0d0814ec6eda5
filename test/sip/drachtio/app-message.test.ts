import { describe, expect, it } from 'vitest';
import { appHeaders, decodeAppSip, inferContentType, isPlaceholderUri, outputHeaderName, rewriteLocalhost } from '../../../src/sip/drachtio/app-message.js';
import { SipEndpoints } from '../../../src/sip/drachtio/sip-endpoints.js';

describe('decodeAppSip (drachtio-protocol.md §7.1)', () => {
  it('takes the body from the bytes, not from srf’s character-count Content-Length', () => {
    const body = 'héllo ✓';
    const text = `MESSAGE sip:a@127.0.0.1 SIP/2.0\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    const r = decodeAppSip(Buffer.from(text));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.message.body.toString()).toBe(body);
    expect(r.message.headers.find((h) => h.name === 'Content-Length')?.value).toBe(String(Buffer.byteLength(body)));
  });

  it('ignores any Content-Length the application wrote (even several disagreeing ones): one, from the bytes, last', () => {
    const r = decodeAppSip(Buffer.from('INFO sip:a@h SIP/2.0\r\nl: 99\r\nX-A: 1\r\nContent-Length: 3\r\n\r\nabcd'));
    if (!r.ok) throw new Error(r.reason);
    expect(r.message.body.toString()).toBe('abcd');
    expect(r.message.headers).toEqual([
      { name: 'X-A', value: '1' },
      { name: 'Content-Length', value: '4' },
    ]);
  });

  it('accepts a message without an empty line and reports garbage', () => {
    expect(decodeAppSip(Buffer.from('ACK sip:a@h SIP/2.0\r\nContent-Length: 0')).ok).toBe(true);
    expect(decodeAppSip(Buffer.from('garbage')).ok).toBe(false);
  });
});

describe('header handling', () => {
  it('drops Via/Route/Record-Route/RSeq/Content-Length and excluded names, keeps custom case and order', () => {
    const r = decodeAppSip(
      Buffer.from(
        'INVITE sip:a@h SIP/2.0\r\nVia: SIP/2.0/UDP x;branch=z9hG4bK1\r\nroute: <sip:r>\r\nX-Zendesk-Ticket-Id: 42\r\nuser-agent: srf\r\nfrom: <sip:f@h>\r\nx-lower: v\r\nRSeq: 4\r\n\r\n',
      ),
    );
    if (!r.ok) throw new Error(r.reason);
    expect(appHeaders(r.message, new Set(['from']))).toEqual([
      { name: 'X-Zendesk-Ticket-Id', value: '42' },
      { name: 'User-Agent', value: 'srf' },
      { name: 'x-lower', value: 'v' },
    ]);
  });

  it('canonical names only for lower-cased well-known headers', () => {
    expect(outputHeaderName('cseq')).toBe('CSeq');
    expect(outputHeaderName('p-asserted-identity')).toBe('P-Asserted-Identity');
    expect(outputHeaderName('X-Custom-Header')).toBe('X-Custom-Header');
    expect(outputHeaderName('foo-bar')).toBe('foo-bar');
  });
});

describe('placeholders', () => {
  it('@localhost gets the server address, <> form, params and display name kept', () => {
    expect(rewriteLocalhost('sip:123@localhost', '127.0.0.1', 5060)).toBe('<sip:123@127.0.0.1:5060>');
    expect(rewriteLocalhost('"Bob" <sip:123@localhost>;tag=x', '127.0.0.1', 5062)).toBe('"Bob" <sip:123@127.0.0.1:5062>;tag=x');
    expect(rewriteLocalhost('<sip:dhorton@localhost>;expires=3600', '::1', 5060)).toBe('<sip:dhorton@[::1]:5060>;expires=3600');
    expect(rewriteLocalhost('<sip:a@example.com>', '127.0.0.1', 5060)).toBe('<sip:a@example.com>');
  });

  it('sip:placeholder and SDP sniffing', () => {
    expect(isPlaceholderUri('sip:placeholder')).toBe(true);
    expect(isPlaceholderUri('sip:placeholder@x')).toBe(false);
    expect(inferContentType(Buffer.from('v=0\r\n'))).toBe('application/sdp');
    expect(inferContentType(Buffer.from('hello'))).toBeNull();
  });
});

describe('SipEndpoints', () => {
  const endpoints = new SipEndpoints([
    { transport: 'udp', address: '127.0.0.1', port: 5060 },
    { transport: 'tcp', address: '127.0.0.1', port: 5060 },
    { transport: 'udp', address: '::1', port: 5070 },
  ]);

  it('hostports (§5.1), Contact and Via', () => {
    expect(endpoints.hostports().hostports).toBe('udp/127.0.0.1:5060,tcp/127.0.0.1:5060,udp/[::1]:5070');
    const tcp = endpoints.pick('tcp')!;
    expect(endpoints.contact(tcp)).toBe('<sip:127.0.0.1:5060;transport=tcp>');
    expect(endpoints.contact(endpoints.pick('udp', '::1')!)).toBe('<sip:[::1]:5070>');
    expect(endpoints.via(tcp, 'z9hG4bKx')).toBe('SIP/2.0/TCP 127.0.0.1:5060;rport;branch=z9hG4bKx');
  });

  it('"is this address myself?" compares host and port', () => {
    expect(endpoints.isSelf('127.0.0.1', 5060)).toBe(true);
    expect(endpoints.isSelf('127.0.0.1', 5062)).toBe(false);
    expect(endpoints.isSelf('10.0.0.1', 5060)).toBe(false);
  });

  it('resolves targets: transport param, default port, names, refusals', async () => {
    expect(await endpoints.resolve('sip:a@127.0.0.1:5080;transport=tcp')).toMatchObject({ ok: true, target: { transport: 'tcp', address: '127.0.0.1', port: 5080 } });
    expect(await endpoints.resolve('sip:a@127.0.0.1')).toMatchObject({ ok: true, target: { transport: 'udp', port: 5060 } });
    expect(await endpoints.resolve('sip:a@localhost:5099')).toMatchObject({ ok: true, target: { port: 5099 } });
    expect(await endpoints.resolve('sips:a@127.0.0.1')).toEqual({ ok: false, reason: 'requested protocol/transport not available' });
    expect(await endpoints.resolve('tel:+123')).toMatchObject({ ok: false });
    expect(await endpoints.resolve('not a uri')).toMatchObject({ ok: false });
  });
});
