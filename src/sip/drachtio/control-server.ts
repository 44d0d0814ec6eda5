/**
 * The TCP control listener drachtio-srf applications connect to (`srf.connect({host, port,
 * secret})`, drachtio-protocol.md §1). Owns the connections and the route table; the SIP side
 * plugs in through `ApplicationHandler` and picks applications with `pick(method)`.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { ApplicationConnection, type ApplicationHandler } from './application-connection.js';
import { ApplicationRouter } from './application-router.js';
import { DEFAULT_MAX_FRAME_BYTES } from './frame-decoder.js';
import type { AuthenticateInfo } from './server-messages.js';
import { silentLogger, type SipLogger } from './sip-logger.js';

/** Reported in the authenticate reply; ≥ v0.8.2 so srf pings when asked to (§4 ping). */
export const DEFAULT_SERVER_VERSION = 'v0.9.4';

export interface ControlServerOptions {
  /** Listen address (IPv4 or IPv6 literal) and port (0 = pick a free one). */
  host: string;
  port: number;
  secret: string;
  /** SIP endpoints to report on authenticate; called for every authentication. */
  endpoints: () => Omit<AuthenticateInfo, 'version'>;
  version?: string;
  maxFrameBytes?: number;
  logger?: SipLogger;
  handler?: ApplicationHandler;
  newId?: () => string;
}

export class ControlServer {
  readonly router = new ApplicationRouter<ApplicationConnection>();
  private readonly server: Server;
  private readonly connections = new Set<ApplicationConnection>();
  private handler: ApplicationHandler | null;
  private readonly log: SipLogger;
  private readonly newId: () => string;

  constructor(private readonly options: ControlServerOptions) {
    this.handler = options.handler ?? null;
    this.log = options.logger ?? silentLogger;
    this.newId = options.newId ?? randomUUID;
    this.server = createServer((socket) => this.accept(socket));
  }

  /** Plug in (or replace) the SIP side. */
  setHandler(handler: ApplicationHandler): void {
    this.handler = handler;
  }

  async listen(): Promise<{ address: string; port: number }> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.server.on('error', (error) => this.log.error({ err: error.message }, 'drachtio control listener error'));
    const bound = this.address();
    this.log.info(bound, 'drachtio control listener ready');
    return bound;
  }

  address(): { address: string; port: number } {
    const bound = this.server.address();
    if (bound === null || typeof bound === 'string') throw new Error('control server is not listening');
    return { address: bound.address, port: bound.port };
  }

  /** Authenticated applications currently connected. */
  applications(): ApplicationConnection[] {
    return [...this.connections].filter((app) => app.authenticated && app.connected);
  }

  /** Next application routed for `method` (round robin), or null (§8.12: the caller answers 503). */
  pick(method: string): ApplicationConnection | null {
    return this.router.pick(method);
  }

  /** Every application routed for `verb` (CDR events go to all of them, §5.5). */
  subscribers(verb: string): readonly ApplicationConnection[] {
    return this.router.subscribers(verb);
  }

  send(app: ApplicationConnection, payload: Buffer): boolean {
    return app.send(payload);
  }

  /** Stop listening and drop every connection. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => {
      if (!this.server.listening) resolve();
      else this.server.close(() => resolve());
    });
    for (const app of this.connections) app.destroy();
    await closed;
  }

  private accept(socket: Socket): void {
    const app = new ApplicationConnection(socket, {
      secret: this.options.secret,
      authenticateInfo: () => ({ ...this.options.endpoints(), version: this.options.version ?? DEFAULT_SERVER_VERSION }),
      router: this.router,
      handler: () => this.handler,
      newId: this.newId,
      logger: this.log,
      maxFrameBytes: this.options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
      closed: (gone) => this.connections.delete(gone),
    });
    this.connections.add(app);
  }
}
