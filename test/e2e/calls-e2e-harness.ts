/**
 * End-to-end harness for call control: the real app pieces (embedded SIP server, drachtio-srf,
 * createCallControl, SQLite store, the sessions HTTP routes) on loopback with free ports, and SIPp
 * peers playing the carrier, the AI agent and the transfer destinations (sip-scenarios/calls/).
 * With `redis`, the instance uses a shared Redis store and the Redis instance bus instead, so
 * several instances can run side by side as in a scale-out deployment (the same wiring as main.ts).
 * Everything started is closed by `close()`.
 */
import { once } from 'node:events';
import Srf from 'drachtio-srf';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { createCallControl, type CallControl } from '../../src/calls/create-call-control.js';
import { forwardedCommandSchemas, type ForwardedCommand, type ForwardedReply } from '../../src/calls/forwarded-command.schema.js';
import type { TalkbridgeConfig, TalkbridgeConfigInput } from '../../src/config/config.schema.js';
import { TenantDirectory } from '../../src/config/tenant-directory.js';
import { createHttpServer } from '../../src/http/create-http-server.js';
import { sessionsRoutes } from '../../src/http/routes/sessions-routes.js';
import { SessionEvents } from '../../src/sessions/session-events.js';
import { SessionService } from '../../src/sessions/session-service.js';
import type { Session } from '../../src/sessions/session.js';
import { createEmbeddedSipServer, type EmbeddedSipServer } from '../../src/sip/server/embedded-sip-server.js';
import type { InstanceBus } from '../../src/store/instance-bus.js';
import { openInstanceBus } from '../../src/store/open-instance-bus.js';
import { openRedisStore } from '../../src/store/redis/open-redis-store.js';
import { openSqliteStore } from '../../src/store/sqlite/open-sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { ACME_KEY, callsConfig } from '../calls/helpers/calls-config.js';
import { describeSippRun, runSipp, type SippResult } from '../helpers/sipp.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { freeUdpPort, udpPortBound } from '../sip/drachtio/helpers/embedded-harness.js';

const SECRET = 'e2e-secret';

export type PeerName = 'agent' | 'zendesk' | 'busy' | 'noanswer' | 'trunk';

export interface Peer {
  port: number;
  done: Promise<SippResult>;
}

export interface CallsE2EOptions {
  /** Share this Redis (store + instance bus) instead of a private SQLite file. */
  redis?: { url: string; keyPrefix: string };
  /** Peer ports of another instance, so both instances have the same tenant config. */
  ports?: Record<PeerName, number>;
}

export class CallsE2E {
  private readonly peersStarted: Peer[] = [];

  private constructor(
    readonly server: EmbeddedSipServer,
    readonly srf: Srf,
    readonly store: Store,
    readonly bus: InstanceBus<ForwardedCommand, ForwardedReply> | null,
    readonly control: CallControl,
    readonly http: FastifyInstance,
    readonly sessions: SessionService,
    readonly events: SessionEvents,
    readonly config: TalkbridgeConfig,
    readonly ports: Record<PeerName, number>,
    private readonly cleanupDir: () => void,
  ) {}

  static async start(overrides: Partial<TalkbridgeConfigInput> = {}, options: CallsE2EOptions = {}): Promise<CallsE2E> {
    const server = createEmbeddedSipServer({
      sip: [{ transport: 'udp', address: '127.0.0.1', port: 0 }],
      control: { host: '127.0.0.1', port: 0, secret: SECRET },
    });
    await server.start();
    const ports = options.ports ?? {
      agent: await freeUdpPort(),
      zendesk: await freeUdpPort(),
      busy: await freeUdpPort(),
      noanswer: await freeUdpPort(),
      trunk: await freeUdpPort(),
    };
    const config = callsConfig(
      {
        agentUri: `sip:agent@127.0.0.1:${ports.agent}`,
        zendeskUri: `sip:line@127.0.0.1:${ports.zendesk}`,
        busyUri: `sip:busy@127.0.0.1:${ports.busy}`,
        noAnswerUri: `sip:ring@127.0.0.1:${ports.noanswer}`,
        trunkUri: `sip:127.0.0.1:${ports.trunk}`,
      },
      overrides,
    );
    const dir = makeTempDir('talkbridge-calls-e2e-');
    const store = options.redis
      ? await openRedisStore(options.redis.url, { secretKey: Buffer.alloc(32, 9), keyPrefix: options.redis.keyPrefix })
      : await openSqliteStore(dir.path);
    const logger = pino({ level: process.env.TB_LOG ?? 'silent' }).child({ instance: config.instance.id });
    const bus = await openInstanceBus({ store, instanceId: config.instance.id, keyPrefix: options.redis?.keyPrefix ?? 'tb:', schemas: forwardedCommandSchemas, logger });
    const srf = new Srf();
    const events = new SessionEvents();
    const sessions = new SessionService({ sessions: store.sessions, instanceId: config.instance.id });
    const tenants = new TenantDirectory(config);
    const metrics = new Registry();
    const control = createCallControl({ srf, config, store, logger, sessionEvents: events, sessionService: sessions, tenants, metrics, bus });
    control.start();
    srf.connect({ host: '127.0.0.1', port: server.addresses().control.port, secret: SECRET });
    const [err] = (await once(srf, 'connect')) as [Error | null];
    if (err) throw err;
    const http = await createHttpServer({
      config,
      tenants,
      logger,
      metrics,
      plugins: [sessionsRoutes({ controller: control.controller, store, transferWaitMaxSeconds: config.calls.transferWaitMaxSeconds })],
    });
    return new CallsE2E(server, srf, store, bus, control, http, sessions, events, config, ports, dir.remove);
  }

