import sdpTransform from 'sdp-transform';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Transfer } from '../../src/sessions/session.js';
import {
  AGENT_SDP,
  BUSY_URI,
  NOANSWER_URI,
  ZENDESK_SDP,
  ZENDESK_URI,
  liveCall,
  startHarness,
  type Harness,
} from './helpers/call-control-harness.js';
import type { FakeDialog } from './helpers/fake-srf.js';
import { flush } from './helpers/manual-clock.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

function legs(): { caller: FakeDialog; agent: FakeDialog } {
  const [agent, caller] = h.srf.dialogs.slice(0, 2);
  return { caller: caller!, agent: agent! };
}

async function transfer(sessionId: string, destination: string, idempotencyKey: string | null = null, orgId = 'acme') {
  return h.control.controller.transfer({ orgId, sessionId, destination, idempotencyKey });
}

async function outcome(id: string): Promise<Transfer> {
  const t = await h.control.controller.waitForTransfer(id, 60_000);
  if (!t) throw new Error('unknown transfer');
  await h.control.idle();
  return (await h.store.transfers.get(id)) ?? t;
}

async function stampTicket(sessionId: string, ticketId: string): Promise<void> {
  const match = { ticketId, method: 'e164' as const, candidates: 1, ticketFirst: false, matchedAt: h.clock.now() };
  await h.sessions.stampTicket(sessionId, match);
  h.events.ticketStamped(sessionId, match);
}

async function connectZendesk(): Promise<void> {
  const now = h.clock.now();
  await h.store.zendesk.saveConnection({
    id: 'zdc_test',
    orgId: 'acme',
    subdomain: 'acme',
    email: 'a@acme.test',
    apiToken: 'token',
    webhookId: 'wh1',
    signingSecret: 'secret',
    state: 'connected',
    lastError: null,
    createdAt: now,
    updatedAt: now,
  });
}

