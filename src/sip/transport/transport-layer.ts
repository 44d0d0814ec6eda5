/**
 * The transport layer (RFC 3261 §18): UDP and TCP listeners on IPv4/IPv6, TCP connection reuse,
 * request and response sending. Inbound bytes are framed, parsed and handed to the TransportUser;
 * nothing from the network can throw out of here.
 */
import type { Socket } from 'node:net';
import { type SipParseError, parseMessage, serializeMessage } from '../message/index.js';
import type { SipAddress, SipMessage, SipResponse } from '../message/sip-message.js';
import { type Listener, bindListener, closeListener, handlesReleased } from './bind-listener.js';
import { ConnectionTable, remoteKey } from './connection-table.js';
import { isKeepAlive } from './header-scan.js';
import { framingError } from './inbound-error.js';
import { routeResponse } from './response-route.js';
import { DEFAULT_MAX_MESSAGE_SIZE, type FramingErrorReason } from './stream-framer.js';
import { mayUseTcp, switchRequestToTcp, udpSizeLimit } from './switch-to-tcp.js';
import { TcpConnection, type TcpConnectionOwner } from './tcp-connection.js';
import { type PendingConnect, connectTcp } from './tcp-connector.js';
import { readTopVia } from './top-via.js';
import { familyOf, pickUdpListener } from './pick-udp-listener.js';
import type { ListenSpec, RequestOrigin, SendTarget, SentInfo, SipTransport, TransportUser } from './transport.js';
import { TransportError, type TransportErrorCode } from './transport-error.js';
import { type TransportLogger, silentLogger } from './transport-logger.js';

export interface TransportLayerOptions {
  /** Largest message accepted (headers + body), UDP and TCP. Default 64 KiB. */
  maxMessageSize?: number;
  /** A TCP connection without a complete message in or out for this long is closed. Default 120 s. */
  idleTimeoutMs?: number;
  /** Outbound TCP connect timeout. Default 10 s. */
  connectTimeoutMs?: number;
  /** Open plus connecting TCP connections. Default 10 000. */
  maxConnections?: number;
  /** UDP socket buffers (SO_RCVBUF / SO_SNDBUF). Default 4 MiB each. */
  udpReceiveBufferSize?: number;
  udpSendBufferSize?: number;
  /** Path MTU; requests over `mtu − 200` bytes move from UDP to TCP (RFC 3261 §18.1.1). Default 1500. */
  mtu?: number;
  /** Time a connection closed for a framing error has to flush its 400/513. Default 2 s. */
  lingerMs?: number;
  /** Bytes queued for a TCP peer beyond which it is a slow reader and is closed. Default 4 MiB. */
  maxWriteBuffer?: number;
}

export interface TransportCounters {
  /** Messages parsed and handed to `receive`. */
  received: number;
  /** Messages written to a socket. */
  sent: number;
  /** Inbound bytes reported to `malformed` (parse errors, framing errors, oversize). */
  malformed: number;
  /** Inbound traffic discarded by the transport itself (connections over the limit, user callback failures). */
  dropped: number;
  /** CRLF keep-alives received (RFC 5626 §4.4.1). */
  keepAlives: number;
  /** Sends that rejected. */
  sendErrors: number;
  /** TCP connections open now. */
  connections: number;
  /** TCP connections accepted or opened since start. */
  connectionsOpened: number;
}

export interface ConnectionInfo {
  id: string;
  direction: 'inbound' | 'outbound';
  state: 'open' | 'closing' | 'closed';
  remote: SipAddress;
  local: SipAddress;
}

/** Connect failures after which a large request goes back to UDP (RFC 3261 §18.1.1). */
const UDP_FALLBACK: ReadonlySet<TransportErrorCode> = new Set([
  'TRANSPORT_ERR_CONNECT',
  'TRANSPORT_ERR_CONNECT_TIMEOUT',
  'TRANSPORT_ERR_LIMIT',
]);

export class TransportLayer implements SipTransport {
  private readonly specs: readonly ListenSpec[];
  private readonly user: TransportUser;
  private readonly logger: TransportLogger;
  private readonly maxMessageSize: number;
  private readonly idleTimeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly maxConnections: number;
  private readonly udpReceiveBufferSize: number;
  private readonly udpSendBufferSize: number;
  private readonly udpLimit: number;
  private readonly lingerMs: number;
  private readonly maxWriteBuffer: number;
  private readonly listeners: Listener[] = [];
  private readonly table = new ConnectionTable();
  private readonly connecting = new Map<string, { pending: PendingConnect; connection: Promise<TcpConnection> }>();
  private readonly counters = { received: 0, sent: 0, malformed: 0, dropped: 0, keepAlives: 0, sendErrors: 0, connectionsOpened: 0 };
  private readonly owner: TcpConnectionOwner;
  private nextConnection = 0;
  private state: 'new' | 'started' | 'closed' = 'new';
  private closing: Promise<void> | null = null;

