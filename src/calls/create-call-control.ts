/**
 * Composition of call control for main.ts: `createCallControl({...}).start()` routes INVITEs from
 * drachtio-srf to the inbound handler; `controller` serves the HTTP commands; `close()` refuses new
 * calls, ends the live ones and waits for their records to be written. Nothing starts on import.
 */
import type Srf from 'drachtio-srf';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { TalkbridgeConfig } from '../config/config.schema.js';
import { TenantDirectory } from '../config/tenant-directory.js';
import type { SessionEvents } from '../sessions/session-events.js';
import { SessionService } from '../sessions/session-service.js';
import type { InstanceBus } from '../store/instance-bus.js';
import type { Store } from '../store/store.js';
import { toCallClock, type CallClock } from './call-clock.js';
import { CallController, type CallControllerPort } from './call-controller.js';
import { CallMetrics } from './call-metrics.js';
import { CallRegistry } from './call-registry.js';
import { CallTeardown } from './call-teardown.js';
import { DialledNumberIndex } from './dialled-number.js';
import { forwardedCommandHandler } from './forwarded-command-handler.js';
import type { ForwardedCommand, ForwardedReply } from './forwarded-command.schema.js';
import { ForwardingCallController } from './forwarding-call-controller.js';
import { InboundCallHandler } from './inbound-call-handler.js';
import { RateLimiter } from './rate-limiter.js';
import { SessionRecorder } from './session-recorder.js';
import { asSrfPort, callIdOf, type InboundRequest, type OutboundResponse, type SrfPort } from './srf-port.js';
import { TicketWaiter } from './ticket-waiter.js';
import { TransferRunner } from './transfer-runner.js';

export interface CallControlOptions {
  /** A drachtio-srf instance (connected by the caller), or anything shaped like `SrfPort`. */
  srf: Srf | SrfPort;
  config: TalkbridgeConfig;
  store: Store;
  logger: Logger;
  /** Shared with the Zendesk integration: `opened` is reported, `onTicketStamped` ends ticket waits early. */
  sessionEvents?: Partial<Pick<SessionEvents, 'opened' | 'onTicketStamped'>>;
  /** Built from `config` when not given. */
  tenants?: TenantDirectory;
  /** Built on `store.sessions` when not given. */
  sessionService?: SessionService;
  /** Prometheus registry to register the call metrics on. */
  metrics?: Registry;
  clock?: Partial<CallClock> & { now(): number };
  /**
   * Reaches the other instances sharing the store: commands for calls they own are forwarded to
   * them, and theirs for calls owned here are served (from `start()`). Owned and closed by the
   * caller. None (a single instance): the HTTP routes command the local controller directly.
   */
  bus?: InstanceBus<ForwardedCommand, ForwardedReply> | null;
}

export interface CallControl {
  /** What the HTTP routes command: the local controller, forwarding to the owning instance when needed. */
  controller: CallControllerPort;
  /** Calls owned by this instance right now. */
  liveCalls(): number;
  start(): void;
  close(): Promise<void>;
  /** Resolves when every store write issued so far is done (tests, shutdown). */
  idle(): Promise<void>;
}

/** How long a PSTN transfer may be held back to respect the trunk's calls/s. */
const MAX_TRUNK_WAIT_MS = 2000;
/** After CANCEL, wait this long for the 487 before reporting the transfer outcome anyway. */
const CANCEL_GRACE_MS = 2000;
/** Re-read interval while a transfer waits for the Zendesk ticket without a notification. */
const TICKET_POLL_MS = 50;

export function createCallControl(options: CallControlOptions): CallControl {
  const { config, store } = options;
  const logger = options.logger.child({ component: 'calls' });
  const srf = asSrfPort(options.srf);
  const clock = toCallClock(options.clock ?? { now: () => Date.now() });
  const events = options.sessionEvents ?? {};
  const tenants = options.tenants ?? new TenantDirectory(config);
  const sessions = options.sessionService ?? new SessionService({ sessions: store.sessions, instanceId: config.instance.id, now: () => clock.now() });
  const metrics = new CallMetrics(options.metrics);
  const registry = new CallRegistry();
  const recorder = new SessionRecorder(sessions, store, logger);
  const teardown = new CallTeardown(registry, recorder, metrics);
  const rateLimiter = new RateLimiter(() => clock.now());
  const controller = new CallController({ tenants, store, registry, recorder, teardown, clock });
  const forwardingLog = options.logger.child({ component: 'forwarding' });
  const bus = options.bus ?? null;
  const forwarding = bus
    ? new ForwardingCallController({
        local: controller,
        store,
        bus,
        instanceId: config.instance.id,
        forwardTimeoutMs: config.calls.forwardTimeoutSeconds * 1000,
        metrics,
        logger: forwardingLog,
        now: () => clock.now(),
      })
    : null;
  const ticketWaiter = new TicketWaiter(store.sessions, store.zendesk, events, clock, {
    waitMs: config.calls.ticketWaitSeconds * 1000,
    matchWindowMs: config.zendesk.ticketMatchWindowSeconds * 1000,
    pollMs: TICKET_POLL_MS,
  });
  controller.attachRunner(
    new TransferRunner({
      srf,
      tenants,
      store,
      recorder,
      ticketWaiter,
      rateLimiter,
      metrics,
      clock,
      relayHooks: controller,
      ringTimeoutMs: config.calls.ringTimeoutSeconds * 1000,
      cancelGraceMs: CANCEL_GRACE_MS,
      maxTrunkWaitMs: MAX_TRUNK_WAIT_MS,
      onSettled: (call, transfer) => controller.transferSettled(call, transfer),
    }),
  );
  const numbers = new DialledNumberIndex(tenants);
  const inbound = new InboundCallHandler({
    srf,
    directory: { carrierForSource: (address) => tenants.carrierForSource(address), route: (user) => numbers.route(user) },
    calls: config.calls,
    sessions,
    store,
    registry,
    recorder,
    teardown,
    relayHooks: controller,
    rateLimiter,
    metrics,
    events,
    clock,
    logger,
  });

  let started = false;
  let closing = false;
  const onInvite = (req: InboundRequest, res: OutboundResponse): void => {
    if (closing) {
      // RFC 3261 §21.5.4: shutting down, try another instance.
      res.send(503, { headers: { 'Retry-After': String(config.calls.retryAfterSeconds) } });
      return;
    }
    inbound.handle(req, res).catch((error: unknown) => {
      logger.error({ err: error, callId: callIdOf(req) }, 'inbound call handling failed');
      if (!res.finalResponseSent) res.send(500);
    });
  };

  return {
    controller: forwarding ?? controller,
    liveCalls: () => registry.size,
    start() {
      if (started) return;
      started = true;
      // Forwarded commands run on the local controller only: never forwarded again (no loop).
      bus?.serve(
        forwardedCommandHandler({
          local: controller,
          instanceId: config.instance.id,
          maxWaitMs: config.calls.transferWaitMaxSeconds * 1000,
          logger: forwardingLog,
        }),
      );
      srf.invite(onInvite);
    },
    async close() {
      closing = true;
      for (const call of registry.all()) teardown.end(call, 'shutdown');
      await recorder.idle();
    },
    idle: () => recorder.idle(),
  };
}