describe('transfer to a SIP destination', () => {
  it('answered: INVITE with exact headers + G.711 offer, caller re-INVITEd, AI leg released, session transferred', async () => {
    const { session } = await liveCall(h);
    await stampTicket(session.id, '98765');
    const started = await transfer(session.id, 'Zendesk human agent');
    expect(started.ok).toBe(true);
    if (!started.ok) return;
    expect(started.value.transfer).toMatchObject({ state: 'pending', destinationId: 'zendesk', destinationType: 'sip', target: ZENDESK_URI });
    const done = await outcome(started.value.transfer.id);
    expect(done).toMatchObject({ state: 'answered', sipStatus: 200 });

    const invite = h.srf.invites[1]!;
    expect(invite.uri).toBe(ZENDESK_URI);
    const { From, ...custom } = invite.headers;
    expect(From).toBe('<sip:+14155551212@localhost>');
    expect(Object.entries(custom)).toEqual([
      ['X-OPENCX-SESSION-ID', session.id],
      ['X-OPENCX-AGENT-ID', 'agent-1'],
      ['X-OPENCX-TRANSFER', 'true'],
      ['X-OPENCX-CONTACT-ID', session.contactId],
      ['X-Zendesk-Ticket-Id', '98765'],
    ]);
    // Stored exactly as sent.
    expect(done.headersSent).toEqual(Object.entries(custom).map(([name, value]) => ({ name, value })));
    expect(done.fromSent).toBe('<sip:+14155551212@localhost>;tag=t2'); // as echoed by the server
    // G.711 only (the caller also offered opus).
    const offered = sdpTransform.parse(invite.sdp).media[0]!;
    expect(offered.rtp.map((r) => r.codec)).toEqual(['PCMU', 'PCMA', 'telephone-event']);
    expect(offered.port).toBe(4000);

    const { caller, agent } = legs();
    expect(caller.reinvites).toHaveLength(1);
    expect(caller.reinvites[0]).toContain('m=audio 7000');
    expect(caller.reinvites[0]).toMatch(/o=agent 1000 2 /); // origin kept, version incremented
    expect(agent.byes).toHaveLength(1);
    expect(agent.byes[0]!.Reason).toContain('transferred');
    await h.control.idle();
    expect(await h.store.sessions.get(session.id)).toMatchObject({ state: 'transferred' });
    const types = (await h.store.sessions.timeline(session.id)).map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining([
        'transfer.requested',
        'transfer.invite_sent',
        'transfer.ringing',
        'transfer.answered',
        'transfer.caller_reinvited',
        'transfer.agent_released',
        'session.transferred',
        'transfer.outcome',
      ]),
    );
  });

  it('after the transfer, BYE from the destination reaches the caller, and vice versa', async () => {
    const a = await liveCall(h);
    const t = await transfer(a.session.id, 'zendesk');
    if (!t.ok) throw new Error('transfer refused');
    await outcome(t.value.transfer.id);
    const destination = h.srf.dialogs[2]!;
    destination.hangUp();
    await flush();
    expect(legs().caller.byes).toHaveLength(1);
    await h.control.idle();
    expect(await h.store.sessions.get(a.session.id)).toMatchObject({ state: 'ended', endReason: 'destination_hangup' });

    const b = await liveCall(h, { from: '+14155550001' });
    const t2 = await transfer(b.session.id, 'zendesk');
    if (!t2.ok) throw new Error('transfer refused');
    await outcome(t2.value.transfer.id);
    const [callerB, , destB] = [h.srf.dialogs[4]!, h.srf.dialogs[3]!, h.srf.dialogs[5]!];
    callerB.hangUp();
    await flush();
    expect(destB.byes).toHaveLength(1);
    await h.control.idle();
    expect(await h.store.sessions.get(b.session.id)).toMatchObject({ state: 'ended', endReason: 'caller_hangup' });
  });

  it('re-INVITEs after the transfer go between caller and destination', async () => {
    const { session } = await liveCall(h);
    const t = await transfer(session.id, 'zendesk');
    if (!t.ok) throw new Error('refused');
    await outcome(t.value.transfer.id);
    const destination = h.srf.dialogs[2]!;
    const response = await legs().caller.reinviteFromFarEnd(ZENDESK_SDP.replace('a=sendrecv', 'a=sendonly'));
    expect(response.status).toBe(200);
    expect(destination.reinvites).toHaveLength(1);
    expect(legs().agent.reinvites).toHaveLength(0);
  });

  it('no ticket stamped and no Zendesk connection: no X-Zendesk-Ticket-Id, no wait', async () => {
    const { session } = await liveCall(h);
    const t = await transfer(session.id, 'zendesk');
    if (!t.ok) throw new Error('refused');
    await outcome(t.value.transfer.id);
    expect(Object.keys(h.srf.invites[1]!.headers)).not.toContain('X-Zendesk-Ticket-Id');
  });

  it('waits for a ticket that is expected, and carries it once stamped', async () => {
    await connectZendesk();
    const { session } = await liveCall(h);
    const t = await transfer(session.id, 'zendesk');
    if (!t.ok) throw new Error('refused');
    await flush();
    await h.control.idle();
    expect((await h.store.transfers.get(t.value.transfer.id))?.state).toBe('waiting_ticket');
    expect(h.srf.invites).toHaveLength(1); // only the agent leg so far
    await stampTicket(session.id, '4242');
    const done = await outcome(t.value.transfer.id);
    expect(done.state).toBe('answered');
    expect(h.srf.invites[1]!.headers['X-Zendesk-Ticket-Id']).toBe('4242');
  });

  it('stops waiting for the ticket after the bounded wait and dials without it', async () => {
    await connectZendesk();
    const { session } = await liveCall(h);
    const t = await transfer(session.id, 'zendesk');
    if (!t.ok) throw new Error('refused');
    await flush();
    await h.clock.advance(h.config.calls.ticketWaitSeconds * 1000);
    const done = await outcome(t.value.transfer.id);
    expect(done.state).toBe('answered');
    expect(h.srf.invites[1]!.headers['X-Zendesk-Ticket-Id']).toBeUndefined();
  });

  it('anonymous caller: no ticket wait, From is the OpenCX-side number', async () => {
    await connectZendesk();
    const { session } = await liveCall(h, { from: 'anonymous' });
    expect(session.anonymous).toBe(true);
    const t = await transfer(session.id, 'zendesk');
    if (!t.ok) throw new Error('refused');
    await outcome(t.value.transfer.id);
    expect(h.srf.invites[1]!.headers.From).toBe('<sip:+15550111@localhost>');
  });
});

