/**
 * Test helpers for the transport layer: a recording TransportUser, raw peers on loopback, and
 * event waits (no fixed sleeps).
 */
import { type Socket as UdpSocket, createSocket, type RemoteInfo } from 'node:dgram';
import { once } from 'node:events';
import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';
import { parseMessage } from '../../../src/sip/message/index.js';
import type { SipAddress, SipMessage, SipRequest } from '../../../src/sip/message/sip-message.js';
import type { InboundMessage, MalformedInbound, TransportUser } from '../../../src/sip/transport/transport.js';

/** FIFO of values with an awaitable `next()`. */
export class Inbox<T> {
  private readonly items: T[] = [];
  private readonly waiters: ((item: T) => void)[] = [];
  readonly all: T[] = [];

  push(item: T): void {
    this.all.push(item);
    const waiter = this.waiters.shift();
    if (waiter) waiter(item);
    else this.items.push(item);
  }

  next(): Promise<T> {
    const item = this.items.shift();
    if (item !== undefined) return Promise.resolve(item);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  get pending(): number {
    return this.items.length;
  }
}

export class RecordingUser implements TransportUser {
  readonly inbound = new Inbox<InboundMessage>();
  readonly bad = new Inbox<MalformedInbound>();
  readonly closedConnections = new Inbox<{ connectionId: string; remote: SipAddress }>();
  onReceive: ((inbound: InboundMessage) => void) | null = null;
  onMalformed: ((inbound: MalformedInbound) => void) | null = null;

  receive(inbound: InboundMessage): void {
    this.inbound.push(inbound);
    this.onReceive?.(inbound);
  }

  malformed(inbound: MalformedInbound): void {
    this.bad.push(inbound);
    this.onMalformed?.(inbound);
  }

  connectionClosed(connectionId: string, remote: SipAddress): void {
    this.closedConnections.push({ connectionId, remote });
  }
}

export function parse(data: Buffer | string): SipMessage {
  const result = parseMessage(Buffer.isBuffer(data) ? data : Buffer.from(data, 'utf8'));
  if (!result.ok) throw new Error(`test message does not parse: ${result.error.reason}`);
  return result.message;
}

let sequence = 0;

/** An OPTIONS request text with CRLF line ends; `via` is the whole top Via value. */
export function optionsText(via: string, options: { body?: string; uri?: string; extra?: string[]; contentLength?: boolean } = {}): string {
  const body = options.body ?? '';
  const n = ++sequence;
  const lines = [
    `OPTIONS ${options.uri ?? 'sip:bob@127.0.0.1'} SIP/2.0`,
    `Via: ${via}`,
    'Max-Forwards: 70',
    `From: <sip:alice@example.com>;tag=a${n}`,
    'To: <sip:bob@example.com>',
    `Call-ID: call-${n}@test`,
    `CSeq: ${n} OPTIONS`,
    ...(options.extra ?? []),
    ...(options.contentLength === false ? [] : [`Content-Length: ${Buffer.byteLength(body)}`]),
    '',
    body,
  ];
  return lines.join('\r\n');
}

export function optionsRequest(via: string, options: Parameters<typeof optionsText>[1] = {}): SipRequest {
  return parse(optionsText(via, options)) as SipRequest;
}

/** A raw UDP peer on loopback collecting datagrams. */
export async function udpPeer(address = '127.0.0.1'): Promise<{ socket: UdpSocket; port: number; inbox: Inbox<{ data: Buffer; rinfo: RemoteInfo }>; close(): Promise<void> }> {
  const socket = createSocket(address.includes(':') ? 'udp6' : 'udp4');
  const inbox = new Inbox<{ data: Buffer; rinfo: RemoteInfo }>();
  socket.on('message', (data, rinfo) => inbox.push({ data, rinfo }));
  socket.bind(0, address);
  await once(socket, 'listening');
  return {
    socket,
    port: socket.address().port,
    inbox,
    close: async () => {
      await new Promise<void>((resolve) => socket.close(() => resolve()));
      await handlesReleased();
    },
  };
}

export function sendUdp(socket: UdpSocket, data: Buffer | string, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => socket.send(data, port, address, (error) => (error ? reject(error) : resolve())));
}

/** Reads a TCP socket into one growing buffer; `until(n)` waits until n bytes arrived. */
export class StreamReader {
  data = Buffer.alloc(0);
  private readonly waiters: { test: () => boolean; resolve: () => void }[] = [];
  readonly closed: Promise<void>;

  constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.data = Buffer.concat([this.data, chunk]);
      this.check();
    });
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  /** Resolves when the stream holds `text`. */
  contains(text: string): Promise<void> {
    return this.wait(() => this.data.includes(text));
  }

  private wait(test: () => boolean): Promise<void> {
    if (test()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ test, resolve }));
  }

  private check(): void {
    for (const waiter of [...this.waiters]) {
      if (waiter.test()) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  }
}

export async function tcpClient(port: number, address = '127.0.0.1'): Promise<StreamReader> {
  const socket = connect({ port, host: address });
  await once(socket, 'connect');
  return new StreamReader(socket);
}

/** A raw TCP server on loopback handing out a StreamReader per accepted connection. */
export async function tcpPeer(port = 0, address = '127.0.0.1'): Promise<{ server: Server; port: number; accepted: Inbox<StreamReader>; close(): Promise<void> }> {
  const accepted = new Inbox<StreamReader>();
  const readers: StreamReader[] = [];
  const server = createServer((socket) => {
    const reader = new StreamReader(socket);
    readers.push(reader);
    accepted.push(reader);
  });
  server.listen(port, address);
  await once(server, 'listening');
  return {
    server,
    port: (server.address() as AddressInfo).port,
    accepted,
    close: async () => {
      for (const reader of readers) reader.socket.destroy();
      await Promise.all(readers.map((r) => r.closed));
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await handlesReleased();
    },
  };
}

/** libuv releases a closed handle in the loop's close phase, after the 'close' event: wait for it. */
export async function handlesReleased(): Promise<void> {
  for (let i = 0; i < 2; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** A port nobody listens on (bound, read, released). */
export async function deadTcpPort(address = '127.0.0.1'): Promise<number> {
  const server = createServer();
  server.listen(0, address);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await handlesReleased();
  return port;
}

/** Handle kinds that keep the event loop alive, counted by type. */
export function activeResources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}

/** Resource kinds with more instances in `after` than in `before`. */
export function leakedResources(before: Map<string, number>, after: Map<string, number>): string[] {
  const leaked: string[] = [];
  for (const [kind, count] of after) if (count > (before.get(kind) ?? 0)) leaked.push(`${kind} +${count - (before.get(kind) ?? 0)}`);
  return leaked;
}
