/**
 * Composition root (STYLE.md habit 7): builds every part from the validated config, in order, and
 * closes them in reverse. Nothing here runs on import; `startTalkbridge()` does the work.
 *
 *   store → instance bus → embedded SIP server (unless sip.server.mode = external) →
 *   drachtio-srf connection → Zendesk integration → call control → HTTP API
 *
 * Call control talks to the SIP server only through drachtio-srf, the same way it talks to a real
 * drachtio-server in production (DESIGN.md "Processes and real parts").
 */
import Srf from 'drachtio-srf';
import { Agent } from 'undici';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { FastifyInstance } from 'fastify';
import type { TalkbridgeConfig } from './config/config.schema.js';
import { parseListenSpec } from './config/field-formats.js';
import { TenantDirectory } from './config/tenant-directory.js';
import { createCallControl, type CallControl } from './calls/create-call-control.js';
import { forwardedCommandSchemas } from './calls/forwarded-command.schema.js';
import { createHttpServer } from './http/create-http-server.js';
import { sessionsRoutes } from './http/routes/sessions-routes.js';
import { zendeskRoutes } from './http/routes/zendesk-routes.js';
import type { Logger } from './logger.js';
import { SessionEvents } from './sessions/session-events.js';
import { createEmbeddedSipServer, type EmbeddedSipServer } from './sip/server/embedded-sip-server.js';
import { createSipServerThread } from './sip/server/sip-server-thread.js';
import { openInstanceBus } from './store/open-instance-bus.js';
import { openStore } from './store/open-store.js';
import type { Store } from './store/store.js';
import { createZendeskIntegration, type ZendeskIntegration } from './zendesk/zendesk-integration.js';
import { zendeskSettingsFromConfig } from './zendesk/zendesk-settings.js';

export interface RunningTalkbridge {
  config: TalkbridgeConfig;
  store: Store;
  http: FastifyInstance;
  /** Base URL the HTTP API listens on (real port when config asked for 0). */
  httpUrl: string;
  /** The embedded SIP server, null when connected to an external drachtio-server. */
  sipServer: EmbeddedSipServer | null;
  srf: Srf;
  calls: CallControl;
  zendesk: ZendeskIntegration;
  close(): Promise<void>;
}

export interface StartOptions {
  config: TalkbridgeConfig;
  logger: Logger;
  /** How long to wait for the drachtio-srf connection before giving up (ms). */
  connectTimeoutMs?: number;
  /** The embedded SIP server's thread died (`sip.server.thread: worker`): calls are lost, stop. */
  onFatal?: (error: Error) => void;
}

/** Tracks what has started so a failure half-way closes exactly that, in reverse order. */
class Shutdown {
  private readonly steps: { name: string; run: () => Promise<unknown> | unknown }[] = [];
  constructor(private readonly logger: Logger) {}
  add(name: string, run: () => Promise<unknown> | unknown): void {
    this.steps.push({ name, run });
  }
  async run(): Promise<void> {
    for (const step of this.steps.reverse()) {
      try {
        await step.run();
      } catch (error) {
        this.logger.error({ err: error, step: step.name }, 'error while shutting down');
      }
    }
    this.steps.length = 0;
  }
}

export async function startTalkbridge(options: StartOptions): Promise<RunningTalkbridge> {
  const { config } = options;
  const logger = options.logger.child({ instance: config.instance.id });
  const shutdown = new Shutdown(logger);
  try {
    const store = await openStore(config.store, { logger });
    shutdown.add('store', () => store.close());
    // With Redis, commands for calls another instance owns are forwarded to it over pub/sub.
    const bus = await openInstanceBus({
      store,
      instanceId: config.instance.id,
      keyPrefix: config.store.redis?.keyPrefix ?? 'tb:',
      schemas: forwardedCommandSchemas,
      logger,
    });
    if (bus) shutdown.add('instance-bus', () => bus.close());

    const metrics = new Registry();
    collectDefaultMetrics({ register: metrics });
    const tenants = new TenantDirectory(config);
    const sessionEvents = new SessionEvents({
      onListenerError: (error, event) => logger.error({ err: error, event }, 'session event listener failed'),
    });

    const sipServer = await startSipServer(config, logger, options.onFatal);
    if (sipServer) shutdown.add('sip-server', () => sipServer.close());

    const { srf, connected, disconnect } = await connectSrf(config, sipServer, logger, options.connectTimeoutMs ?? 10_000);
    shutdown.add('drachtio-srf', disconnect);

    const dispatcher = new Agent({ connect: { timeout: 5_000 } });
    shutdown.add('http-client', () => dispatcher.close());
    const zendesk = createZendeskIntegration({
      store,
      events: sessionEvents,
      settings: zendeskSettingsFromConfig(config),
      dispatcher,
      logger,
      organisationNumbers: (orgId) => tenants.organisation(orgId)?.numbers.map((n) => n.number) ?? [],
      metrics,
    });
    zendesk.start();
    shutdown.add('zendesk', () => zendesk.stop());

    const calls = createCallControl({ srf, config, store, logger, sessionEvents, tenants, metrics, bus });
    calls.start();
    shutdown.add('calls', () => calls.close());

    const http = await createHttpServer({
      config,
      tenants,
      logger,
      metrics,
      readiness: [{ name: 'sip', check: async () => connected() }],
      plugins: [
        ...zendeskRoutes(zendesk),
        sessionsRoutes({ controller: calls.controller, store, transferWaitMaxSeconds: config.calls.transferWaitMaxSeconds }),
      ],
    });
    const httpUrl = await http.listen({ host: config.http.host, port: config.http.port });
    shutdown.add('http', () => http.close());
    logger.info({ httpUrl, sip: sipServer?.addresses() ?? config.sip.server }, 'talkbridge ready');

    return {
      config,
      store,
      http,
      httpUrl,
      sipServer,
      srf,
      calls,
      zendesk,
      close: () => shutdown.run(),
    };
  } catch (error) {
    await shutdown.run();
    throw error;
  }
}