describe('transfer failures leave the caller with the AI agent', () => {
  it.each([
    ['busy', BUSY_URI, { kind: 'reject' as const, status: 486 }, 'busy', 486],
    ['decline', BUSY_URI, { kind: 'reject' as const, status: 603 }, 'rejected', 603],
    ['unavailable', BUSY_URI, { kind: 'reject' as const, status: 480 }, 'rejected', 480],
    ['transport error', BUSY_URI, { kind: 'error' as const, message: 'ECONNREFUSED' }, 'failed', null],
  ])('%s → %s', async (_name, uri, farEnd, state, status) => {
    h.srf.farEnd(uri, farEnd);
    const { session } = await liveCall(h);
    const t = await transfer(session.id, 'busy');
    if (!t.ok) throw new Error('refused');
    const done = await outcome(t.value.transfer.id);
    expect(done).toMatchObject({ state, sipStatus: status });
    const { caller, agent } = legs();
    expect(agent.byes).toHaveLength(0);
    expect(caller.reinvites).toHaveLength(0);
    expect(await h.store.sessions.get(session.id)).toMatchObject({ state: 'live' });
    // The caller is still bridged to the AI: a re-INVITE reaches the agent.
    expect((await caller.reinviteFromFarEnd(AGENT_SDP)).status).toBe(200);
    expect(agent.reinvites).toHaveLength(1);
    // And another transfer may follow.
    const again = await transfer(session.id, 'zendesk');
    expect(again.ok).toBe(true);
  });

  it('no answer within the ring timeout → CANCEL → no_answer', async () => {
    const { session } = await liveCall(h);
    const t = await transfer(session.id, 'noanswer');
    if (!t.ok) throw new Error('refused');
    await h.srf.waitForInvites(2);
    await flush();
    expect(h.srf.invites[1]!.uri).toBe(NOANSWER_URI);
    await h.clock.advance(h.config.calls.ringTimeoutSeconds * 1000);
    const done = await outcome(t.value.transfer.id);
    expect(done).toMatchObject({ state: 'no_answer', sipStatus: 487 });
    expect(h.srf.invites[1]!.cancelled).toBe(true);
    expect(legs().agent.byes).toHaveLength(0);
  });

  it('a destination that never answers at all: outcome no_answer after the ring timeout + CANCEL grace', async () => {
    h.srf.farEnd(NOANSWER_URI, { kind: 'silent' });
    const { session } = await liveCall(h);
    const t = await transfer(session.id, 'noanswer');
    if (!t.ok) throw new Error('refused');
    await h.srf.waitForInvites(2);
    await flush();
    await h.clock.advance(h.config.calls.ringTimeoutSeconds * 1000);
    expect(h.srf.invites[1]!.cancelled).toBe(true);
    await h.clock.advance(2000);
    const done = await outcome(t.value.transfer.id);
    expect(done).toMatchObject({ state: 'no_answer', sipStatus: null });
    expect(legs().agent.byes).toHaveLength(0);
    // And the next transfer may go.
    expect((await transfer(session.id, 'zendesk')).ok).toBe(true);
  });

  it('caller hanging up while the destination rings cancels the transfer INVITE', async () => {
    const { session } = await liveCall(h);
    const t = await transfer(session.id, 'noanswer');
    if (!t.ok) throw new Error('refused');
    await h.srf.waitForInvites(2);
    await flush();
    legs().caller.hangUp();
    const done = await outcome(t.value.transfer.id);
    expect(done.state).toBe('failed');
    expect(h.srf.invites[1]!.cancelled).toBe(true);
    expect(legs().agent.byes).toHaveLength(1);
  });

  it('caller refusing the re-INVITE: destination released, AI leg kept', async () => {
    const { session } = await liveCall(h);
    legs().caller.reinviteAnswer = async () => {
      throw Object.assign(new Error('Not Acceptable Here'), { status: 488 });
    };
    const t = await transfer(session.id, 'zendesk');
    if (!t.ok) throw new Error('refused');
    const done = await outcome(t.value.transfer.id);
    expect(done).toMatchObject({ state: 'failed', sipStatus: 488 });
    expect(h.srf.dialogs[2]!.byes).toHaveLength(1);
    expect(legs().agent.byes).toHaveLength(0);
  });
});