  constructor(specs: readonly ListenSpec[], user: TransportUser, options: TransportLayerOptions = {}, logger?: TransportLogger) {
    this.specs = specs;
    this.user = user;
    this.logger = logger ?? silentLogger;
    this.maxMessageSize = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 120_000;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.maxConnections = options.maxConnections ?? 10_000;
    this.udpReceiveBufferSize = options.udpReceiveBufferSize ?? 4 * 1024 * 1024;
    this.udpSendBufferSize = options.udpSendBufferSize ?? 4 * 1024 * 1024;
    this.udpLimit = udpSizeLimit(options.mtu ?? 1500);
    this.lingerMs = options.lingerMs ?? 2_000;
    this.maxWriteBuffer = options.maxWriteBuffer ?? 4 * 1024 * 1024;
    this.owner = {
      message: (connection, data) => this.deliver(data, connection.remote, connection.local, connection.id),
      framingError: (connection, reason, header) => this.onFramingError(connection, reason, header),
      ping: () => {
        this.counters.keepAlives++;
      },
      closed: (connection) => {
        this.table.remove(connection);
        this.logger.debug({ connectionId: connection.id, remote: connection.remote }, 'TCP connection closed');
        if (this.user.connectionClosed) this.guard(() => this.user.connectionClosed?.(connection.id, { ...connection.remote }));
      },
    };
  }

