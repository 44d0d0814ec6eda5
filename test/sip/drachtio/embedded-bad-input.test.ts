/**
 * Issue 3 "Bad input" on the embedded server: a request that cannot be parsed in full is still
 * answered from the headers that could be read — above all a request whose headers alone exceed
 * the maximum message size gets 513 Message Too Large (RFC 3261 §21.5.14), over UDP and TCP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getHeader } from '../../../src/sip/message/index.js';
import type { SipResponse } from '../../../src/sip/message/sip-message.js';
import { SipPeer, sipRequest } from '../stack/sip-peer.js';
import { EmbeddedHarness } from './helpers/embedded-harness.js';

let harness: EmbeddedHarness;
const peers: SipPeer[] = [];

beforeAll(async () => {
  harness = await EmbeddedHarness.start({
    sip: [
      { transport: 'udp', address: '127.0.0.1', port: 0 },
      { transport: 'tcp', address: '127.0.0.1', port: 0 },
    ],
    transport: { maxMessageSize: 600 },
  });
});

afterAll(async () => {
  for (const peer of peers.splice(0)) await peer.close();
  await harness.close();
});

const headerFlood = (branch: string) => sipRequest('OPTIONS', { branch, extra: Array.from({ length: 40 }, (_, i) => `X-Pad-${i}: ${'p'.repeat(40)}`) });

async function peer(transport: 'udp' | 'tcp'): Promise<SipPeer> {
  const address = harness.server.addresses().sip.find((a) => a.transport === transport)!;
  const p = transport === 'udp' ? await SipPeer.udp(address) : await SipPeer.tcp(address);
  peers.push(p);
  return p;
}

describe('requests the server cannot parse in full', () => {
  for (const transport of ['udp', 'tcp'] as const) {
    it(`headers alone over the maximum size → 513 over ${transport.toUpperCase()}`, async () => {
      const p = await peer(transport);
      p.send(headerFlood(`z9hG4bK-flood-${transport}`));
      const res = (await p.nth(0)) as SipResponse;
      expect([res.status, res.reason]).toEqual([513, 'Message Too Large']);
      expect(getHeader(res, 'CSeq')).toBe('1 OPTIONS');
      expect(getHeader(res, 'Via')).toContain(`branch=z9hG4bK-flood-${transport}`);
      expect(getHeader(res, 'To')).toMatch(/;tag=/);
    });
  }

  it('a request with a broken header line → 400 naming the defect; a malformed ACK gets nothing', async () => {
    const p = await peer('udp');
    p.send(sipRequest('ACK', { branch: 'z9hG4bK-bad-ack', extra: ['Broken header line'] }));
    p.send(sipRequest('OPTIONS', { branch: 'z9hG4bK-bad-line', extra: ['Broken header line'] }));
    const res = (await p.nth(0)) as SipResponse;
    expect(res.status).toBe(400);
    expect(getHeader(res, 'Via')).toContain('branch=z9hG4bK-bad-line');
  });
});
