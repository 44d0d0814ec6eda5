import { afterEach, describe, expect, it } from 'vitest';
import { buildResponse } from '../../../src/sip/message/index.js';
import type { SipRequest } from '../../../src/sip/message/sip-message.js';
import { TransportError } from '../../../src/sip/transport/transport-error.js';
import { TransportLayer, type TransportLayerOptions } from '../../../src/sip/transport/transport-layer.js';
import type { ListenSpec, MalformedInbound } from '../../../src/sip/transport/transport.js';
import { RecordingUser, deadTcpPort, optionsRequest, optionsText, parse, tcpClient } from './transport-harness.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function layer(specs: ListenSpec[], options: TransportLayerOptions = {}) {
  const user = new RecordingUser();
  const transport = new TransportLayer(specs, user, options);
  await transport.start();
  cleanups.push(() => transport.close());
  return { transport, user };
}

async function client(port: number, address = '127.0.0.1') {
  const reader = await tcpClient(port, address);
  cleanups.push(async () => {
    reader.socket.destroy();
    await reader.closed;
  });
  return reader;
}

/** What a stack does with a malformed request it can answer: build the error response from `partial`. */
function answer(transport: TransportLayer, bad: MalformedInbound): void {
  const { partial } = bad.error;
  if (partial.kind !== 'request') return;
  const pseudo: SipRequest = { kind: 'request', method: partial.method ?? 'UNKNOWN', uri: 'sip:x', version: 'SIP/2.0', headers: partial.headers, body: Buffer.alloc(0) };
  void transport.sendResponse(buildResponse(pseudo, bad.error.status, bad.error.reason), bad).catch(() => undefined);
}