  /** Bind every listen address in order; on failure whatever was bound is released and it rejects. */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error('TransportLayer.start() called twice or after close()');
    this.state = 'started';
    const bindOptions = { udpReceiveBufferSize: this.udpReceiveBufferSize, udpSendBufferSize: this.udpSendBufferSize, logger: this.logger };
    try {
      for (const spec of this.specs) {
        const listener = await bindListener(spec, bindOptions);
        if (this.state !== 'started') {
          // close() ran while this address was being bound: release it too.
          await closeListener(listener);
          throw new TransportError('TRANSPORT_ERR_CLOSED', listener.local, 'transport closed while starting');
        }
        this.listeners.push(listener);
        this.attach(listener);
        this.logger.info({ transport: listener.transport, address: listener.local.address, port: listener.local.port }, 'SIP listening');
      }
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  listening(): SipAddress[] {
    return this.listeners.map((listener) => ({ ...listener.local }));
  }

  stats(): TransportCounters {
    return { ...this.counters, connections: this.table.size };
  }

  connections(): ConnectionInfo[] {
    return this.table.all().map((c) => ({ id: c.id, direction: c.direction, state: c.state, remote: { ...c.remote }, local: { ...c.local } }));
  }

  send(message: SipMessage, target: SendTarget): Promise<SentInfo> {
    return this.counted(this.sendRequest(message, target));
  }

  /** Send a response where RFC 3261 §18.2.2 / RFC 3581 §4 say; `request` may be the InboundMessage. */
  sendResponse(response: SipResponse, request: RequestOrigin): Promise<SentInfo> {
    return this.counted(this.routeAndSendResponse(response, request));
  }

  private async sendRequest(message: SipMessage, target: SendTarget): Promise<SentInfo> {
    const destination: SipAddress = { transport: target.transport, address: target.address, port: target.port };
    this.assertOpen(destination);
    if (target.transport === 'tcp') return this.sendTcp(message, destination, target.connectionId ?? null, false);
    const wire = serializeMessage(message);
    if (
      message.kind === 'request' &&
      wire.length > this.udpLimit &&
      !target.forceTransport &&
      mayUseTcp(message) &&
      this.hasTcpListener(familyOf(target.address))
    ) {
      // RFC 3261 §18.1.1: larger than MTU − 200 → TCP; if the connection cannot be made, retry on UDP.
      const overTcp = switchRequestToTcp(message);
      try {
        return await this.sendTcp(overTcp, { ...destination, transport: 'tcp' }, null, false);
      } catch (error) {
        if (!(error instanceof TransportError) || !UDP_FALLBACK.has(error.code)) throw error;
        this.logger.debug({ target: destination, code: error.code, bytes: wire.length }, 'TCP refused for a large request, using UDP');
      }
    }
    return this.sendUdp(message, wire, destination, undefined);
  }

  private async routeAndSendResponse(response: SipResponse, request: RequestOrigin): Promise<SentInfo> {
    this.assertOpen(request.source);
    const via = readTopVia(response);
    if (!via) throw new TransportError('TRANSPORT_ERR_NO_ROUTE', request.source, 'response has no usable top Via');
    const route = routeResponse(via, request);
    if (route.transport === 'udp') return this.sendUdp(response, serializeMessage(response), route.target, request.local);
    return this.sendTcp(response, route.fallback, route.connectionId, true);
  }

  /** Close listeners, connections, pending connects and their timers; resolves when every handle is released. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.state = 'closed';
    const waits: Promise<unknown>[] = [];
    for (const { pending } of this.connecting.values()) {
      pending.abort();
      waits.push(pending.closed);
    }
    for (const connection of this.table.all()) {
      connection.destroy();
      waits.push(connection.done);
    }
    for (const listener of this.listeners) waits.push(closeListener(listener));
    await Promise.all(waits);
    await handlesReleased();
    this.logger.info({}, 'SIP transports closed');
  }

  private attach(listener: Listener): void {
    if (listener.transport === 'udp') {
      listener.socket.on('message', (data, rinfo) => {
        if (this.state !== 'started') return;
        if (isKeepAlive(data)) {
          this.counters.keepAlives++; // RFC 5626 §4.4.1 keep-alive: ignored
          return;
        }
        this.deliver(data, { transport: 'udp', address: rinfo.address, port: rinfo.port }, listener.local, null);
      });
      listener.socket.on('error', (error) => this.logger.warn({ err: error.message, local: listener.local }, 'UDP socket error'));
    } else {
      listener.server.on('connection', (socket) => this.accept(socket, listener.local));
      listener.server.on('error', (error) => this.logger.warn({ err: error.message, local: listener.local }, 'TCP server error'));
    }
  }

  private accept(socket: Socket, local: SipAddress): void {
    if (this.state !== 'started' || this.table.size + this.connecting.size >= this.maxConnections) {
      this.counters.dropped++;
      this.logger.warn({ remote: socket.remoteAddress, port: socket.remotePort, limit: this.maxConnections }, 'TCP connection refused: limit reached');
      socket.on('error', () => undefined);
      socket.destroy();
      return;
    }
    this.adopt(socket, 'inbound', local);
  }

  private adopt(socket: Socket, direction: 'inbound' | 'outbound', local: SipAddress): TcpConnection {
    const connection = new TcpConnection(socket, this.owner, {
      id: `tcp-${++this.nextConnection}`,
      direction,
      local,
      maxMessageSize: this.maxMessageSize,
      idleTimeoutMs: this.idleTimeoutMs,
      lingerMs: this.lingerMs,
      maxWriteBuffer: this.maxWriteBuffer,
      logger: this.logger,
    });
    this.table.add(connection);
    this.counters.connectionsOpened++;
    this.logger.debug({ connectionId: connection.id, direction, remote: connection.remote }, 'TCP connection open');
    return connection;
  }

  /**
   * Parse one complete message and hand it up; bad bytes become a `malformed` report. The parser
   * enforces the size limit (513 with the headers it read) and, on a stream, Content-Length.
   */
  private deliver(data: Buffer, source: SipAddress, local: SipAddress, connectionId: string | null): void {
    const result = parseMessage(data, { maxSize: this.maxMessageSize, requireContentLength: connectionId !== null });
    if (!result.ok) {
      this.reportMalformed(result.error, source, local, connectionId);
      return;
    }
    this.counters.received++;
    const message = result.message;
    this.guard(() => this.user.receive({ message, source, local, connectionId, size: data.length }));
  }

  private onFramingError(connection: TcpConnection, reason: FramingErrorReason, header: Buffer): void {
    this.logger.debug({ connectionId: connection.id, remote: connection.remote, reason }, 'TCP stream cannot be framed, closing');
    this.reportMalformed(framingError(reason, header), connection.remote, connection.local, connection.id);
  }

  private reportMalformed(error: SipParseError, source: SipAddress, local: SipAddress, connectionId: string | null): void {
    this.counters.malformed++;
    this.logger.debug({ code: error.code, reason: error.reason, source }, 'malformed SIP message');
    this.guard(() => this.user.malformed({ error, source, local, connectionId }));
  }

  /** A throwing TransportUser must not take the socket loop down with it. */
  private guard(call: () => void): void {
    try {
      call();
    } catch (error) {
      this.counters.dropped++;
      this.logger.error({ err: (error as Error).message }, 'transport user callback threw');
    }
  }

  /**
   * TCP send: the named connection if still usable, else one open to the target, else a new one.
   * `allowClosing` lets a response go out on a connection being closed after a framing error.
   */
  private async sendTcp(message: SipMessage, target: SipAddress, connectionId: string | null, allowClosing: boolean): Promise<SentInfo> {
    const wire = serializeMessage(message);
    const named = connectionId === null ? undefined : this.table.get(connectionId);
    if (named && (named.state === 'open' || (allowClosing && named.state === 'closing'))) {
      try {
        return await this.written(named, message, wire);
      } catch (error) {
        if (!(error instanceof TransportError) || error.code !== 'TRANSPORT_ERR_CLOSED' || named.state === 'open') throw error;
        // RFC 3261 §18.2.2: the connection is gone → open a new one to received / sent-by.
      }
    }
    let connection = this.table.byRemote(target.address, target.port);
    if (!connection) {
      connection = await this.connect(target);
    }
    return this.written(connection, message, wire);
  }

  private async written(connection: TcpConnection, message: SipMessage, wire: Buffer): Promise<SentInfo> {
    await connection.write(wire, connection.remote);
    this.counters.sent++;
    return {
      transport: 'tcp',
      destination: { ...connection.remote },
      local: { ...connection.local },
      bytes: wire.length,
      wire,
      message,
      connectionId: connection.id,
    };
  }

  /** One connect per remote at a time: concurrent sends to the same target share it. */
  private connect(target: SipAddress): Promise<TcpConnection> {
    const key = remoteKey(target.address, target.port);
    const existing = this.connecting.get(key);
    if (existing) return existing.connection;
    if (this.table.size + this.connecting.size >= this.maxConnections) {
      return Promise.reject(new TransportError('TRANSPORT_ERR_LIMIT', target, `${this.maxConnections} connections`));
    }
    const pending = connectTcp(target, this.connectTimeoutMs);
    const connection = pending.promise.then((socket) => {
      if (this.state !== 'started') {
        socket.destroy();
        throw new TransportError('TRANSPORT_ERR_CLOSED', target, 'transport closed while connecting');
      }
      const local: SipAddress = { transport: 'tcp', address: socket.localAddress ?? '', port: socket.localPort ?? 0 };
      return this.adopt(socket, 'outbound', local);
    });
    this.connecting.set(key, { pending, connection });
    const forget = (): void => {
      this.connecting.delete(key);
    };
    connection.then(forget, forget);
    return connection;
  }

  private async sendUdp(message: SipMessage, wire: Buffer, target: SipAddress, local: SipAddress | undefined): Promise<SentInfo> {
    const listener = pickUdpListener(this.listeners, target.address, local, message);
    const destination: SipAddress = { transport: 'udp', address: target.address, port: target.port };
    if (!listener) throw new TransportError('TRANSPORT_ERR_NO_LISTENER', destination);
    await new Promise<void>((resolve, reject) => {
      listener.socket.send(wire, target.port, target.address, (error) => {
        if (error) {
          const code = (error as NodeJS.ErrnoException).code ?? error.message;
          reject(new TransportError('TRANSPORT_ERR_SEND', destination, code, { cause: error }));
        } else {
          resolve();
        }
      });
    });
    this.counters.sent++;
    return { transport: 'udp', destination, local: { ...listener.local }, bytes: wire.length, wire, message, connectionId: null };
  }

  private hasTcpListener(family: 4 | 6): boolean {
    return this.listeners.some((l) => l.transport === 'tcp' && familyOf(l.local.address) === family);
  }

  private assertOpen(target: SipAddress): void {
    if (this.state !== 'started') throw new TransportError('TRANSPORT_ERR_CLOSED', target, 'transport not running');
  }

  /** Count a failed send once, at the API boundary (a large request that fell back to UDP is no failure). */
  private async counted(sending: Promise<SentInfo>): Promise<SentInfo> {
    try {
      return await sending;
    } catch (error) {
      this.counters.sendErrors++;
      throw error;
    }
  }
}
