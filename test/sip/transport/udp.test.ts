import { afterEach, describe, expect, it } from 'vitest';
import { TransportLayer } from '../../../src/sip/transport/transport-layer.js';
import { RecordingUser, optionsRequest, optionsText, parse, sendUdp, udpPeer } from './transport-harness.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function layer(specs: ConstructorParameters<typeof TransportLayer>[0], options: ConstructorParameters<typeof TransportLayer>[2] = {}) {
  const user = new RecordingUser();
  const transport = new TransportLayer(specs, user, options);
  await transport.start();
  cleanups.push(() => transport.close());
  return { transport, user };
}

describe('UDP transport', () => {
  for (const address of ['127.0.0.1', '::1']) {
    it(`receives a datagram as one message on ${address} and reports the real port`, async () => {
      const { transport, user } = await layer([{ transport: 'udp', address, port: 0 }]);
      const [local] = transport.listening();
      expect(local?.transport).toBe('udp');
      expect(local?.address).toBe(address); // no brackets for IPv6
      expect(local?.port).toBeGreaterThan(0);
      const peer = await udpPeer(address);
      cleanups.push(() => peer.close());
      await sendUdp(peer.socket, optionsText(`SIP/2.0/UDP peer.example.com:${peer.port};branch=z9hG4bK-1`), local!.port, address);
      const inbound = await user.inbound.next();
      expect(inbound.message.kind).toBe('request');
      expect(inbound.source).toEqual({ transport: 'udp', address, port: peer.port });
      expect(inbound.local).toEqual(local);
      expect(inbound.connectionId).toBeNull();
      expect(transport.stats()).toMatchObject({ received: 1, malformed: 0 });
    });

    it(`sends a request to ${address} with the exact wire bytes in SentInfo`, async () => {
      const { transport } = await layer([{ transport: 'udp', address, port: 0 }]);
      const peer = await udpPeer(address);
      cleanups.push(() => peer.close());
      const request = optionsRequest(`SIP/2.0/UDP ${address.includes(':') ? `[${address}]` : address}:5060;branch=z9hG4bK-2`);
      const sent = await transport.send(request, { transport: 'udp', address, port: peer.port });
      const { data, rinfo } = await peer.inbox.next();
      expect(data.equals(sent.wire)).toBe(true);
      expect(sent).toMatchObject({ transport: 'udp', destination: { address, port: peer.port }, bytes: data.length, connectionId: null });
      expect(rinfo.port).toBe(transport.listening()[0]?.port);
      expect(sent.message).toBe(request);
    });
  }

  it('sets a large receive buffer on its sockets', async () => {
    const { transport } = await layer([{ transport: 'udp', address: '127.0.0.1', port: 0 }], { udpReceiveBufferSize: 1 << 20 });
    // The sockets are internal; Linux reports twice the size set (capped by net.core.rmem_max), and
    // its default is 212 992, so anything above the default shows the option took effect.
    const sockets = (transport as unknown as { listeners: { socket: import('node:dgram').Socket }[] }).listeners;
    expect(sockets[0]?.socket.getRecvBufferSize()).toBeGreaterThan(212_992);
  });

  it('ignores CRLF keep-alive datagrams silently (RFC 5626 §4.4.1)', async () => {
    const { transport, user } = await layer([{ transport: 'udp', address: '127.0.0.1', port: 0 }]);
    const port = transport.listening()[0]!.port;
    const peer = await udpPeer();
    cleanups.push(() => peer.close());
    await sendUdp(peer.socket, '\r\n\r\n', port, '127.0.0.1');
    await sendUdp(peer.socket, '\r\n', port, '127.0.0.1');
    await sendUdp(peer.socket, optionsText('SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK-3'), port, '127.0.0.1');
    await user.inbound.next();
    expect(user.bad.all).toHaveLength(0);
    expect(transport.stats()).toMatchObject({ keepAlives: 2, received: 1, malformed: 0 });
  });

  it('reports malformed datagrams and keeps serving the next ones', async () => {
    const { transport, user } = await layer([{ transport: 'udp', address: '127.0.0.1', port: 0 }], { maxMessageSize: 2000 });
    const port = transport.listening()[0]!.port;
    const peer = await udpPeer();
    cleanups.push(() => peer.close());
    await sendUdp(peer.socket, Buffer.from([0xff, 0x00, 0x13, 0x37]), port, '127.0.0.1');
    const garbage = await user.bad.next();
    expect(garbage.error.partial.kind).toBe('unknown');
    expect(garbage.source.port).toBe(peer.port);

    // Over the maximum size: 513 with the headers the stack needs to answer (RFC 3261 §21.5.14).
    await sendUdp(peer.socket, optionsText('SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK-4', { body: 'x'.repeat(3000) }), port, '127.0.0.1');
    const large = await user.bad.next();
    expect(large.error).toMatchObject({ code: 'SIP_ERR_MESSAGE_TOO_LARGE', status: 513 });
    expect(large.error.partial.headers.some((h) => h.name === 'Via')).toBe(true);

    await sendUdp(peer.socket, optionsText('SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK-5'), port, '127.0.0.1');
    expect((await user.inbound.next()).message.kind).toBe('request');
    expect(transport.stats()).toMatchObject({ malformed: 2, received: 1 });
  });

  it('survives a TransportUser that throws, counting the drop', async () => {
    const { transport, user } = await layer([{ transport: 'udp', address: '127.0.0.1', port: 0 }]);
    const port = transport.listening()[0]!.port;
    const peer = await udpPeer();
    cleanups.push(() => peer.close());
    user.onReceive = () => {
      throw new Error('boom');
    };
    await sendUdp(peer.socket, optionsText('SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK-6'), port, '127.0.0.1');
    await user.inbound.next();
    user.onReceive = null;
    await sendUdp(peer.socket, optionsText('SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK-7'), port, '127.0.0.1');
    await user.inbound.next();
    expect(transport.stats()).toMatchObject({ received: 2, dropped: 1 });
  });

  it('listens on several addresses and sends from the listener of the right family', async () => {
    const { transport } = await layer([
      { transport: 'udp', address: '127.0.0.1', port: 0 },
      { transport: 'udp', address: '::1', port: 0 },
    ]);
    const [v4, v6] = transport.listening();
    expect(v4?.address).toBe('127.0.0.1');
    expect(v6?.address).toBe('::1');
    const peer6 = await udpPeer('::1');
    cleanups.push(() => peer6.close());
    const sent = await transport.send(parse(optionsText('SIP/2.0/UDP [::1];branch=z9hG4bK-8')), { transport: 'udp', address: '::1', port: peer6.port });
    const { rinfo } = await peer6.inbox.next();
    expect(rinfo.port).toBe(v6?.port);
    expect(sent.local).toEqual(v6);
  });
});
