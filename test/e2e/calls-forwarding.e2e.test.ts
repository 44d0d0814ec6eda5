/**
 * Scale-out end to end: TWO talkbridge instances (each its own embedded SIP server, drachtio-srf
 * app and HTTP API) share one real redis-server (store + instance bus). A SIPp carrier calls
 * instance A, the SIPp AI agent answers, and the commands are sent over HTTP to instance B, which
 * forwards them to A: the transfer reaches the SIPp Zendesk SIP-IN line with its headers, `?wait=true`
 * on B returns the outcome, a hangup on B ends the call on A. An owner that is gone answers 503 at once.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TalkbridgeConfigInput } from '../../src/config/config.schema.js';
import { startTalkbridge } from '../../src/main.js';
import type { Session } from '../../src/sessions/session.js';
import { ACME_KEY, callsConfig } from '../calls/helpers/calls-config.js';
import { type RedisServerHandle, startRedisServer } from '../helpers/redis-server.js';
import { freePort } from '../helpers/sipp.js';
import { aSession } from '../store/store-contract.js';
import { CallsE2E, sippPassed } from './calls-e2e-harness.js';

let redis: RedisServerHandle;
const started: CallsE2E[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
});
afterEach(async () => {
  for (const app of started.splice(0).reverse()) await app.close();
});
afterAll(async () => {
  await redis?.stop();
});

/** Instance A takes the calls; B has the same tenants (A's peer ports) and only gets HTTP commands. */
async function startPair(overrides: Partial<TalkbridgeConfigInput> = {}): Promise<{ a: CallsE2E; b: CallsE2E }> {
  const shared = { url: redis.url, keyPrefix: `t${randomUUID().slice(0, 8)}:` };
  const a = await CallsE2E.start({ ...overrides, instance: { id: 'tb-a' } }, { redis: shared });
  started.push(a);
  const b = await CallsE2E.start({ ...overrides, instance: { id: 'tb-b' } }, { redis: shared, ports: a.ports });
  started.push(b);
  return { a, b };
}

/** What the Zendesk integration does once the ticket.created webhook matched the call. */
async function stampTicket(e2e: CallsE2E, session: Session, ticketId: string): Promise<void> {
  const match = { ticketId, method: 'e164' as const, candidates: 1, ticketFirst: false, matchedAt: Date.now() };
  await e2e.sessions.stampTicket(session.id, match);
  e2e.events.ticketStamped(session.id, match);
}

async function metricsText(e2e: CallsE2E): Promise<string> {
  return (await e2e.http.inject({ method: 'GET', url: '/metrics' })).body;
}

