import { describe, expect, it } from 'vitest';
import { parseListenSpec } from '../../../src/sip/stack/listen-spec.js';
import { prepareRequest } from '../../../src/sip/stack/prepare-request.js';

describe('parseListenSpec', () => {
  it.each([
    ['udp:127.0.0.1:5060', { transport: 'udp', address: '127.0.0.1', port: 5060 }],
    ['TCP:0.0.0.0:0', { transport: 'tcp', address: '0.0.0.0', port: 0 }],
    ['tcp:[::1]:5080', { transport: 'tcp', address: '::1', port: 5080 }],
  ])('%s', (text, spec) => {
    expect(parseListenSpec(text)).toEqual(spec);
  });

  it.each(['tls:127.0.0.1:5061', 'udp:localhost:5060', 'udp:127.0.0.1', 'udp:::1:5060', 'udp:127.0.0.1:70000'])('rejects %s', (text) => {
    expect(() => parseListenSpec(text)).toThrow(/invalid listen spec/);
  });
});

describe('prepareRequest', () => {
  const base = {
    kind: 'request' as const,
    method: 'OPTIONS',
    uri: 'sip:x@127.0.0.1',
    version: 'SIP/2.0',
    headers: [
      { name: 'From', value: '<sip:a@127.0.0.1>;tag=1' },
      { name: 'Content-Length', value: '99' },
    ],
    body: Buffer.from('hello'),
  };

  it('adds a top Via with a fresh branch and rport, Max-Forwards, and a correct Content-Length', () => {
    const prepared = prepareRequest(base, { transport: 'tcp', address: '::1', port: 5070 });
    expect(prepared.headers[0]?.name).toBe('Via');
    expect(prepared.headers[0]?.value).toMatch(/^SIP\/2\.0\/TCP \[::1\]:5070;branch=z9hG4bK[0-9a-f]{20};rport$/);
    expect(prepared.headers.map((h) => h.name)).toEqual(['Via', 'From', 'Max-Forwards', 'Content-Length']);
    expect(prepared.headers.at(-1)?.value).toBe('5');
    expect(base.headers).toHaveLength(2);
  });

  it('keeps a Via and Max-Forwards the TU wrote', () => {
    const own = { ...base, headers: [{ name: 'v', value: 'SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKmine' }, { name: 'Max-Forwards', value: '5' }] };
    const prepared = prepareRequest(own, { transport: 'udp', address: '127.0.0.1', port: 5060 });
    expect(prepared.headers.map((h) => `${h.name}: ${h.value}`)).toEqual(['v: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKmine', 'Max-Forwards: 5', 'Content-Length: 5']);
  });
});
