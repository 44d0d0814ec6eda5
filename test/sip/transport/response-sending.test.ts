/**
 * RFC 3261 §18.2.2 / RFC 3581 §4 on the wire: where responses go, and TCP connection reuse.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { buildResponse, headerValues } from '../../../src/sip/message/index.js';
import type { SipRequest, SipResponse } from '../../../src/sip/message/sip-message.js';
import { stampReceived } from '../../../src/sip/transport/stamp-received.js';
import { TransportLayer } from '../../../src/sip/transport/transport-layer.js';
import type { InboundMessage, ListenSpec } from '../../../src/sip/transport/transport.js';
import { RecordingUser, optionsRequest, optionsText, parse, sendUdp, tcpClient, tcpPeer, udpPeer } from './transport-harness.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function layer(specs: ListenSpec[]) {
  const user = new RecordingUser();
  const transport = new TransportLayer(specs, user, {});
  await transport.start();
  cleanups.push(() => transport.close());
  return { transport, user };
}

async function udpPeerClosed() {
  const peer = await udpPeer();
  cleanups.push(() => peer.close());
  return peer;
}

/** What the stack does: stamp the top Via (§18.2.1), then answer. */
function respond(inbound: InboundMessage, status = 200) {
  const request = stampReceived(inbound.message as SipRequest, inbound.source);
  return buildResponse(request, status, 'OK');
}

describe('response sending (RFC 3261 §18.2.2, RFC 3581 §4)', () => {
  it('UDP with rport: to the source address and port, from the socket the request arrived on', async () => {
    const { transport, user } = await layer([
      { transport: 'udp', address: '127.0.0.1', port: 0 },
      { transport: 'udp', address: '127.0.0.1', port: 0 },
    ]);
    const second = transport.listening()[1]!;
    const peer = await udpPeerClosed();
    // sent-by names a port nobody listens on: only rport gets the response back (NAT case).
    await sendUdp(peer.socket, optionsText('SIP/2.0/UDP 127.0.0.1:9;rport;branch=z9hG4bK-r1'), second.port, '127.0.0.1');
    const inbound = await user.inbound.next();
    const response = respond(inbound);
    expect(headerValues(response, 'via')[0]).toBe(`SIP/2.0/UDP 127.0.0.1:9;rport=${peer.port};branch=z9hG4bK-r1;received=127.0.0.1`);
    const sent = await transport.sendResponse(response, inbound);
    const { data, rinfo } = await peer.inbox.next();
    expect(data.equals(sent.wire)).toBe(true);
    expect(rinfo.port).toBe(second.port); // symmetric: same socket as the request
    expect(sent.local).toEqual(second);
  });

  it('UDP with received and no rport: to received, at the sent-by port', async () => {
    const { transport, user } = await layer([{ transport: 'udp', address: '127.0.0.1', port: 0 }]);
    const sender = await udpPeerClosed();
    const listener = await udpPeerClosed();
    await sendUdp(sender.socket, optionsText(`SIP/2.0/UDP pc33.example.com:${listener.port};branch=z9hG4bK-r2`), transport.listening()[0]!.port, '127.0.0.1');
    const inbound = await user.inbound.next();
    const sent = await transport.sendResponse(respond(inbound), inbound);
    expect(sent.destination).toEqual({ transport: 'udp', address: '127.0.0.1', port: listener.port });
    expect((await listener.inbox.next()).data.toString()).toMatch(/^SIP\/2\.0 200 OK/);
    expect(sender.inbox.pending).toBe(0);
  });

  it('UDP with maddr: to maddr at the sent-by port', async () => {
    const { transport, user } = await layer([{ transport: 'udp', address: '127.0.0.1', port: 0 }]);
    const sender = await udpPeerClosed();
    const listener = await udpPeerClosed();
    await sendUdp(sender.socket, optionsText(`SIP/2.0/UDP host.invalid:${listener.port};maddr=127.0.0.1;rport;branch=z9hG4bK-r3`), transport.listening()[0]!.port, '127.0.0.1');
    const inbound = await user.inbound.next();
    const sent = await transport.sendResponse(respond(inbound), inbound);
    expect(sent.destination).toEqual({ transport: 'udp', address: '127.0.0.1', port: listener.port });
    await listener.inbox.next();
  });

  it('UDP over IPv6: received without brackets, rport honoured', async () => {
    const { transport, user } = await layer([{ transport: 'udp', address: '::1', port: 0 }]);
    const peer = await udpPeer('::1');
    cleanups.push(() => peer.close());
    await sendUdp(peer.socket, optionsText('SIP/2.0/UDP [::1]:9;rport;branch=z9hG4bK-r4'), transport.listening()[0]!.port, '::1');
    const inbound = await user.inbound.next();
    const response = respond(inbound);
    expect(headerValues(response, 'via')[0]).toBe(`SIP/2.0/UDP [::1]:9;rport=${peer.port};branch=z9hG4bK-r4;received=::1`);
    const sent = await transport.sendResponse(response, inbound);
    expect(sent.destination).toEqual({ transport: 'udp', address: '::1', port: peer.port });
    await peer.inbox.next();
  });

  it('TCP: on the connection the request came on', async () => {
    const { transport, user } = await layer([{ transport: 'tcp', address: '127.0.0.1', port: 0 }]);
    const peer = await tcpClient(transport.listening()[0]!.port);
    cleanups.push(async () => {
      peer.socket.destroy();
      await peer.closed;
    });
    peer.socket.write(optionsText('SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bK-t1'));
    const inbound = await user.inbound.next();
    const sent = await transport.sendResponse(respond(inbound), inbound);
    expect(sent.connectionId).toBe(inbound.connectionId);
    await peer.contains('SIP/2.0 200 OK');
    expect(peer.data.equals(sent.wire)).toBe(true);
    expect(transport.stats().connectionsOpened).toBe(1);
  });

  it('TCP: when that connection is gone, a new one to received / sent-by port', async () => {
    const { transport, user } = await layer([{ transport: 'tcp', address: '127.0.0.1', port: 0 }]);
    const back = await tcpPeer();
    cleanups.push(() => back.close());
    const peer = await tcpClient(transport.listening()[0]!.port);
    peer.socket.write(optionsText(`SIP/2.0/TCP pc33.example.com:${back.port};branch=z9hG4bK-t2`));
    const inbound = await user.inbound.next();
    peer.socket.destroy();
    await user.closedConnections.next();
    const sent = await transport.sendResponse(respond(inbound), inbound);
    expect(sent.connectionId).not.toBe(inbound.connectionId);
    expect(sent.destination).toMatchObject({ address: '127.0.0.1', port: back.port });
    const reader = await back.accepted.next();
    await reader.contains('SIP/2.0 200 OK');
  });

  it('rejects a response without a Via with TRANSPORT_ERR_NO_ROUTE', async () => {
    const { transport } = await layer([{ transport: 'udp', address: '127.0.0.1', port: 0 }]);
    const response = parse('SIP/2.0 200 OK\r\nCall-ID: x\r\nContent-Length: 0\r\n\r\n');
    const origin = { source: { transport: 'udp' as const, address: '127.0.0.1', port: 9 }, connectionId: null };
    await expect(transport.sendResponse(response as SipResponse, origin)).rejects.toMatchObject({ code: 'TRANSPORT_ERR_NO_ROUTE' });
    expect(transport.stats().sendErrors).toBe(1);
  });
});