  get sipPort(): number {
    return this.server.addresses().sip[0]!.port;
  }

  /** Start a SIPp UAS peer on its configured port; resolves once it listens. */
  async peer(name: PeerName, scenario: string, extraArgs: string[] = []): Promise<Peer> {
    const port = this.ports[name];
    const done = runSipp({
      scenario: `sip-scenarios/calls/${scenario}`,
      target: { address: '127.0.0.1', port: this.sipPort },
      timeoutSeconds: 15,
      extraArgs: ['-p', String(port), ...extraArgs],
    });
    await Promise.race([
      udpPortBound(port),
      done.then((r) => {
        throw new Error(`SIPp ${scenario} exited before listening:\n${describeSippRun(r)}`);
      }),
    ]);
    const peer = { port, done };
    this.peersStarted.push(peer);
    return peer;
  }

  /** The carrier: a SIPp UAC calling `number` as `caller`; `pauseMs` is its -d. */
  carrier(scenario: string, options: { caller?: string; number?: string; pauseMs?: number } = {}): Promise<SippResult> {
    return runSipp({
      scenario: `sip-scenarios/calls/${scenario}`,
      target: { address: '127.0.0.1', port: this.sipPort },
      timeoutSeconds: 15,
      extraArgs: ['-s', options.number ?? '+15550100', '-key', 'caller', options.caller ?? '+14155551212', '-d', String(options.pauseMs ?? 0)],
    });
  }

  /** Resolves with the first session of acme in `state`, waiting on the store (readiness, no fixed sleep). */
  async session(predicate: (s: Session) => boolean, timeoutMs = 10_000): Promise<Session> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.control.idle();
      const found = (await this.store.sessions.list('acme', {})).find(predicate);
      if (found) return found;
      if (Date.now() > deadline) throw new Error('no matching session');
      await new Promise<void>((resolve) => setTimeout(resolve, 5));
    }
  }

  async transfer(sessionId: string, destination: string, wait = true, headers: Record<string, string> = {}) {
    return this.http.inject({
      method: 'POST',
      url: `/v1/sessions/${sessionId}/transfer${wait ? '?wait=true' : ''}`,
      headers: { authorization: `Bearer ${ACME_KEY}`, ...headers },
      payload: { destination },
    });
  }

  async hangup(sessionId: string) {
    return this.http.inject({ method: 'POST', url: `/v1/sessions/${sessionId}/hangup`, headers: { authorization: `Bearer ${ACME_KEY}` } });
  }

  async detail(sessionId: string) {
    await this.control.idle();
    const res = await this.http.inject({ method: 'GET', url: `/v1/sessions/${sessionId}`, headers: { authorization: `Bearer ${ACME_KEY}` } });
    return res.json();
  }

  async close(): Promise<void> {
    await this.control.close();
    await this.http.close();
    try {
      this.srf.disconnect();
    } catch {
      // already gone
    }
    await this.server.close();
    // SIPp peers end on their own -timeout; wait so no process outlives the test.
    await Promise.allSettled(this.peersStarted.map((p) => p.done));
    await this.bus?.close();
    await this.store.close();
    this.cleanupDir();
  }
}

/** Assert a SIPp run passed, with its logs in the failure message. */
export function sippPassed(result: SippResult, name: string): [number | null, string] {
  return [result.code, `${name}:\n${describeSippRun(result)}`];
}
