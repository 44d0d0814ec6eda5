/**
 * Transfers end to end: a live call (SIPp carrier ↔ SIPp AI agent through talkbridge), then
 * `POST /v1/sessions/{id}/transfer` to a SIPp Zendesk SIP-IN line (headers checked with ereg), a PSTN
 * line behind the carrier trunk (no custom headers allowed), a busy line and a line nobody answers.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { TalkbridgeConfigInput } from '../../src/config/config.schema.js';
import type { Session } from '../../src/sessions/session.js';
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

/** What the Zendesk integration does once the ticket.created webhook matched the call. */
async function stampTicket(e2e: CallsE2E, session: Session, ticketId: string): Promise<void> {
  const match = { ticketId, method: 'e164' as const, candidates: 1, ticketFirst: false, matchedAt: Date.now() };
  await e2e.sessions.stampTicket(session.id, match);
  e2e.events.ticketStamped(session.id, match);
}

describe('transfer to the Zendesk SIP-IN line', () => {
  it('answered: From = caller, every X-OPENCX-* header and X-Zendesk-Ticket-Id, G.711 only; caller re-INVITEd, AI released; caller BYE reaches Zendesk', async () => {
    const e2e = await start();
    const agent = await e2e.peer('agent', 'uas-ai-agent-expect-headers.xml');
    const zendesk = await e2e.peer('zendesk', 'uas-zendesk-sip-in-expect-headers.xml');
    const carrier = e2e.carrier('uac-carrier-transfer-expect-reinvite-then-bye.xml', { pauseMs: 100 });
    const live = await e2e.session((s) => s.state === 'live' && s.contactId !== null);
    await stampTicket(e2e, live, '98765');

    const res = await e2e.transfer(live.id, 'Zendesk human agent');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ outcome: 'answered', sipStatus: 200 });

    const [carrierRun, agentRun, zendeskRun] = await Promise.all([carrier, agent.done, zendesk.done]);
    expect(...sippPassed(carrierRun, 'carrier')).toBe(0);
    expect(...sippPassed(agentRun, 'AI agent')).toBe(0);
    expect(...sippPassed(zendeskRun, 'zendesk')).toBe(0);
    expect(agentRun.messages).toMatch(/Reason: SIP ;cause=200 ;text="transferred"/);

    const detail = await e2e.detail(live.id);
    expect(detail.session).toMatchObject({ state: 'ended', endReason: 'caller_hangup', ticketId: '98765' });
    expect(detail.transfers[0].headersSent).toEqual([
      { name: 'X-OPENCX-SESSION-ID', value: live.id },
      { name: 'X-OPENCX-AGENT-ID', value: 'agent-1' },
      { name: 'X-OPENCX-TRANSFER', value: 'true' },
      { name: 'X-OPENCX-CONTACT-ID', value: live.contactId },
      { name: 'X-Zendesk-Ticket-Id', value: '98765' },
    ]);
    expect(detail.transfers[0].fromSent).toMatch(/^<sip:\+14155551212@127\.0\.0\.1:\d+>;tag=/);
    for (const { name, value } of detail.transfers[0].headersSent) expect(zendeskRun.messages).toContain(`${name}: ${value}`);
    const types = detail.timeline.map((e: { type: string }) => e.type);
    expect(types.indexOf('transfer.outcome')).toBeLessThan(types.indexOf('session.ended'));
    expect(types).toContain('session.transferred');
  });

  it('answered, then the Zendesk agent hangs up: BYE relayed to the caller', async () => {
    const e2e = await start();
    const agent = await e2e.peer('agent', 'uas-ai-agent-expect-headers.xml');
    const zendesk = await e2e.peer('zendesk', 'uas-zendesk-sip-in-expect-headers-then-bye.xml', ['-d', '100']);
    const carrier = e2e.carrier('uac-carrier-transfer-expect-reinvite-and-bye.xml');
    const live = await e2e.session((s) => s.state === 'live' && s.contactId !== null);
    await stampTicket(e2e, live, '98765');
    const res = await e2e.transfer(live.id, 'zendesk');
    expect(res.json()).toMatchObject({ outcome: 'answered' });
    const [carrierRun, agentRun, zendeskRun] = await Promise.all([carrier, agent.done, zendesk.done]);
    expect(...sippPassed(carrierRun, 'carrier')).toBe(0);
    expect(...sippPassed(agentRun, 'AI agent')).toBe(0);
    expect(...sippPassed(zendeskRun, 'zendesk')).toBe(0);
    expect(await e2e.session((s) => s.id === live.id && s.state === 'ended')).toMatchObject({ endReason: 'destination_hangup' });
  });

  it('anonymous caller: From is the OpenCX-side number and no X-Zendesk-Ticket-Id', async () => {
    const e2e = await start();
    const agent = await e2e.peer('agent', 'uas-ai-agent-expect-headers.xml');
    const zendesk = await e2e.peer('zendesk', 'uas-zendesk-sip-in-anonymous-expect-headers.xml');
    const carrier = e2e.carrier('uac-carrier-anonymous-transfer-expect-reinvite-then-bye.xml', { pauseMs: 100 });
    const live = await e2e.session((s) => s.state === 'live' && s.contactId !== null);
    expect(live.anonymous).toBe(true);
    const res = await e2e.transfer(live.id, 'zendesk');
    expect(res.json()).toMatchObject({ outcome: 'answered' });
    const [carrierRun, agentRun, zendeskRun] = await Promise.all([carrier, agent.done, zendesk.done]);
    expect(...sippPassed(carrierRun, 'carrier')).toBe(0);
    expect(...sippPassed(agentRun, 'AI agent')).toBe(0);
    expect(...sippPassed(zendeskRun, 'zendesk')).toBe(0);
  });
});