describe('commands sent to an instance that does not own the call', () => {
  it('transfer on B: the Zendesk SIP-IN line gets the INVITE from A with every header; ?wait=true answers the outcome; a retry with the Idempotency-Key replays it', async () => {
    const { a, b } = await startPair();
    const agent = await a.peer('agent', 'uas-ai-agent-expect-headers.xml');
    const zendesk = await a.peer('zendesk', 'uas-zendesk-sip-in-expect-headers.xml');
    const carrier = a.carrier('uac-carrier-transfer-expect-reinvite-then-bye.xml', { pauseMs: 100 });
    const live = await a.session((s) => s.state === 'live' && s.contactId !== null);
    expect(live.instanceId).toBe('tb-a');
    expect(b.control.liveCalls()).toBe(0);
    await stampTicket(a, live, '98765');

    const res = await b.transfer(live.id, 'Zendesk human agent', true, { 'idempotency-key': 'retry-me-1' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ outcome: 'answered', sipStatus: 200, destinationId: 'zendesk', sessionId: live.id });

    const [carrierRun, agentRun, zendeskRun] = await Promise.all([carrier, agent.done, zendesk.done]);
    expect(...sippPassed(carrierRun, 'carrier')).toBe(0);
    expect(...sippPassed(agentRun, 'AI agent')).toBe(0);
    expect(...sippPassed(zendeskRun, 'zendesk')).toBe(0);
    expect(agentRun.messages).toMatch(/Reason: SIP ;cause=200 ;text="transferred"/);

    const retry = await b.transfer(live.id, 'zendesk', true, { 'idempotency-key': 'retry-me-1' });
    expect(retry.statusCode, retry.body).toBe(200);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.json()).toMatchObject({ id: res.json().id, outcome: 'answered' });

    const detail = await b.detail(live.id);
    expect(detail.session).toMatchObject({ state: 'ended', endReason: 'caller_hangup', ticketId: '98765' });
    expect(detail.transfers).toHaveLength(1);
    expect(detail.transfers[0].headersSent).toEqual([
      { name: 'X-OPENCX-SESSION-ID', value: live.id },
      { name: 'X-OPENCX-AGENT-ID', value: 'agent-1' },
      { name: 'X-OPENCX-TRANSFER', value: 'true' },
      { name: 'X-OPENCX-CONTACT-ID', value: live.contactId },
      { name: 'X-Zendesk-Ticket-Id', value: '98765' },
    ]);
    for (const { name, value } of detail.transfers[0].headersSent) expect(zendeskRun.messages).toContain(`${name}: ${value}`);
    expect(await metricsText(b)).toContain('talkbridge_forwarded_commands_total{command="transfer",outcome="ok"} 1');
    expect(await metricsText(a)).not.toContain('talkbridge_forwarded_commands_total{');
  });

  it('?wait=true on B waits on A for a transfer still ringing: no answer → CANCEL, outcome no_answer; the caller stays with the AI', async () => {
    const { a, b } = await startPair({ calls: { ringTimeoutSeconds: 0.3 } });
    const agent = await a.peer('agent', 'uas-ai-agent-expect-headers.xml');
    const ringing = await a.peer('noanswer', 'uas-no-answer.xml');
    const carrier = a.carrier('uac-carrier-call-then-bye.xml', { pauseMs: 2000 });
    const live = await a.session((s) => s.state === 'live');

    const res = await b.transfer(live.id, 'Nobody home');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ outcome: 'no_answer', sipStatus: 487 });
    expect(await metricsText(b)).toContain('talkbridge_forwarded_commands_total{command="wait",outcome="ok"} 1');

    const [carrierRun, agentRun, ringRun] = await Promise.all([carrier, agent.done, ringing.done]);
    expect(...sippPassed(ringRun, 'no-answer line')).toBe(0);
    expect(...sippPassed(carrierRun, 'carrier')).toBe(0);
    expect(...sippPassed(agentRun, 'AI agent')).toBe(0);
    expect(await a.session((s) => s.id === live.id && s.state === 'ended')).toMatchObject({ endReason: 'caller_hangup' });
  });

  it('hangup on B ends the call on A (BYE to the carrier and the AI agent); afterwards the ended session keeps its answers on B', async () => {
    const { a, b } = await startPair();
    const agent = await a.peer('agent', 'uas-ai-agent-expect-headers.xml');
    const carrier = a.carrier('uac-carrier-call-expect-bye.xml');
    const live = await a.session((s) => s.state === 'live');

    const res = await b.hangup(live.id);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ sessionId: live.id, state: 'ended' });
    const [carrierRun, agentRun] = await Promise.all([carrier, agent.done]);
    expect(...sippPassed(carrierRun, 'carrier')).toBe(0);
    expect(...sippPassed(agentRun, 'AI agent')).toBe(0);
    expect(await a.session((s) => s.id === live.id && s.state === 'ended')).toMatchObject({ endReason: 'hangup_command' });

    expect((await b.hangup(live.id)).json()).toEqual({ sessionId: live.id, state: 'ended' });
    const transfer = await b.transfer(live.id, 'zendesk');
    expect(transfer.statusCode).toBe(409);
    expect(transfer.json()).toMatchObject({ code: 'CALL_ERR_ENDED' });
  });

  it("another organisation's key gets 404 on B, never the owner's answer", async () => {
    const { a, b } = await startPair();
    const agent = await a.peer('agent', 'uas-ai-agent-expect-headers.xml');
    const carrier = a.carrier('uac-carrier-call-expect-bye.xml');
    const live = await a.session((s) => s.state === 'live');
    const { GLOBEX_KEY } = await import('../calls/helpers/calls-config.js');
    const other = await b.http.inject({ method: 'POST', url: `/v1/sessions/${live.id}/hangup`, headers: { authorization: `Bearer ${GLOBEX_KEY}` } });
    expect(other.statusCode).toBe(404);
    expect(other.json()).toMatchObject({ code: 'CALL_ERR_SESSION_NOT_FOUND' });
    expect((await b.hangup(live.id)).statusCode).toBe(200);
    const [carrierRun, agentRun] = await Promise.all([carrier, agent.done]);
    expect(...sippPassed(carrierRun, 'carrier')).toBe(0);
    expect(...sippPassed(agentRun, 'AI agent')).toBe(0);
  });
});

