/**
 * Forwarding of call commands, failure by failure, as the HTTP client sees it: call control wired
 * as main.ts wires it (fake srf, real Redis store and Redis instance bus on a real redis-server)
 * behind the real sessions routes. The owner is played by another instance, a silent subscriber, or
 * a handler whose controller throws.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCallControl, type CallControl } from '../../src/calls/create-call-control.js';
import { forwardedCommandHandler } from '../../src/calls/forwarded-command-handler.js';
import { forwardedCommandSchemas, type ForwardedCommand, type ForwardedReply } from '../../src/calls/forwarded-command.schema.js';
import type { TalkbridgeConfigInput } from '../../src/config/config.schema.js';
import { TenantDirectory } from '../../src/config/tenant-directory.js';
import { TalkbridgeError } from '../../src/errors.js';
import { createHttpServer } from '../../src/http/create-http-server.js';
import { sessionsRoutes } from '../../src/http/routes/sessions-routes.js';
import { createLogger } from '../../src/logger.js';
import type { InstanceBus } from '../../src/store/instance-bus.js';
import { openInstanceBus } from '../../src/store/open-instance-bus.js';
import { openRedisStore, type RedisStore } from '../../src/store/redis/open-redis-store.js';
import { LogTap } from '../helpers/log-tap.js';
import { type RedisServerHandle, startRedisServer } from '../helpers/redis-server.js';
import { aSession } from '../store/store-contract.js';
import { ACME_KEY, callsConfig } from './helpers/calls-config.js';
import { FakeSrf } from './helpers/fake-srf.js';

type Bus = InstanceBus<ForwardedCommand, ForwardedReply>;

interface Instance {
  id: string;
  bus: Bus;
  control: CallControl;
  http: FastifyInstance;
  metrics: Registry;
  logs: string[];
  /** Resolves with the first log line (raw JSON) containing every `part` (bounded; no sleeps). */
  logLine(...parts: string[]): Promise<string>;
}

let server: RedisServerHandle;
let store: RedisStore;
let prefix: string;
const closers: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  server = await startRedisServer();
});
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});
afterAll(async () => {
  await server?.stop();
});

async function openStore(): Promise<void> {
  prefix = `t${randomUUID().slice(0, 8)}:`;
  store = await openRedisStore(server.url, { secretKey: Buffer.alloc(32, 5), keyPrefix: prefix });
  closers.push(() => store.close());
}

async function openBus(id: string, logger = createLogger({ level: 'silent' })): Promise<Bus> {
  const bus = await openInstanceBus({ store, instanceId: id, keyPrefix: prefix, schemas: forwardedCommandSchemas, logger });
  if (!bus) throw new Error('a Redis store opens a Redis instance bus');
  closers.push(() => bus.close());
  return bus;
}

/** One talkbridge instance on the shared store; `bus: 'local'` = as with SQLite (no forwarding). */
async function instance(id: string, options: { bus?: 'local'; calls?: TalkbridgeConfigInput['calls'] } = {}): Promise<Instance> {
  const tap = new LogTap();
  const logs = tap.texts;
  const logLine = (...parts: string[]): Promise<string> => tap.text(parts);
  const logger = createLogger({ level: 'debug', destination: tap.stream });
  const config = callsConfig({}, { instance: { id }, calls: { forwardTimeoutSeconds: 0.3, ...options.calls } });
  const bus = options.bus === 'local' ? undefined : await openBus(id, logger);
  const metrics = new Registry();
  const tenants = new TenantDirectory(config);
  const control = createCallControl({ srf: new FakeSrf(), config, store, logger, metrics, tenants, ...(bus ? { bus } : {}) });
  control.start();
  closers.push(() => control.close());
  const http = await createHttpServer({
    config,
    tenants,
    logger,
    metrics,
    plugins: [sessionsRoutes({ controller: control.controller, store, transferWaitMaxSeconds: config.calls.transferWaitMaxSeconds })],
  });
  closers.push(() => http.close());
  return { id, bus: bus as Bus, control, http, metrics, logs, logLine };
}

