/**
 * RFC 3261 §18.1.1: a request over MTU − 200 bytes headed for UDP goes over TCP, with the top Via
 * rewritten, unless the transport is forced; if TCP cannot connect it goes over UDP after all.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { headerValues } from '../../../src/sip/message/index.js';
import { TransportLayer } from '../../../src/sip/transport/transport-layer.js';
import type { ListenSpec } from '../../../src/sip/transport/transport.js';
import { RecordingUser, optionsRequest, parse, tcpPeer, udpPeer } from './transport-harness.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const BOTH: ListenSpec[] = [
  { transport: 'udp', address: '127.0.0.1', port: 0 },
  { transport: 'tcp', address: '127.0.0.1', port: 0 },
];

async function layer(specs: ListenSpec[] = BOTH) {
  const transport = new TransportLayer(specs, new RecordingUser(), {});
  await transport.start();
  cleanups.push(() => transport.close());
  return transport;
}

/** A peer with UDP and TCP on the same port number (as SIP servers listen), on loopback. */
async function dualPeer(withTcp = true) {
  for (let attempt = 0; ; attempt++) {
    const udp = await udpPeer();
    if (!withTcp) {
      cleanups.push(() => udp.close());
      return { port: udp.port, udp, tcp: null };
    }
    try {
      const tcp = await tcpPeer(udp.port);
      cleanups.push(() => udp.close(), () => tcp.close());
      return { port: udp.port, udp, tcp };
    } catch (error) {
      await udp.close();
      if (attempt > 10) throw error;
    }
  }
}

const big = (uri?: string) => optionsRequest('SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-big', { body: 'v'.repeat(1400), ...(uri ? { uri } : {}) });

describe('UDP → TCP for large requests', () => {
  it('sends a request over 1300 bytes via TCP with the top Via saying TCP', async () => {
    const transport = await layer();
    const peer = await dualPeer();
    const request = big();
    const sent = await transport.send(request, { transport: 'udp', address: '127.0.0.1', port: peer.port });
    expect(sent.transport).toBe('tcp');
    expect(sent.connectionId).not.toBeNull();
    expect(headerValues(sent.message!, 'via')[0]).toBe('SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bK-big');
    expect(headerValues(request, 'via')[0]).toBe('SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-big'); // input untouched
    const reader = await peer.tcp!.accepted.next();
    await reader.contains('v'.repeat(1400));
    expect(reader.data.equals(sent.wire)).toBe(true);
    expect(parse(reader.data).kind).toBe('request');
  });

  it('keeps a request of 1300 bytes or less on UDP', async () => {
    const transport = await layer();
    const peer = await dualPeer();
    const sent = await transport.send(optionsRequest('SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK-small'), { transport: 'udp', address: '127.0.0.1', port: peer.port });
    expect(sent.transport).toBe('udp');
    expect(sent.bytes).toBeLessThanOrEqual(1300);
    await peer.udp.inbox.next();
  });

  it('stays on UDP when the target forces the transport, or the Request-URI says transport=udp', async () => {
    const transport = await layer();
    const peer = await dualPeer();
    const forced = await transport.send(big(), { transport: 'udp', address: '127.0.0.1', port: peer.port, forceTransport: true });
    expect(forced.transport).toBe('udp');
    expect((await peer.udp.inbox.next()).data.length).toBe(forced.bytes);
    const byUri = await transport.send(big('sip:bob@127.0.0.1;transport=udp'), { transport: 'udp', address: '127.0.0.1', port: peer.port });
    expect(byUri.transport).toBe('udp');
    await peer.udp.inbox.next();
  });

  it('falls back to UDP, Via unchanged, when the TCP connection is refused', async () => {
    const transport = await layer();
    const peer = await dualPeer(false);
    const request = big();
    const sent = await transport.send(request, { transport: 'udp', address: '127.0.0.1', port: peer.port });
    expect(sent.transport).toBe('udp');
    expect(sent.message).toBe(request);
    const { data } = await peer.udp.inbox.next();
    expect(data.toString()).toContain('Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-big');
    expect(transport.stats()).toMatchObject({ sent: 1, sendErrors: 0 });
  });

  it('stays on UDP when there is no TCP listener to advertise', async () => {
    const transport = await layer([{ transport: 'udp', address: '127.0.0.1', port: 0 }]);
    const peer = await dualPeer();
    const sent = await transport.send(big(), { transport: 'udp', address: '127.0.0.1', port: peer.port });
    expect(sent.transport).toBe('udp');
    await peer.udp.inbox.next();
  });
});
