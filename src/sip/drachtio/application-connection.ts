/**
 * One application's control connection (drachtio-protocol.md §1, §4, §5.1): authentication,
 * route registration, ping, and hand-off of `sip` / `proxy` commands to the SIP side.
 * Each connection is an independent session; a bad frame closes this connection only.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Socket } from 'node:net';
import type { ApplicationRouter } from './application-router.js';
import { decodeClientMessage, type ClientMessage, type ProxyCommand, type SipCommand } from './client-message.js';
import { encodeFrame, FrameDecoder, frameHeader } from './frame-decoder.js';
import {
  authenticateOk,
  authenticateRejected,
  failureResponse,
  okResponse,
  pong,
  unknownMessageType,
  type AuthenticateInfo,
} from './server-messages.js';
import type { SipLogger } from './sip-logger.js';

/** What the SIP side implements to receive application commands. */
export interface ApplicationHandler {
  sip(app: ApplicationConnection, command: SipCommand): void;
  proxy(app: ApplicationConnection, command: ProxyCommand): void;
  /** The connection is gone (socket closed for any reason); its routes are already removed. */
  disconnected(app: ApplicationConnection): void;
}

export interface ConnectionContext {
  secret: string;
  authenticateInfo(): AuthenticateInfo;
  router: ApplicationRouter<ApplicationConnection>;
  handler(): ApplicationHandler | null;
  newId(): string;
  logger: SipLogger;
  maxFrameBytes: number;
  closed(app: ApplicationConnection): void;
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

export class ApplicationConnection {
  readonly id: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
  private authenticatedFlag = false;
  private tagList: string[] = [];
  private readonly routes = new Set<string>();
  private readonly decoder: FrameDecoder;
  private open = true;
  /** The socket is corked until the end of this event-loop turn (see `send`). */
  private corked = false;
  private readonly log: SipLogger;

  constructor(
    private readonly socket: Socket,
    private readonly context: ConnectionContext,
  ) {
    this.id = context.newId();
    this.remoteAddress = socket.remoteAddress ?? '';
    this.remotePort = socket.remotePort ?? 0;
    this.decoder = new FrameDecoder(context.maxFrameBytes);
    this.log = context.logger;
    socket.setNoDelay(true);
    socket.setKeepAlive(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => this.log.debug({ app: this.id, err: error.message }, 'drachtio control socket error'));
    socket.on('close', () => this.onClose());
  }

  get authenticated(): boolean {
    return this.authenticatedFlag;
  }

  get tags(): readonly string[] {
    return this.tagList;
  }

  get verbs(): readonly string[] {
    return [...this.routes];
  }

  get connected(): boolean {
    return this.open;
  }

  /**
   * Frame and write one payload; false when the connection is already closed. Frames written in
   * one event-loop turn leave together: the socket is corked on the first one and uncorked in
   * `setImmediate` (after the poll phase), so a burst of SIP traffic costs one writev instead of
   * one write syscall per frame, and the application reads them in one chunk.
   */
  send(payload: Buffer): boolean {
    if (!this.open || this.socket.destroyed) return false;
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      setImmediate(this.uncork);
    }
    this.socket.write(frameHeader(payload.length));
    this.socket.write(payload);
    return true;
  }

  private readonly uncork = (): void => {
    this.corked = false;
    if (!this.socket.destroyed) this.socket.uncork();
  };

  /** Write an optional last payload, then close gracefully. */
  end(lastPayload?: Buffer): void {
    if (!this.open) return;
    if (lastPayload) this.socket.end(encodeFrame(lastPayload));
    else this.socket.end();
    this.stopReading();
  }

  /** Close at once. */
  destroy(): void {
    this.socket.destroy();
  }

  private stopReading(): void {
    this.open = false;
    this.socket.removeAllListeners('data');
  }

  private onData(chunk: Buffer): void {
    const { frames, error } = this.decoder.push(chunk);
    for (const frame of frames) {
      if (!this.open) return;
      this.dispatch(decodeClientMessage(frame));
    }
    if (error && this.open) {
      // drachtio-protocol.md §2: a malformed length closes the connection (this one only).
      this.log.warn({ app: this.id, code: error.code, reason: error.message }, 'malformed drachtio frame, closing connection');
      this.stopReading();
      this.socket.destroy();
    }
  }

  private dispatch(message: ClientMessage): void {
    if (!this.authenticatedFlag && message.type !== 'authenticate') {
      // Everything before a successful authenticate is a protocol violation.
      this.end(failureResponse(this.context.newId(), message.id, 'NO', 'authentication required'));
      return;
    }
    switch (message.type) {
      case 'authenticate': {
        if (!timingSafeEqual(digest(message.secret), digest(this.context.secret))) {
          this.log.warn({ app: this.id, remote: this.remoteAddress }, 'drachtio application used an incorrect secret');
          this.end(authenticateRejected(this.context.newId(), message.id));
          return;
        }
        this.authenticatedFlag = true;
        this.tagList = message.tags;
        this.send(authenticateOk(this.context.newId(), message.id, this.context.authenticateInfo()));
        this.log.info({ app: this.id, remote: `${this.remoteAddress}:${this.remotePort}` }, 'drachtio application connected');
        return;
      }
      case 'route':
        this.routes.add(message.verb);
        this.context.router.add(message.verb, this);
        this.send(okResponse(this.context.newId(), message.id));
        return;
      case 'remove_route':
        this.routes.delete(message.verb);
        this.context.router.remove(message.verb, this);
        this.send(okResponse(this.context.newId(), message.id));
        return;
      case 'ping':
        this.send(pong(this.context.newId(), message.id));
        return;
      case 'sip':
      case 'proxy':
        this.handOver(message);
        return;
      case 'unknown':
        this.log.warn({ app: this.id, type: message.rawType }, 'unknown drachtio message type, closing connection');
        this.end(unknownMessageType(this.context.newId(), message.id));
        return;
    }
  }

  private handOver(message: SipCommand | ProxyCommand): void {
    const handler = this.context.handler();
    if (!handler) {
      this.send(failureResponse(this.context.newId(), message.id, 'NOK', 'Server error: SIP stack not running'));
      return;
    }
    try {
      if (message.type === 'sip') handler.sip(this, message);
      else handler.proxy(this, message);
    } catch (error) {
      // A bug on the SIP side must not take the control connection down.
      this.log.error({ app: this.id, err: error instanceof Error ? error.stack : String(error) }, 'drachtio command handler failed');
      this.send(failureResponse(this.context.newId(), message.id, 'NOK', 'Server error: internal error'));
    }
  }

  private onClose(): void {
    this.stopReading();
    this.context.router.removeAll(this);
    this.routes.clear();
    this.context.closed(this);
    try {
      this.context.handler()?.disconnected(this);
    } catch (error) {
      this.log.error({ app: this.id, err: error instanceof Error ? error.stack : String(error) }, 'drachtio disconnect handler failed');
    }
  }
}