/** A live acme session whose legs are on `owner` (as that instance would have stored it). */
async function liveSessionOf(owner: string): Promise<string> {
  const session = aSession({ orgId: 'acme', agentId: 'agent-1', instanceId: owner, state: 'live' });
  await store.sessions.create(session);
  return session.id;
}

function post(app: FastifyInstance, url: string, payload?: object) {
  return app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${ACME_KEY}` }, ...(payload ? { payload } : {}) });
}

async function counter(i: Instance, command: string, outcome: string): Promise<number> {
  const metric = await i.metrics.getSingleMetric('talkbridge_forwarded_commands_total')?.get();
  return metric?.values.find((v) => v.labels.command === command && v.labels.outcome === outcome)?.value ?? 0;
}

describe('forwarding failures seen over HTTP', () => {
  it('owner subscribed but silent: 504 CALL_ERR_OWNER_TIMEOUT after calls.forwardTimeoutSeconds; its late reply is dropped', async () => {
    await openStore();
    const b = await instance('tb-b');
    const silent = new Redis(server.url);
    closers.push(() => silent.quit());
    const request = new Promise<{ id: string }>((resolve) => silent.once('message', (_c: string, m: string) => resolve(JSON.parse(m))));
    await silent.subscribe(`${prefix}bus:tb-a`);
    const sessionId = await liveSessionOf('tb-a');

    const began = Date.now();
    const res = await post(b.http, `/v1/sessions/${sessionId}/hangup`);
    expect(Date.now() - began).toBeGreaterThanOrEqual(290);
    expect(res.statusCode, res.body).toBe(504);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ code: 'CALL_ERR_OWNER_TIMEOUT', status: 504, detail: expect.stringContaining('instance tb-a owns this call and did not answer within 300 ms') });
    expect(await counter(b, 'hangup', 'timeout')).toBe(1);
    const logged = b.logs.map((l) => JSON.parse(l)).find((l) => l.msg === 'command could not be forwarded to the owning instance');
    expect(logged).toMatchObject({ sessionId, command: 'hangup', fromInstance: 'tb-b', toInstance: 'tb-a', outcome: 'timeout' });

    const { id } = await request;
    const late = { v: 1, type: 'reply', id, from: 'tb-a', to: 'tb-b', body: { kind: 'hangup', result: { ok: true, value: { sessionId, state: 'ended' } } } };
    // (the silent peer's connection is in subscriber mode: publish over another one)
    expect(await store.redis.publish(`${prefix}bus:tb-b`, JSON.stringify(late))).toBe(1);
    await b.logLine('late or unknown instance bus reply dropped', id);
    // B still works, and the late reply changed nothing.
    const again = await post(b.http, `/v1/sessions/${await liveSessionOf('tb-gone')}/hangup`);
    expect(again.json()).toMatchObject({ code: 'CALL_ERR_OWNER_UNREACHABLE' });
    expect(await store.sessions.get(sessionId)).toMatchObject({ state: 'live' });
  });

  it("the owner's controller threw: the client gets the owner's error code (503 STORE_ERR_UNAVAILABLE, 500 API_ERR_INTERNAL)", async () => {
    await openStore();
    const b = await instance('tb-b');
    const owner = await openBus('tb-a');
    let failure: Error = new TalkbridgeError('STORE_ERR_UNAVAILABLE', 'Redis is read-only');
    const throwing = async (): Promise<never> => {
      throw failure;
    };
    owner.serve(
      forwardedCommandHandler({
        local: { transfer: throwing, hangup: throwing, waitForTransfer: throwing },
        instanceId: 'tb-a',
        maxWaitMs: 1000,
        logger: createLogger({ level: 'silent' }),
      }),
    );
    const sessionId = await liveSessionOf('tb-a');
    const res = await post(b.http, `/v1/sessions/${sessionId}/transfer`, { destination: 'zendesk' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ code: 'STORE_ERR_UNAVAILABLE', detail: 'Redis is read-only' });

    failure = new Error('secret internals');
    const internal = await post(b.http, `/v1/sessions/${sessionId}/hangup`);
    expect(internal.statusCode).toBe(500);
    expect(internal.json()).toMatchObject({ code: 'API_ERR_INTERNAL' });
    expect(internal.body).not.toContain('secret internals');
    expect(await counter(b, 'transfer', 'failed')).toBe(1);
  });

  it("the owner's own refusal reaches the client unchanged (A holds no call for it: CALL_ERR_NOT_OWNED)", async () => {
    await openStore();
    const a = await instance('tb-a');
    const b = await instance('tb-b');
    // A holds no call for this session (e.g. it restarted): A answers "not owned", B passes that on.
    const sessionId = await liveSessionOf('tb-a');
    const res = await post(b.http, `/v1/sessions/${sessionId}/transfer`, { destination: 'zendesk' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ code: 'CALL_ERR_NOT_OWNED' });
    expect(await counter(b, 'transfer', 'refused')).toBe(1);
    expect(await counter(a, 'transfer', 'refused')).toBe(0);
    await a.logLine('forwarded command executed', 'CALL_ERR_NOT_OWNED', sessionId);
  });

  it('a forwarded command is carried out locally only: the owner never forwards it on, whatever the session says', async () => {
    await openStore();
    const a = await instance('tb-a');
    const c = await instance('tb-c');
    const requester = await openBus('tb-b');
    // The session names C, but the command was addressed to A: A answers from its own registry.
    const sessionId = await liveSessionOf('tb-c');
    const outcome = await requester.request('tb-a', { command: 'hangup', orgId: 'acme', sessionId }, 2000);
    expect(outcome).toMatchObject({ ok: true, reply: { kind: 'hangup', result: { ok: false, error: { code: 'CALL_ERR_NOT_OWNED' } } } });
    expect(await a.metrics.getSingleMetric('talkbridge_forwarded_commands_total')?.get()).toMatchObject({ values: [] });
    expect(c.logs.some((l) => l.includes('forwarded command executed'))).toBe(false);
  });

  it('another organisation is refused by the owner too (404), so a forged request learns nothing', async () => {
    await openStore();
    await instance('tb-a');
    const requester = await openBus('tb-b');
    const sessionId = await liveSessionOf('tb-a');
    const outcome = await requester.request('tb-a', { command: 'hangup', orgId: 'globex', sessionId }, 2000);
    expect(outcome).toMatchObject({ ok: true, reply: { kind: 'hangup', result: { ok: false, error: { code: 'CALL_ERR_SESSION_NOT_FOUND' } } } });
  });

  it('waiting for a transfer whose owner is gone returns it as stored at once (the route answers 202), not an error', async () => {
    await openStore();
    const b = await instance('tb-b');
    const sessionId = await liveSessionOf('tb-gone');
    const transfer = {
      id: 'trf_pending1', sessionId, orgId: 'acme', destinationId: 'zendesk', destinationType: 'sip' as const, target: 'sip:line@127.0.0.1:5997',
      state: 'dialing' as const, sipStatus: null, reason: null, fromSent: null, headersSent: [], idempotencyKey: null, createdAt: 1, completedAt: null,
    };
    await store.transfers.create(transfer);
    const began = Date.now();
    expect(await b.control.controller.waitForTransfer(transfer.id, 5000)).toMatchObject({ id: transfer.id, state: 'dialing' });
    expect(Date.now() - began).toBeLessThan(1000);
    expect(await counter(b, 'wait', 'unreachable')).toBe(1);
  });

  it('without a bus (single instance, as with SQLite) the answer stays 503 CALL_ERR_NOT_OWNED', async () => {
    await openStore();
    const b = await instance('tb-b', { bus: 'local' });
    const sessionId = await liveSessionOf('tb-a');
    const res = await post(b.http, `/v1/sessions/${sessionId}/hangup`);
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ code: 'CALL_ERR_NOT_OWNED' });
    expect(await b.metrics.getSingleMetric('talkbridge_forwarded_commands_total')?.get()).toMatchObject({ values: [] });
  });
});