describe('transfer to a PSTN number', () => {
  it('goes through the carrier trunk without any X-OPENCX-* or X-Zendesk-* header, even with a ticket', async () => {
    const e2e = await start();
    const agent = await e2e.peer('agent', 'uas-ai-agent-expect-headers.xml');
    const pstn = await e2e.peer('trunk', 'uas-pstn-expect-no-custom-headers.xml');
    const carrier = e2e.carrier('uac-carrier-transfer-expect-reinvite-then-bye.xml', { pauseMs: 100 });
    const live = await e2e.session((s) => s.state === 'live' && s.contactId !== null);
    await stampTicket(e2e, live, '98765');
    const res = await e2e.transfer(live.id, 'Tier 2 phone');
    expect(res.json()).toMatchObject({ outcome: 'answered', destinationType: 'pstn', headersSent: [] });
    const [carrierRun, agentRun, pstnRun] = await Promise.all([carrier, agent.done, pstn.done]);
    expect(...sippPassed(carrierRun, 'carrier')).toBe(0);
    expect(...sippPassed(agentRun, 'AI agent')).toBe(0);
    expect(...sippPassed(pstnRun, 'pstn')).toBe(0);
  });
});

describe('failed transfers leave the caller with the AI agent', () => {
  it('busy (486): outcome busy; the caller BYE afterwards reaches the AI agent', async () => {
    const e2e = await start();
    const agent = await e2e.peer('agent', 'uas-ai-agent-expect-headers.xml');
    const busy = await e2e.peer('busy', 'uas-busy-486.xml');
    const carrier = e2e.carrier('uac-carrier-call-then-bye.xml', { pauseMs: 1500 });
    const live = await e2e.session((s) => s.state === 'live');
    const res = await e2e.transfer(live.id, 'busy');
    expect(res.json()).toMatchObject({ outcome: 'busy', sipStatus: 486 });
    const [carrierRun, agentRun, busyRun] = await Promise.all([carrier, agent.done, busy.done]);
    expect(...sippPassed(busyRun, 'busy')).toBe(0);
    expect(...sippPassed(carrierRun, 'carrier')).toBe(0);
    expect(...sippPassed(agentRun, 'AI agent')).toBe(0);
    expect(agentRun.messages).not.toMatch(/text="transferred"/);
    const detail = await e2e.detail(live.id);
    expect(detail.session).toMatchObject({ endReason: 'caller_hangup' });
    const types = detail.timeline.map((e: { type: string }) => e.type);
    expect(types.indexOf('transfer.outcome')).toBeLessThan(types.indexOf('session.ended'));
  });

  it('no answer: CANCEL after the ring timeout, outcome no_answer; the caller is still with the AI', async () => {
    const e2e = await start({ calls: { ringTimeoutSeconds: 0.3 } });
    const agent = await e2e.peer('agent', 'uas-ai-agent-expect-headers.xml');
    const ringing = await e2e.peer('noanswer', 'uas-no-answer.xml');
    const carrier = e2e.carrier('uac-carrier-call-then-bye.xml', { pauseMs: 2000 });
    const live = await e2e.session((s) => s.state === 'live');
    const res = await e2e.transfer(live.id, 'Nobody home');
    expect(res.json()).toMatchObject({ outcome: 'no_answer', sipStatus: 487 });
    const [carrierRun, agentRun, ringRun] = await Promise.all([carrier, agent.done, ringing.done]);
    expect(...sippPassed(ringRun, 'no-answer line')).toBe(0);
    expect(...sippPassed(carrierRun, 'carrier')).toBe(0);
    expect(...sippPassed(agentRun, 'AI agent')).toBe(0);
    expect(await e2e.session((s) => s.id === live.id && s.state === 'ended')).toMatchObject({ endReason: 'caller_hangup' });
  });
});