async function startSipServer(config: TalkbridgeConfig, logger: Logger, onFatal?: (error: Error) => void): Promise<EmbeddedSipServer | null> {
  const server = config.sip.server;
  if (server.mode !== 'embedded') return null;
  const sip = server.listen.map((text) => {
    const spec = parseListenSpec(text);
    // The schema already refused anything else; this guards the type only.
    if (!spec) throw new Error(`sip.server.listen: "${text}" is not a listen address`);
    return { transport: spec.transport, address: spec.host, port: spec.port };
  });
  const control = { host: server.control.host, port: server.control.port, secret: server.secret };
  const sipLogger = logger.child({ component: 'sip-server' });
  const embedded =
    server.thread === 'worker'
      ? createSipServerThread({ sip, control, logger: sipLogger, logLevel: threadLogLevel(config.log.level), ...(onFatal ? { onExit: onFatal } : {}) })
      : createEmbeddedSipServer({ sip, control, logger: sipLogger });
  await embedded.start();
  return embedded;
}

/** pino level → the lowest level the SIP server thread forwards (fatal/silent: errors only). */
function threadLogLevel(level: string): 'debug' | 'info' | 'warn' | 'error' {
  if (level === 'trace' || level === 'debug') return 'debug';
  if (level === 'info' || level === 'warn') return level;
  return 'error';
}

/**
 * Connects drachtio-srf to the embedded server or to the configured external drachtio-server.
 * `connected()` follows srf's public connect/close/reconnecting events (readiness: /ready).
 */
async function connectSrf(
  config: TalkbridgeConfig,
  embedded: EmbeddedSipServer | null,
  logger: Logger,
  timeoutMs: number,
): Promise<{ srf: Srf; connected: () => boolean; disconnect: () => void }> {
  const server = config.sip.server;
  const target =
    server.mode === 'embedded' && embedded
      ? { host: embedded.addresses().control.address, port: embedded.addresses().control.port, secret: server.secret }
      : server.mode === 'external'
        ? { host: server.host, port: server.port, secret: server.secret }
        : null;
  if (!target) throw new Error('no SIP server to connect to');
  const srf = new Srf();
  const log = logger.child({ component: 'drachtio-srf', drachtio: `${target.host}:${target.port}` });
  let up = false;
  let stopping = false;
  srf.on('error', (error: Error) => log.warn({ err: error }, 'drachtio connection error'));
  srf.on('connect', (error: Error | null) => {
    up = !error;
  });
  // srf re-emits its agent's 'close' and 'reconnecting' (lib/srf.js); its typings omit them.
  const events = srf as unknown as NodeJS.EventEmitter;
  for (const event of ['close', 'reconnecting']) {
    events.on(event, () => {
      if (up && !stopping) log.warn({ event }, 'drachtio connection lost; drachtio-srf reconnects');
      up = false;
    });
  }
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      srf.disconnect();
      reject(new Error(`could not connect to the drachtio server at ${target.host}:${target.port} within ${timeoutMs} ms`));
    }, timeoutMs);
    srf.once('connect', (error: Error | null, hostport: string) => {
      clearTimeout(timer);
      if (error) {
        srf.disconnect();
        reject(new Error(`drachtio server at ${target.host}:${target.port} refused the connection: ${error.message}`));
        return;
      }
      log.info({ hostport }, 'connected to drachtio server');
      resolve();
    });
    srf.connect(target);
  });
  return {
    srf,
    connected: () => up,
    disconnect: () => {
      stopping = true;
      srf.disconnect();
    },
  };
}