describe('transfer commands', () => {
  it('one transfer at a time', async () => {
    const { session } = await liveCall(h);
    const first = await transfer(session.id, 'noanswer');
    expect(first.ok).toBe(true);
    const second = await transfer(session.id, 'zendesk');
    expect(second).toMatchObject({ ok: false, error: { code: 'CALL_ERR_TRANSFER_IN_PROGRESS' } });
  });

  it('Idempotency-Key: a retry returns the same transfer, concurrent or later', async () => {
    const { session } = await liveCall(h);
    const [a, b] = await Promise.all([transfer(session.id, 'noanswer', 'key-1'), transfer(session.id, 'noanswer', 'key-1')]);
    if (!a.ok || !b.ok) throw new Error(`refused: ${JSON.stringify([a, b])}`);
    expect(b.value.transfer.id).toBe(a.value.transfer.id);
    expect([a.value.replayed, b.value.replayed].sort()).toEqual([false, true]);
    await h.srf.waitForInvites(2);
    await flush();
    await h.clock.advance(h.config.calls.ringTimeoutSeconds * 1000);
    await outcome(a.value.transfer.id);
    const later = await transfer(session.id, 'noanswer', 'key-1');
    expect(later).toMatchObject({ ok: true, value: { replayed: true, transfer: { id: a.value.transfer.id, state: 'no_answer' } } });
    const other = await transfer(session.id, 'zendesk', 'key-1');
    expect(other).toMatchObject({ ok: false, error: { code: 'CALL_ERR_IDEMPOTENCY_MISMATCH' } });
    expect(h.srf.invites).toHaveLength(2);
  });

  it('refusals: unknown destination, other organisation, ended or transferred session', async () => {
    const { session } = await liveCall(h);
    expect(await transfer(session.id, 'nowhere')).toMatchObject({ ok: false, error: { code: 'CALL_ERR_DESTINATION_NOT_FOUND' } });
    expect(await transfer(session.id, 'zendesk', null, 'globex')).toMatchObject({ ok: false, error: { code: 'CALL_ERR_SESSION_NOT_FOUND' } });
    expect(await transfer('ses_unknown', 'zendesk')).toMatchObject({ ok: false, error: { code: 'CALL_ERR_SESSION_NOT_FOUND' } });
    const t = await transfer(session.id, 'zendesk');
    if (!t.ok) throw new Error('refused');
    await outcome(t.value.transfer.id);
    expect(await transfer(session.id, 'zendesk')).toMatchObject({ ok: false, error: { code: 'CALL_ERR_ALREADY_TRANSFERRED' } });
    await h.control.controller.hangup('acme', session.id);
    await h.control.idle();
    expect(await transfer(session.id, 'zendesk')).toMatchObject({ ok: false, error: { code: 'CALL_ERR_ENDED' } });
  });

  it('PSTN destination goes through the carrier trunk without custom headers', async () => {
    const trunkTarget = 'sip:+15550199@127.0.0.1:5999';
    h.srf.farEnd(trunkTarget, { kind: 'answer', sdp: ZENDESK_SDP });
    const { session } = await liveCall(h);
    await stampTicket(session.id, '98765');
    const t = await transfer(session.id, 'Tier 2 phone');
    if (!t.ok) throw new Error('refused');
    const done = await outcome(t.value.transfer.id);
    expect(done).toMatchObject({ state: 'answered', destinationType: 'pstn', headersSent: [] });
    expect(h.srf.invites[1]!.uri).toBe(trunkTarget);
    expect(Object.keys(h.srf.invites[1]!.headers)).toEqual(['From']);
  });

  it('lists the agent destinations of the caller organisation only', () => {
    const mine = h.control.controller.destinations('acme', 'agent-1');
    expect(mine.ok && mine.value.map((d) => d.id)).toEqual(['zendesk', 'busy', 'noanswer', 'pstn']);
    expect(h.control.controller.destinations('globex', 'agent-1')).toMatchObject({ ok: false, error: { code: 'CALL_ERR_AGENT_NOT_FOUND' } });
  });
});
