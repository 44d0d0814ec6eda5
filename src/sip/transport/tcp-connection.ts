/**
 * One TCP connection: a socket, its stream framer, and its idle timer.
 *
 * The idle timer is refreshed only by a complete message (in or out) or a keep-alive ping, never by
 * a lone byte: a peer that goes silent, dies without a FIN (half-open), or dribbles a partial
 * message is closed `idleTimeoutMs` after its last complete message.
 */
import type { Socket } from 'node:net';
import type { SipAddress } from '../message/sip-message.js';
import { type FramingErrorReason, StreamFramer } from './stream-framer.js';
import { TransportError } from './transport-error.js';
import type { TransportLogger } from './transport-logger.js';

export interface TcpConnectionOwner {
  message(connection: TcpConnection, data: Buffer): void;
  /** The stream cannot be framed any more; the connection closes right after this returns. */
  framingError(connection: TcpConnection, reason: FramingErrorReason, header: Buffer): void;
  ping(connection: TcpConnection): void;
  closed(connection: TcpConnection): void;
}

export interface TcpConnectionOptions {
  id: string;
  direction: 'inbound' | 'outbound';
  /** The listener address for an inbound connection, the socket's own address for an outbound one. */
  local: SipAddress;
  maxMessageSize: number;
  idleTimeoutMs: number;
  /** How long a connection being closed after a framing error may take to flush its answer. */
  lingerMs: number;
  /** Bytes queued in user space beyond which the peer is a slow reader and the connection closes. */
  maxWriteBuffer: number;
  logger: TransportLogger;
}

const PONG = Buffer.from('\r\n', 'latin1');

export type TcpConnectionState = 'open' | 'closing' | 'closed';

export class TcpConnection {
  readonly id: string;
  readonly direction: 'inbound' | 'outbound';
  readonly remote: SipAddress;
  readonly local: SipAddress;
  private readonly socket: Socket;
  private readonly framer: StreamFramer;
  private readonly owner: TcpConnectionOwner;
  private readonly options: TcpConnectionOptions;
  private readonly idleTimer: NodeJS.Timeout;
  private lingerTimer: NodeJS.Timeout | null = null;
  private stateValue: TcpConnectionState = 'open';
  private resolveDone!: () => void;
  /** Settles once the socket is fully closed (its handle released). */
  readonly done: Promise<void> = new Promise((resolve) => {
    this.resolveDone = resolve;
  });

  constructor(socket: Socket, owner: TcpConnectionOwner, options: TcpConnectionOptions) {
    this.socket = socket;
    this.owner = owner;
    this.options = options;
    this.id = options.id;
    this.direction = options.direction;
    this.local = options.local;
    this.remote = { transport: 'tcp', address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 };
    this.framer = new StreamFramer({ maxMessageSize: options.maxMessageSize });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      options.logger.debug({ connectionId: this.id, code: error.code, err: error.message }, 'tcp connection error');
    });
    socket.on('close', () => this.onClose());
    // A FIN from the peer: nothing more will arrive; finish our writes and close (no half-open state).
    socket.on('end', () => this.closeGracefully());
    this.idleTimer = setTimeout(() => this.onIdle(), options.idleTimeoutMs);
  }

  get state(): TcpConnectionState {
    return this.stateValue;
  }

  /** Bytes of an unfinished inbound message. */
  get buffered(): number {
    return this.framer.buffered;
  }

  /**
   * Queue bytes; resolves once the socket took them. Allowed while `closing` so the stack can still
   * answer a message that broke the framing (400/513) before the connection goes.
   */
  write(data: Buffer, target: SipAddress): Promise<void> {
    if (this.stateValue === 'closed' || this.socket.destroyed || !this.socket.writable) {
      return Promise.reject(new TransportError('TRANSPORT_ERR_CLOSED', target, `connection ${this.id}`));
    }
    if (this.socket.writableLength + data.length > this.options.maxWriteBuffer) {
      this.options.logger.warn({ connectionId: this.id, queued: this.socket.writableLength }, 'tcp peer reads too slowly, closing');
      this.destroy();
      return Promise.reject(new TransportError('TRANSPORT_ERR_CLOSED', target, `connection ${this.id}: peer reads too slowly`));
    }
    this.touch();
    return new Promise((resolve, reject) => {
      this.socket.write(data, (error) => {
        if (error) reject(new TransportError('TRANSPORT_ERR_CLOSED', target, `connection ${this.id}: ${error.message}`, { cause: error }));
        else resolve();
      });
    });
  }

  /** Activity that keeps the connection alive (RFC 5626 §4.4.1 keep-alives count). */
  touch(): void {
    if (this.stateValue === 'open') this.idleTimer.refresh();
  }

  /** Stop reading, flush what is queued, send FIN; destroy after `lingerMs` at the latest. */
  closeGracefully(): void {
    if (this.stateValue !== 'open') return;
    this.stateValue = 'closing';
    clearTimeout(this.idleTimer);
    this.socket.removeAllListeners('data');
    this.socket.pause();
    this.lingerTimer = setTimeout(() => this.destroy(), this.options.lingerMs);
    // Let a response written synchronously (or in a microtask) by the malformed() callback go first.
    setImmediate(() => {
      if (this.socket.destroyed) return;
      this.socket.end(() => this.destroy());
    });
  }

  /** Close now, dropping whatever is queued. */
  destroy(): void {
    if (this.stateValue === 'closed') return;
    this.stateValue = 'closing';
    this.socket.destroy();
    clearTimeout(this.idleTimer);
  }

  private onData(chunk: Buffer): void {
    if (this.stateValue !== 'open') return;
    for (const event of this.framer.push(chunk)) {
      switch (event.type) {
        case 'message':
          this.touch();
          this.owner.message(this, event.data);
          break;
        case 'ping':
          // RFC 5626 §4.4.1: a CRLFCRLF ping is answered with a single CRLF pong.
          this.touch();
          if (this.socket.writable) this.socket.write(PONG);
          this.owner.ping(this);
          break;
        case 'error':
          this.owner.framingError(this, event.reason, event.header);
          this.closeGracefully();
          return;
      }
      if (this.stateValue !== 'open') return; // the owner closed it from a callback
    }
  }

  private onIdle(): void {
    this.options.logger.debug(
      { connectionId: this.id, remote: this.remote, buffered: this.framer.buffered },
      'tcp connection idle, closing',
    );
    this.destroy();
  }

  private onClose(): void {
    this.stateValue = 'closed';
    clearTimeout(this.idleTimer);
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.lingerTimer = null;
    this.owner.closed(this);
    this.resolveDone();
  }
}