describe('TCP connection reuse between two transport layers', () => {
  it('a request opens one connection; the response and later requests reuse it', async () => {
    const a = await layer([{ transport: 'tcp', address: '127.0.0.1', port: 0 }]);
    const b = await layer([{ transport: 'tcp', address: '127.0.0.1', port: 0 }]);
    const aPort = a.transport.listening()[0]!.port;
    const bTarget = { transport: 'tcp' as const, address: '127.0.0.1', port: b.transport.listening()[0]!.port };

    const first = await a.transport.send(optionsRequest(`SIP/2.0/TCP 127.0.0.1:${aPort};branch=z9hG4bK-u1`), bTarget);
    const atB = await b.user.inbound.next();
    await b.transport.sendResponse(respond(atB), atB);
    const atA = await a.user.inbound.next();
    expect(atA.message.kind).toBe('response');
    expect(atA.connectionId).toBe(first.connectionId);

    const second = await a.transport.send(optionsRequest(`SIP/2.0/TCP 127.0.0.1:${aPort};branch=z9hG4bK-u2`), bTarget);
    expect(second.connectionId).toBe(first.connectionId);
    expect((await b.user.inbound.next()).connectionId).toBe(atB.connectionId);
    expect(a.transport.stats().connectionsOpened).toBe(1);
    expect(b.transport.stats().connectionsOpened).toBe(1);
    expect(a.transport.connections()).toEqual([expect.objectContaining({ direction: 'outbound', state: 'open', remote: bTarget })]);
  });

  it('concurrent sends to a new target share one connect', async () => {
    const a = await layer([{ transport: 'tcp', address: '127.0.0.1', port: 0 }]);
    const b = await layer([{ transport: 'tcp', address: '127.0.0.1', port: 0 }]);
    const bTarget = { transport: 'tcp' as const, address: '127.0.0.1', port: b.transport.listening()[0]!.port };
    const sends = [1, 2, 3].map((n) => a.transport.send(parse(optionsText(`SIP/2.0/TCP 127.0.0.1;branch=z9hG4bK-cc${n}`)), bTarget));
    const sent = await Promise.all(sends);
    expect(new Set(sent.map((s) => s.connectionId)).size).toBe(1);
    for (let i = 0; i < 3; i++) await b.user.inbound.next();
    expect(b.transport.stats().connectionsOpened).toBe(1);
  });
});