describe('TCP transport', () => {
  for (const address of ['127.0.0.1', '::1']) {
    it(`receives framed messages on ${address}, split and coalesced`, async () => {
      const { transport, user } = await layer([{ transport: 'tcp', address, port: 0 }]);
      const local = transport.listening()[0]!;
      expect(local).toMatchObject({ transport: 'tcp', address });
      const peer = await client(local.port, address);
      const a = Buffer.from(optionsText('SIP/2.0/TCP peer.example.com;branch=z9hG4bK-a', { body: 'hello\r\n\r\nworld' }));
      const b = Buffer.from(optionsText('SIP/2.0/TCP peer.example.com;branch=z9hG4bK-b'));
      const stream = Buffer.concat([a, b, a]);
      peer.socket.write(stream.subarray(0, 10));
      peer.socket.write(stream.subarray(10, a.length + 5));
      peer.socket.write(stream.subarray(a.length + 5));
      const first = await user.inbound.next();
      const second = await user.inbound.next();
      const third = await user.inbound.next();
      expect(first.message.body.toString()).toBe('hello\r\n\r\nworld');
      expect(second.message.body.length).toBe(0);
      expect(third.size).toBe(a.length);
      expect(first.connectionId).not.toBeNull();
      expect(second.connectionId).toBe(first.connectionId);
      expect(first.source).toEqual({ transport: 'tcp', address, port: peer.socket.localPort });
      expect(first.local).toEqual(local);
      expect(transport.stats()).toMatchObject({ received: 3, connections: 1, connectionsOpened: 1 });
    });
  }

  it('answers a CRLFCRLF ping with one CRLF pong (RFC 5626 §4.4.1)', async () => {
    const { transport, user } = await layer([{ transport: 'tcp', address: '127.0.0.1', port: 0 }]);
    const peer = await client(transport.listening()[0]!.port);
    peer.socket.write('\r\n\r\n');
    await peer.contains('\r\n');
    peer.socket.write(optionsText('SIP/2.0/TCP 127.0.0.1;branch=z9hG4bK-p'));
    await user.inbound.next();
    expect(peer.data.toString()).toBe('\r\n');
    expect(transport.stats()).toMatchObject({ keepAlives: 1, received: 1 });
  });

  it('reports a message without Content-Length, lets the stack answer 400, then closes (RFC 3261 §18.3)', async () => {
    const { transport, user } = await layer([{ transport: 'tcp', address: '127.0.0.1', port: 0 }]);
    user.onMalformed = (bad) => answer(transport, bad);
    const peer = await client(transport.listening()[0]!.port);
    peer.socket.write(optionsText('SIP/2.0/TCP 127.0.0.1;branch=z9hG4bK-n', { contentLength: false }));
    const bad = await user.bad.next();
    expect(bad.error).toMatchObject({ code: 'SIP_ERR_MISSING_CONTENT_LENGTH', status: 400 });
    expect(bad.connectionId).not.toBeNull();
    await peer.closed;
    await user.closedConnections.next();
    expect(peer.data.toString()).toMatch(/^SIP\/2\.0 400 Missing Content-Length\r\n/);
    expect(transport.stats()).toMatchObject({ malformed: 1, connections: 0 });
  });

  it('reports a message over the maximum size so the stack can answer 513, then closes', async () => {
    const { transport, user } = await layer([{ transport: 'tcp', address: '127.0.0.1', port: 0 }], { maxMessageSize: 4096 });
    user.onMalformed = (bad) => answer(transport, bad);
    const peer = await client(transport.listening()[0]!.port);
    peer.socket.write(optionsText('SIP/2.0/TCP 127.0.0.1;branch=z9hG4bK-big', { body: 'x'.repeat(5000) }));
    const bad = await user.bad.next();
    expect(bad.error).toMatchObject({ code: 'SIP_ERR_MESSAGE_TOO_LARGE', status: 513 });
    await peer.closed;
    expect(peer.data.toString()).toMatch(/^SIP\/2\.0 513 Message Too Large\r\n/);
  });

  it('closes a connection that sends garbage that never forms a header block', async () => {
    const { transport, user } = await layer([{ transport: 'tcp', address: '127.0.0.1', port: 0 }], { maxMessageSize: 4096 });
    const peer = await client(transport.listening()[0]!.port);
    const other = await client(transport.listening()[0]!.port);
    peer.socket.write(Buffer.alloc(5000, 0x7a));
    const bad = await user.bad.next();
    expect(bad.error.partial.kind).toBe('unknown');
    await peer.closed;
    // Other traffic is not blocked.
    other.socket.write(optionsText('SIP/2.0/TCP 127.0.0.1;branch=z9hG4bK-o'));
    expect((await user.inbound.next()).message.kind).toBe('request');
  });

  it('reports an unparseable but framed message and keeps the connection', async () => {
    const { transport, user } = await layer([{ transport: 'tcp', address: '127.0.0.1', port: 0 }]);
    const peer = await client(transport.listening()[0]!.port);
    peer.socket.write('NOT A START LINE\r\nContent-Length: 0\r\n\r\n');
    peer.socket.write(optionsText('SIP/2.0/TCP 127.0.0.1;branch=z9hG4bK-k'));
    expect((await user.bad.next()).error).toMatchObject({ status: 400, code: expect.stringMatching(/^SIP_ERR_BAD_/) });
    expect((await user.inbound.next()).message.kind).toBe('request');
    expect(transport.stats()).toMatchObject({ connections: 1 });
  });

  it('closes a silent (half-open) peer after the idle timeout', async () => {
    const { transport, user } = await layer([{ transport: 'tcp', address: '127.0.0.1', port: 0 }], { idleTimeoutMs: 150 });
    const started = performance.now();
    const peer = await client(transport.listening()[0]!.port);
    const peerPort = peer.socket.localPort;
    const closed = await user.closedConnections.next();
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(closed.remote).toEqual({ transport: 'tcp', address: '127.0.0.1', port: peerPort });
    expect(transport.stats().connections).toBe(0);
    await peer.closed;
  });

  it('closes a peer that sends a partial message, even one dribbling bytes', async () => {
    const { transport, user } = await layer([{ transport: 'tcp', address: '127.0.0.1', port: 0 }], { idleTimeoutMs: 200 });
    const peer = await client(transport.listening()[0]!.port);
    const text = optionsText('SIP/2.0/TCP 127.0.0.1;branch=z9hG4bK-slow');
    peer.socket.write(text); // one complete message: activity
    await user.inbound.next();
    const activeAt = performance.now();
    let at = 0;
    const drip = setInterval(() => {
      if (!peer.socket.destroyed) peer.socket.write(text.slice(at, ++at)); // a byte every 20 ms, never a whole message
    }, 20);
    await peer.closed;
    clearInterval(drip);
    expect(performance.now() - activeAt).toBeGreaterThanOrEqual(190);
    expect(user.inbound.all).toHaveLength(1);
  });

  it('refuses connections over the limit and counts them', async () => {
    const { transport, user } = await layer([{ transport: 'tcp', address: '127.0.0.1', port: 0 }], { maxConnections: 1 });
    const port = transport.listening()[0]!.port;
    const first = await client(port);
    first.socket.write(optionsText('SIP/2.0/TCP 127.0.0.1;branch=z9hG4bK-l1'));
    await user.inbound.next(); // the first connection is registered
    const second = await client(port);
    await second.closed;
    expect(transport.stats()).toMatchObject({ dropped: 1, connections: 1 });
  });

  it('rejects a send to a dead port with a typed error carrying the target', async () => {
    const { transport } = await layer([{ transport: 'tcp', address: '127.0.0.1', port: 0 }]);
    const port = await deadTcpPort();
    const request = optionsRequest('SIP/2.0/TCP 127.0.0.1;branch=z9hG4bK-d');
    const error = await transport.send(request, { transport: 'tcp', address: '127.0.0.1', port }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ code: 'TRANSPORT_ERR_CONNECT', target: { transport: 'tcp', address: '127.0.0.1', port } });
    expect(transport.stats()).toMatchObject({ sendErrors: 1, connections: 0 });
  });

  it('rejects sends after close with TRANSPORT_ERR_CLOSED', async () => {
    const { transport } = await layer([{ transport: 'tcp', address: '127.0.0.1', port: 0 }]);
    await transport.close();
    const request = parse(optionsText('SIP/2.0/TCP 127.0.0.1;branch=z9hG4bK-c'));
    await expect(transport.send(request, { transport: 'tcp', address: '127.0.0.1', port: 9 })).rejects.toMatchObject({ code: 'TRANSPORT_ERR_CLOSED' });
  });
});
