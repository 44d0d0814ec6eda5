/**
 * The destination stand-ins must really catch what they check: a SIP-destination INVITE (custom
 * headers present) sent to the PSTN stand-in, or a ticketed caller's INVITE sent to the anonymous
 * Zendesk stand-in, fails the SIPp run (SIPp marks the call failed and still plays the scenario to
 * its end). Without these, a scenario whose ereg never fires would pass every test.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CallsE2E, sippPassed } from './calls-e2e-harness.js';

let app: CallsE2E | null = null;
afterEach(async () => {
  await app?.close();
  app = null;
});

describe('destination stand-ins fail on what they must not see', () => {
  it.each([
    ['PSTN stand-in receiving X-OPENCX-* headers', 'uas-pstn-expect-no-custom-headers.xml', /Regexp matched but should not/],
    ['anonymous Zendesk stand-in receiving a caller From and X-Zendesk-Ticket-Id', 'uas-zendesk-sip-in-anonymous-expect-headers.xml', /Failed regexp match/],
  ])('%s', async (_name, scenario, complaint) => {
    const e2e = (app = await CallsE2E.start());
    const agent = await e2e.peer('agent', 'uas-ai-agent-expect-headers.xml');
    const checker = await e2e.peer('zendesk', scenario);
    const carrier = e2e.carrier('uac-carrier-transfer-expect-reinvite-then-bye.xml', { pauseMs: 100 });
    const live = await e2e.session((s) => s.state === 'live' && s.contactId !== null);
    const match = { ticketId: '98765', method: 'e164' as const, candidates: 1, ticketFirst: false, matchedAt: Date.now() };
    await e2e.sessions.stampTicket(live.id, match);
    const res = await e2e.transfer(live.id, 'zendesk');
    expect(res.json().outcome).toBe('answered');
    const [checkerRun, carrierRun, agentRun] = await Promise.all([checker.done, carrier, agent.done]);
    expect(checkerRun.code, checkerRun.errors).not.toBe(0);
    expect(checkerRun.errors).toMatch(complaint);
    expect(...sippPassed(carrierRun, 'carrier')).toBe(0);
    expect(...sippPassed(agentRun, 'AI agent')).toBe(0);
  });
});
