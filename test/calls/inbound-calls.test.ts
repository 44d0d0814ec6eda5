import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AGENT_URI, CALLER_SDP, liveCall, startHarness, type Harness } from './helpers/call-control-harness.js';
import { flush } from './helpers/manual-clock.js';
import { sdpFor } from './helpers/fake-srf.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

async function timelineTypes(sessionId: string): Promise<string[]> {
  await h.control.idle();
  return (await h.store.sessions.timeline(sessionId)).map((e) => e.type);
}

describe('inbound call → AI agent', () => {
  it('opens a session, resolves the contact and bridges to the agent with the session headers', async () => {
    const { session } = await liveCall(h);
    expect(session).toMatchObject({
      orgId: 'acme',
      agentId: 'agent-1',
      dialledNumber: '+15550100',
      callerPhone: '+14155551212',
      anonymous: false,
      state: 'live',
    });
    expect(session.callId).toMatch(/@carrier$/);
    expect(session.answeredAt).not.toBeNull();
    expect(session.contactId).toMatch(/^ctc_/);
    const invite = h.srf.invites[0]!;
    expect(invite.uri).toBe(AGENT_URI);
    expect(invite.headers).toMatchObject({
      'X-OPENCX-SESSION-ID': session.id,
      'X-OPENCX-AGENT-ID': 'agent-1',
      'X-Agent-Tenant': 'acme',
      From: '<sip:+14155551212@localhost>',
    });
    expect(invite.sdp).toBe(CALLER_SDP);
    expect(await timelineTypes(session.id)).toEqual(['session.opened', 'call.invite', 'session.live']);
    const timeline = await h.store.sessions.timeline(session.id);
    expect(timeline[1]!.data).toMatchObject({
      carrier: 'carrier-a',
      agentUri: AGENT_URI,
      agentHeaders: { 'X-OPENCX-SESSION-ID': session.id, 'X-OPENCX-AGENT-ID': 'agent-1' },
    });
    expect(timeline[2]!.data.ringingAt).toEqual(expect.any(Number));
  });

  it('uses PAI from a trusted carrier and marks Privacy: id callers anonymous', async () => {
    const trusted = h.srf.placeCall({ to: '+15550100', from: 'anonymous', sdp: CALLER_SDP, headers: { 'P-Asserted-Identity': '<sip:+14155550000@carrier>' } });
    expect((await trusted.res.final).status).toBe(200);
    const hidden = h.srf.placeCall({ to: '+15550100', from: '+14155551111', sdp: CALLER_SDP, headers: { Privacy: 'id' } });
    expect((await hidden.res.final).status).toBe(200);
    await h.control.idle();
    const sessions = await h.store.sessions.list('acme', {});
    const byCall = new Map(sessions.map((s) => [s.callId, s]));
    expect(byCall.get(trusted.req.callId)).toMatchObject({ callerPhone: '+14155550000', anonymous: false });
    expect(byCall.get(hidden.req.callId)).toMatchObject({ callerPhone: null, anonymous: true });
    expect(h.srf.invites[1]!.headers.From).toBe('"Anonymous" <sip:anonymous@anonymous.invalid>');
    // Anonymous callers still get a contact (without a phone).
    expect(byCall.get(hidden.req.callId)?.contactId).toMatch(/^ctc_/);
  });

  it.each([
    ['unknown source', { source: '198.51.100.7', to: '+15550100' }, 403] as const,
    ['unknown number', { to: '+15550999' }, 404] as const,
  ])('refuses %s and opens no session', async (_name, init, status) => {
    const { res } = h.srf.placeCall({ from: '+14155551212', sdp: CALLER_SDP, ...init });
    expect((await res.final).status).toBe(status);
    expect(h.srf.invites).toHaveLength(0);
    expect(await h.store.sessions.list('acme', {})).toHaveLength(0);
  });

  it('answers 503 with Retry-After over capacity', async () => {
    await h.close();
    const { callsConfig } = await import('./helpers/calls-config.js');
    h = await startHarness(callsConfig({}, { calls: { maxConcurrentCalls: 1, retryAfterSeconds: 9 } }));
    await liveCall(h);
    const { res } = h.srf.placeCall({ to: '+15550100', from: '+14155551212', sdp: CALLER_SDP });
    const final = await res.final;
    expect(final.status).toBe(503);
    expect(final.headers['Retry-After']).toBe('9');
  });

  it.each([
    [{ kind: 'reject' as const, status: 486 }, 486, 'agent_busy'],
    [{ kind: 'reject' as const, status: 603 }, 603, 'agent_declined'],
    [{ kind: 'reject' as const, status: 404 }, 480, 'agent_rejected'],
    [{ kind: 'reject' as const, status: 503 }, 480, 'agent_unreachable'],
    [{ kind: 'error' as const, message: 'connect ECONNREFUSED' }, 480, 'agent_unreachable'],
  ])('agent answering %j → caller gets %i, session ends %s', async (farEnd, callerStatus, reason) => {
    h.srf.farEnd(AGENT_URI, farEnd);
    const { res } = h.srf.placeCall({ to: '+15550100', from: '+14155551212', sdp: CALLER_SDP });
    expect((await res.final).status).toBe(callerStatus);
    await h.control.idle();
    const [session] = await h.store.sessions.list('acme', {});
    expect(session).toMatchObject({ state: 'ended', endReason: reason });
    expect(h.control.liveCalls()).toBe(0);
  });

  it('gives up on an agent that does not answer in time: CANCEL, caller 480', async () => {
    h.srf.farEnd(AGENT_URI, { kind: 'ring' });
    const { res } = h.srf.placeCall({ to: '+15550100', from: '+14155551212', sdp: CALLER_SDP });
    await h.srf.waitForInvites(1);
    await flush();
    await h.clock.advance(h.config.calls.agentAnswerTimeoutSeconds * 1000);
    expect((await res.final).status).toBe(480);
    expect(h.srf.invites[0]!.cancelled).toBe(true);
    await h.control.idle();
    const [session] = await h.store.sessions.list('acme', {});
    expect(session).toMatchObject({ state: 'ended', endReason: 'agent_no_answer' });
  });

  it('relays a CANCEL before answer to the agent and ends the session', async () => {
    h.srf.farEnd(AGENT_URI, { kind: 'ring' });
    const { req, res } = h.srf.placeCall({ to: '+15550100', from: '+14155551212', sdp: CALLER_SDP });
    await h.srf.waitForInvites(1);
    await flush();
    req.emit('cancel', {});
    expect((await res.final).status).toBe(487);
    await h.srf.invites[0]!.cancelledPromise;
    await flush();
    await h.control.idle();
    const [session] = await h.store.sessions.list('acme', {});
    expect(session).toMatchObject({ state: 'ended', endReason: 'caller_cancel' });
    expect(h.control.liveCalls()).toBe(0);
  });

  it('caller BYE → agent BYE; agent BYE → caller BYE', async () => {
    const first = await liveCall(h);
    const [callerA, agentA] = h.srf.dialogs.slice(-2).reverse();
    callerA!.hangUp();
    await flush();
    expect(agentA!.byes).toHaveLength(1);
    await h.control.idle();
    expect(await h.store.sessions.get(first.session.id)).toMatchObject({ state: 'ended', endReason: 'caller_hangup' });

    h.srf.placeCall({ to: '+15550100', from: '+14155559999', sdp: CALLER_SDP });
    await flush();
    const [callerB, agentB] = h.srf.dialogs.slice(-2).reverse();
    agentB!.hangUp();
    await flush();
    expect(callerB!.byes).toHaveLength(1);
    expect(callerB!.byes[0]!.Reason).toContain('agent_hangup');
    expect(h.control.liveCalls()).toBe(0);
  });

  it('a caller BYE handled before the B2BUA promise resumed us still hangs up the agent (regression)', async () => {
    h.srf.byeRacesAnswer = true;
    const { res } = h.srf.placeCall({ to: '+15550100', from: '+14155551212', sdp: CALLER_SDP });
    expect((await res.final).status).toBe(200);
    await flush();
    const [caller, agent] = h.srf.dialogs.slice(-2).reverse();
    expect(caller!.connected).toBe(false);
    expect(agent!.byes).toHaveLength(1);
    await h.control.idle();
    const [session] = await h.store.sessions.list('acme', {});
    expect(session).toMatchObject({ state: 'ended', endReason: 'caller_hangup' });
  });

  it('passes re-INVITEs through in both directions', async () => {
    await liveCall(h);
    const [caller, agent] = h.srf.dialogs.slice(-2).reverse();
    const hold = sdpFor('caller', 4000).replace('a=sendrecv', 'a=sendonly');
    agent!.reinviteAnswer = async () => sdpFor('agent', 6000).replace('a=sendrecv', 'a=recvonly');
    const response = await caller!.reinviteFromFarEnd(hold);
    expect(response.status).toBe(200);
    expect(response.body).toContain('a=recvonly');
    expect(agent!.reinvites).toEqual([hold]);

    const codecChange = sdpFor('agent', 6002, '8');
    const back = await agent!.reinviteFromFarEnd(codecChange);
    expect(back.status).toBe(200);
    expect(caller!.reinvites).toEqual([codecChange]);
  });

  it('hangup command ends both legs', async () => {
    const { session } = await liveCall(h);
    const [caller, agent] = h.srf.dialogs.slice(-2).reverse();
    const result = await h.control.controller.hangup('acme', session.id);
    expect(result).toEqual({ ok: true, value: { sessionId: session.id, state: 'ended' } });
    await flush();
    expect(caller!.byes).toHaveLength(1);
    expect(agent!.byes).toHaveLength(1);
    await h.control.idle();
    expect(await h.store.sessions.get(session.id)).toMatchObject({ state: 'ended', endReason: 'hangup_command' });
    expect(await h.control.controller.hangup('acme', session.id)).toMatchObject({ ok: true });
    expect(await h.control.controller.hangup('globex', session.id)).toMatchObject({ ok: false, error: { code: 'CALL_ERR_SESSION_NOT_FOUND' } });
  });
});
