/**
 * The embedded drachtio-compatible SIP server: SIP transports, transaction layer, dialogs and the
 * drachtio control listener, composed in one object with start/close. Any drachtio-srf
 * application connects to it with `srf.connect({host, port, secret})`.
 */
import type { TimerScheduler } from '../dialog/retransmit-runner.js';
import type { SipAddress } from '../message/sip-message.js';
import { ControlServer } from '../drachtio/control-server.js';
import { DrachtioBridge } from '../drachtio/drachtio-bridge.js';
import { SipEndpoints } from '../drachtio/sip-endpoints.js';
import { silentLogger, type SipLogger } from '../drachtio/sip-logger.js';
import { WireTap } from '../drachtio/wire-tap.js';
import { TransactionLayer } from '../transaction/transaction-layer.js';
import { DEFAULT_TIMER_SETTINGS, type TimerSettings } from '../transaction/timer-values.js';
import { TransportLayer, type TransportLayerOptions } from '../transport/transport-layer.js';
import type { InboundMessage, ListenSpec, MalformedInbound } from '../transport/transport.js';

export interface EmbeddedSipServerOptions {
  /** SIP listeners, e.g. `{transport: 'udp', address: '127.0.0.1', port: 5060}` (port 0 = any free). */
  sip: ListenSpec[];
  /** drachtio control listener. */
  control: { host: string; port: number; secret: string };
  /** Reported to applications instead of the bound address (authenticate hostports). */
  externalAddress?: string;
  /** Version string in the authenticate reply (must look like vX.Y.Z). */
  version?: string;
  timers?: Partial<TimerSettings>;
  transport?: TransportLayerOptions;
  logger?: SipLogger;
  /** Clock for the dialog-level timers (2xx and reliable-1xx retransmission). */
  scheduler?: TimerScheduler;
}

export interface EmbeddedSipServer {
  start(): Promise<void>;
  close(): Promise<void>;
  addresses(): { sip: SipAddress[]; control: { address: string; port: number } };
  /**
   * Connected (authenticated) applications; live dialogs; requests waiting for an application
   * (inbound) or for a network response (outbound); requests being proxied; and transactions still
   * alive in the transaction layer (they outlive the call by their RFC 3261 timers, e.g. 64×T1).
   */
  stats(): { applications: number; dialogs: number; inbound: number; outbound: number; proxies: number; transactions: number };
}

export function createEmbeddedSipServer(options: EmbeddedSipServerOptions): EmbeddedSipServer {
  const logger = options.logger ?? silentLogger;
  let bridge: DrachtioBridge | null = null;
  let transactions: TransactionLayer | null = null;
  let control: ControlServer | null = null;
  let endpoints: SipEndpoints | null = null;
  const transport = new TransportLayer(
    options.sip,
    {
      receive: (inbound: InboundMessage) => bridge?.receive(inbound),
      malformed: (inbound: MalformedInbound) => bridge?.malformed(inbound),
    },
    options.transport ?? {},
    logger,
  );

  return {
    async start() {
      await transport.start();
      endpoints = new SipEndpoints(transport.listening(), options.externalAddress ?? null);
      const tap = new WireTap(transport);
      const timers = { ...DEFAULT_TIMER_SETTINGS, ...options.timers };
      transactions = new TransactionLayer({ transport: tap, timers, logger });
      const ready = endpoints;
      control = new ControlServer({
        host: options.control.host,
        port: options.control.port,
        secret: options.control.secret,
        endpoints: () => ready.hostports(),
        logger,
        ...(options.version ? { version: options.version } : {}),
      });
      bridge = new DrachtioBridge({
        router: control,
        transactions,
        tap,
        endpoints: ready,
        timers: { t1: timers.t1, t2: timers.t2 },
        logger,
        ...(options.scheduler ? { scheduler: options.scheduler } : {}),
      });
      control.setHandler(bridge);
      try {
        await control.listen();
      } catch (error) {
        await transport.close();
        throw error;
      }
    },
    async close() {
      await control?.close();
      bridge?.close();
      transactions?.close();
      await transport.close();
    },
    stats() {
      const bridged = bridge?.stats() ?? { dialogs: 0, inbound: 0, outbound: 0, proxies: 0 };
      const live = transactions?.size ?? { server: 0, client: 0 };
      return { applications: control?.applications().length ?? 0, ...bridged, transactions: live.server + live.client };
    },
    addresses() {
      if (!control || !endpoints) throw new Error('embedded SIP server not started');
      return { sip: [...endpoints.all], control: control.address() };
    },
  };
}