describe('the owning instance is gone', () => {
  it('A no longer listens on the bus: B answers 503 CALL_ERR_OWNER_UNREACHABLE at once, not after the forward timeout', async () => {
    const { a, b } = await startPair({ calls: { forwardTimeoutSeconds: 10 } });
    const agent = await a.peer('agent', 'uas-ai-agent-expect-headers.xml');
    const carrier = a.carrier('uac-carrier-call-expect-bye.xml');
    const live = await a.session((s) => s.state === 'live');
    await a.bus!.close(); // as when A's process is gone: nobody is subscribed to its channel

    const began = Date.now();
    const transfer = await b.transfer(live.id, 'zendesk', false);
    const hangup = await b.hangup(live.id);
    expect(Date.now() - began).toBeLessThan(1000);
    for (const res of [transfer, hangup]) {
      expect(res.statusCode, res.body).toBe(503);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.headers['retry-after']).toBe('1');
      expect(res.json()).toMatchObject({ code: 'CALL_ERR_OWNER_UNREACHABLE', detail: expect.stringContaining('instance tb-a owns this call but is not reachable') });
    }
    expect(await metricsText(b)).toContain('talkbridge_forwarded_commands_total{command="hangup",outcome="unreachable"} 1');

    // A itself still holds the call: its own API ends it.
    expect((await a.hangup(live.id)).statusCode).toBe(200);
    const [carrierRun, agentRun] = await Promise.all([carrier, agent.done]);
    expect(...sippPassed(carrierRun, 'carrier')).toBe(0);
    expect(...sippPassed(agentRun, 'AI agent')).toBe(0);
  });

  it('a live session left behind by an instance that crashed: 503 at once', async () => {
    const { b } = await startPair({ calls: { forwardTimeoutSeconds: 10 } });
    const orphan = aSession({ orgId: 'acme', instanceId: 'tb-crashed', state: 'live' });
    await b.store.sessions.create(orphan);
    const began = Date.now();
    const res = await b.transfer(orphan.id, 'zendesk', true);
    expect(Date.now() - began).toBeLessThan(1000);
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ code: 'CALL_ERR_OWNER_UNREACHABLE', detail: expect.stringContaining('tb-crashed') });
  });

  it('A shut down cleanly: its calls ended, so B keeps the ended answers (409 for a transfer, 200 for a hangup)', async () => {
    const { a, b } = await startPair();
    const agent = await a.peer('agent', 'uas-ai-agent-expect-headers.xml');
    const carrier = a.carrier('uac-carrier-call-expect-bye.xml');
    const live = await a.session((s) => s.state === 'live');
    started.splice(started.indexOf(a), 1);
    await a.close();
    const [carrierRun, agentRun] = await Promise.all([carrier, agent.done]);
    expect(...sippPassed(carrierRun, 'carrier')).toBe(0);
    expect(...sippPassed(agentRun, 'AI agent')).toBe(0);

    expect(await b.store.sessions.get(live.id)).toMatchObject({ state: 'ended', endReason: 'shutdown' });
    const transfer = await b.transfer(live.id, 'zendesk');
    expect(transfer.statusCode).toBe(409);
    expect(transfer.json()).toMatchObject({ code: 'CALL_ERR_ENDED' });
    expect((await b.hangup(live.id)).json()).toEqual({ sessionId: live.id, state: 'ended' });
  });
});

describe('composition root (startTalkbridge) with store.type redis', () => {
  it('opens the instance bus, forwards between two started instances, and close() unsubscribes', async () => {
    const keyPrefix = `t${randomUUID().slice(0, 8)}:`;
    const configOf = async (id: string) =>
      callsConfig({}, {
        instance: { id },
        http: { host: '127.0.0.1', port: 0 },
        sip: { server: { mode: 'embedded', listen: [`udp:127.0.0.1:${await freePort('udp')}`], control: { host: '127.0.0.1', port: await freePort('tcp') }, secret: 's' } },
        store: { type: 'redis', redis: { url: redis.url, keyPrefix }, secretKey: 'ab'.repeat(32) },
      });
    const logger = pino({ level: 'silent' });
    const one = await startTalkbridge({ config: await configOf('tb-1'), logger });
    const two = await startTalkbridge({ config: await configOf('tb-2'), logger });
    const admin = new Redis(redis.url);
    try {
      const orphan = aSession({ orgId: 'acme', instanceId: 'tb-2', state: 'live' });
      await one.store.sessions.create(orphan);
      const hangup = () => one.http.inject({ method: 'POST', url: `/v1/sessions/${orphan.id}/hangup`, headers: { authorization: `Bearer ${ACME_KEY}` } });
      // tb-2 got the command and answered from its own registry: it holds no such call.
      expect((await hangup()).json()).toMatchObject({ code: 'CALL_ERR_NOT_OWNED' });
      expect(await admin.pubsub('NUMSUB', `${keyPrefix}bus:tb-2`)).toEqual([`${keyPrefix}bus:tb-2`, 1]);
      await two.close();
      expect(await admin.pubsub('NUMSUB', `${keyPrefix}bus:tb-2`)).toEqual([`${keyPrefix}bus:tb-2`, 0]);
      expect((await hangup()).json()).toMatchObject({ code: 'CALL_ERR_OWNER_UNREACHABLE' });
    } finally {
      await admin.quit();
      await two.close();
      await one.close();
    }
  });
});
