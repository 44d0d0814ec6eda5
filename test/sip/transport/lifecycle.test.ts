/**
 * Start/stop: listen on several addresses with port 0, and close() releases every handle.
 */
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { TransportError } from '../../../src/sip/transport/transport-error.js';
import { TransportLayer, type TransportLogger } from '../../../src/sip/transport/index.js';
import type { ListenSpec } from '../../../src/sip/transport/transport.js';
import { RecordingUser, activeResources, deadTcpPort, leakedResources, optionsText, parse, sendUdp, tcpClient, tcpPeer, udpPeer } from './transport-harness.js';

const ALL: ListenSpec[] = [
  { transport: 'udp', address: '127.0.0.1', port: 0 },
  { transport: 'tcp', address: '127.0.0.1', port: 0 },
  { transport: 'udp', address: '::1', port: 0 },
  { transport: 'tcp', address: '::1', port: 0 },
];

describe('TransportLayer lifecycle', () => {
  it('binds UDP and TCP on IPv4 and IPv6 and reports the real ports in listen order', async () => {
    const transport = new TransportLayer(ALL, new RecordingUser());
    expect(transport.listening()).toEqual([]);
    await transport.start();
    const bound = transport.listening();
    expect(bound.map((b) => [b.transport, b.address])).toEqual(ALL.map((s) => [s.transport, s.address]));
    for (const b of bound) expect(b.port).toBeGreaterThan(0);
    await transport.close();
  });

  it('logs through a pino logger given to the constructor', async () => {
    const lines: string[] = [];
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => lines.push(chunk.toString()));
    const logger: TransportLogger = pino({ level: 'info' }, stream);
    const transport = new TransportLayer([{ transport: 'udp', address: '127.0.0.1', port: 0 }], new RecordingUser(), {}, logger);
    await transport.start();
    await transport.close();
    const messages = lines.map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(messages).toEqual(['SIP listening', 'SIP transports closed']);
    stream.destroy();
  });

  it('rejects start() with TRANSPORT_ERR_LISTEN and releases what it bound when an address is taken', async () => {
    const taken = await tcpPeer();
    const before = activeResources();
    const transport = new TransportLayer(
      [
        { transport: 'udp', address: '127.0.0.1', port: 0 },
        { transport: 'tcp', address: '127.0.0.1', port: taken.port },
      ],
      new RecordingUser(),
    );
    const error = await transport.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ code: 'TRANSPORT_ERR_LISTEN', target: { port: taken.port } });
    expect(leakedResources(before, activeResources())).toEqual([]);
    await taken.close();
  });

  it('leaves no handle or timer behind after close(), whatever was going on', async () => {
    const before = activeResources();
    const user = new RecordingUser();
    const transport = new TransportLayer(ALL, user, { idleTimeoutMs: 60_000, connectTimeoutMs: 60_000 });
    await transport.start();
    const [udp4, tcp4, , tcp6] = transport.listening();

    // UDP traffic in and out.
    const udpPeer4 = await udpPeer();
    await sendUdp(udpPeer4.socket, optionsText('SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK-l1'), udp4!.port, '127.0.0.1');
    await user.inbound.next();
    // Inbound TCP connections, one holding a partial message (a pending idle timer and buffer).
    const in4 = await tcpClient(tcp4!.port);
    in4.socket.write(optionsText('SIP/2.0/TCP 127.0.0.1;branch=z9hG4bK-l2'));
    await user.inbound.next();
    const in6 = await tcpClient(tcp6!.port, '::1');
    in6.socket.write('OPTIONS sip:partial');
    // An outbound TCP connection.
    const remote = await tcpPeer();
    await transport.send(parse(optionsText('SIP/2.0/TCP 127.0.0.1;branch=z9hG4bK-l3')), { transport: 'tcp', address: '127.0.0.1', port: remote.port });
    await remote.accepted.next();
    // A failed connect.
    const dead = await deadTcpPort();
    await expect(transport.send(parse(optionsText('SIP/2.0/TCP 127.0.0.1;branch=z9hG4bK-l4')), { transport: 'tcp', address: '127.0.0.1', port: dead })).rejects.toBeInstanceOf(TransportError);
    expect(transport.stats().connections).toBe(3);

    await transport.close();
    await transport.close(); // idempotent
    expect(transport.stats().connections).toBe(0);
    await Promise.all([in4.closed, in6.closed]);
    await udpPeer4.close();
    await remote.close();
    expect(leakedResources(before, activeResources())).toEqual([]);
  });

  it('close() during a pending connect rejects the send with TRANSPORT_ERR_CLOSED', async () => {
    const transport = new TransportLayer([{ transport: 'tcp', address: '127.0.0.1', port: 0 }], new RecordingUser());
    await transport.start();
    const remote = await tcpPeer();
    const sending = transport.send(parse(optionsText('SIP/2.0/TCP 127.0.0.1;branch=z9hG4bK-l5')), { transport: 'tcp', address: '127.0.0.1', port: remote.port });
    const closing = transport.close();
    await expect(sending).rejects.toMatchObject({ code: 'TRANSPORT_ERR_CLOSED' });
    await closing;
    await remote.close();
  });

  it('emits no unhandled errors when peers reset connections', async () => {
    const user = new RecordingUser();
    const transport = new TransportLayer([{ transport: 'tcp', address: '127.0.0.1', port: 0 }], user);
    await transport.start();
    const peer = await tcpClient(transport.listening()[0]!.port);
    peer.socket.write('INVITE sip:x SIP/2.0\r\nContent-Len');
    peer.socket.resetAndDestroy();
    await once(peer.socket, 'close');
    await user.closedConnections.next();
    await transport.close();
  });
});
