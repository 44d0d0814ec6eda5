/**
 * Inbound calls end to end: SIPp carrier → embedded SIP server → drachtio-srf → call control →
 * SIPp AI agent, with the session checked in the store.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { TalkbridgeConfigInput } from '../../src/config/config.schema.js';
import { CallsE2E, sippPassed } from './calls-e2e-harness.js';

let app: CallsE2E | null = null;
async function start(overrides: Partial<TalkbridgeConfigInput> = {}): Promise<CallsE2E> {
  app = await CallsE2E.start(overrides);
  return app;
}
afterEach(async () => {
  await app?.close();
  app = null;
});

describe('carrier → talkbridge → AI agent', () => {
  it('caller with a number: the AI agent gets the session headers; caller BYE ends both legs', async () => {
    const e2e = await start();
    const agent = await e2e.peer('agent', 'uas-ai-agent-expect-headers.xml');
    const carrier = await e2e.carrier('uac-carrier-call-then-bye.xml', { pauseMs: 100 });
    const agentRun = await agent.done;
    expect(...sippPassed(carrier, 'carrier')).toBe(0);
    expect(...sippPassed(agentRun, 'agent')).toBe(0);
    const session = await e2e.session((s) => s.state === 'ended');
    expect(session).toMatchObject({ callerPhone: '+14155551212', anonymous: false, endReason: 'caller_hangup', dialledNumber: '+15550100' });
    expect(session.contactId).toMatch(/^ctc_/);
    expect(agentRun.messages).toContain(`X-OPENCX-SESSION-ID: ${session.id}`);
    expect(agentRun.messages).toMatch(/From: <sip:\+14155551212@127\.0\.0\.1/);
  });

  it('P-Asserted-Identity from a trusted carrier gives the caller number', async () => {
    const e2e = await start();
    const agent = await e2e.peer('agent', 'uas-ai-agent-expect-headers.xml');
    const carrier = await e2e.carrier('uac-carrier-pai-then-bye.xml', { caller: '+14155550000' });
    expect(...sippPassed(carrier, 'carrier')).toBe(0);
    expect(...sippPassed(await agent.done, 'agent')).toBe(0);
    expect(await e2e.session((s) => s.state === 'ended')).toMatchObject({ callerPhone: '+14155550000', anonymous: false });
  });

  it('P-Asserted-Identity from an untrusted carrier is ignored (From anonymous → anonymous)', async () => {
    const e2e = await start({
      carriers: [{ id: 'carrier-a', allowedSources: ['127.0.0.1/32'], trustPai: false, trunk: 'sip:127.0.0.1:5999' }],
    });
    const agent = await e2e.peer('agent', 'uas-ai-agent-expect-headers.xml');
    const carrier = await e2e.carrier('uac-carrier-pai-then-bye.xml', { caller: '+14155550000' });
    expect(...sippPassed(carrier, 'carrier')).toBe(0);
    expect(...sippPassed(await agent.done, 'agent')).toBe(0);
    expect(await e2e.session((s) => s.state === 'ended')).toMatchObject({ callerPhone: null, anonymous: true });
  });

  it('anonymous caller (Privacy: id): session anonymous, agent sees an anonymous From', async () => {
    const e2e = await start();
    const agent = await e2e.peer('agent', 'uas-ai-agent-expect-headers.xml');
    const carrier = await e2e.carrier('uac-carrier-anonymous-then-bye.xml');
    const agentRun = await agent.done;
    expect(...sippPassed(carrier, 'carrier')).toBe(0);
    expect(...sippPassed(agentRun, 'agent')).toBe(0);
    expect(await e2e.session((s) => s.state === 'ended')).toMatchObject({ callerPhone: null, anonymous: true });
    expect(agentRun.messages).toContain('From: "Anonymous" <sip:anonymous@anonymous.invalid>');
  });

  it('a hold re-INVITE from the caller passes through to the AI agent and its answer back', async () => {
    const e2e = await start();
    const agent = await e2e.peer('agent', 'uas-ai-agent-expect-headers.xml');
    const carrier = await e2e.carrier('uac-carrier-hold-then-bye.xml', { pauseMs: 100 });
    const agentRun = await agent.done;
    expect(...sippPassed(carrier, 'carrier')).toBe(0);
    expect(...sippPassed(agentRun, 'agent')).toBe(0);
    expect(agentRun.messages).toMatch(/a=sendonly/);
    const session = await e2e.session((s) => s.state === 'ended');
    const types = (await e2e.store.sessions.timeline(session.id)).map((e) => e.type);
    expect(types).toContain('call.reinvite');
  });

  it('AI agent hangs up: BYE reaches the caller', async () => {
    const e2e = await start();
    const agent = await e2e.peer('agent', 'uas-ai-agent-hangs-up.xml', ['-d', '100']);
    const carrier = await e2e.carrier('uac-carrier-call-expect-bye.xml');
    expect(...sippPassed(carrier, 'carrier')).toBe(0);
    expect(...sippPassed(await agent.done, 'agent')).toBe(0);
    expect(await e2e.session((s) => s.state === 'ended')).toMatchObject({ endReason: 'agent_hangup' });
  });

  it('CANCEL before answer reaches the ringing AI agent', async () => {
    const e2e = await start();
    const agent = await e2e.peer('agent', 'uas-ai-agent-expect-cancel.xml');
    const carrier = await e2e.carrier('uac-carrier-cancel-before-answer.xml');
    expect(...sippPassed(carrier, 'carrier')).toBe(0);
    expect(...sippPassed(await agent.done, 'agent')).toBe(0);
    expect(await e2e.session((s) => s.state === 'ended')).toMatchObject({ endReason: 'caller_cancel' });
  });

  it('unknown number → 404', async () => {
    const e2e = await start();
    const carrier = await e2e.carrier('uac-carrier-expect-404.xml', { number: '+15550999' });
    expect(...sippPassed(carrier, 'carrier')).toBe(0);
    expect(await e2e.store.sessions.list('acme', {})).toHaveLength(0);
  });

  it('source not an allowed carrier → 403', async () => {
    const e2e = await start({ carriers: [{ id: 'elsewhere', allowedSources: ['192.0.2.0/24'], trunk: 'sip:192.0.2.1' }] });
    const carrier = await e2e.carrier('uac-carrier-expect-403.xml');
    expect(...sippPassed(carrier, 'carrier')).toBe(0);
  });

  it('over capacity → 503 with Retry-After', async () => {
    const e2e = await start({ calls: { maxConcurrentCalls: 1 } });
    const agent = await e2e.peer('agent', 'uas-ai-agent-expect-headers.xml');
    const first = e2e.carrier('uac-carrier-call-then-bye.xml', { pauseMs: 3000 });
    await e2e.session((s) => s.state === 'live');
    const second = await e2e.carrier('uac-carrier-expect-503.xml', { caller: '+14155550002' });
    expect(...sippPassed(second, 'second carrier')).toBe(0);
    expect(...sippPassed(await first, 'first carrier')).toBe(0);
    expect(...sippPassed(await agent.done, 'agent')).toBe(0);
  });
});
