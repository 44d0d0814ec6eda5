/**
 * Ticket ↔ call correlation end to end over HTTP (seed "Receiving inbound calls"): ticket after the
 * call, ticket before the call, two callers from one number, anonymous callers, national-number
 * match, non-phone tickets, and ticket activity on the timeline of the stamped session.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { messageAddedEvent, ticketCreatedEvent, ticketStatusChangedEvent } from '../helpers/zendesk-events.js';
import { CALLER, OTHER_ORG_ID, ZendeskHarness } from '../helpers/zendesk-harness.js';
import type { StandinTicket } from '../helpers/zendesk-standin-account.js';

let h: ZendeskHarness;
beforeEach(async () => {
  h = await ZendeskHarness.start();
  await h.connect();
});
afterEach(async () => {
  await h.close();
});

async function ticketArrives(ticket: StandinTicket): Promise<void> {
  const results = await h.standin.emit(h.account, ticketCreatedEvent(h.account, ticket));
  expect(results.map((r) => r.status)).toEqual([200]);
  await h.idle();
}

async function ticketOf(sessionId: string): Promise<string | null> {
  return (await h.store.sessions.get(sessionId))?.ticketId ?? null;
}

describe('call before ticket', () => {
  it('stamps the ticket on the live session of the caller and records how it matched', async () => {
    const session = await h.openSession();
    const { ticket } = h.account.addInboundCall(CALLER);
    await ticketArrives(ticket);
    const stored = await h.store.sessions.get(session.id);
    expect(stored?.ticketId).toBe(String(ticket.id));
    expect(stored?.ticketMatch).toMatchObject({ ticketId: String(ticket.id), method: 'e164', candidates: 1, ticketFirst: false });
    const timeline = await h.store.sessions.timeline(session.id);
    expect(timeline.find((e) => e.type === 'ticket.stamped')?.data).toMatchObject({ ticketId: String(ticket.id), method: 'e164', candidates: 1, ticketFirst: false });
    // Correlation fetched the ticket by id with the requester side-loaded; never a phone search.
    expect(h.standin.requestsTo('GET', `/api/v2/tickets/${ticket.id}`)[0]?.query).toEqual({ include: 'users' });
    expect(h.standin.requests.some((r) => r.path.includes('search'))).toBe(false);
  });

  it('notifies SessionEvents listeners of the stamp (transfer waiting for the ticket)', async () => {
    const stamped: string[] = [];
    h.events.onTicketStamped((sessionId, match) => stamped.push(`${sessionId}:${match.ticketId}`));
    const session = await h.openSession();
    const { ticket } = h.account.addInboundCall(CALLER);
    await ticketArrives(ticket);
    expect(stamped).toEqual([`${session.id}:${ticket.id}`]);
  });

  it('falls back to the national number when the E.164 forms differ', async () => {
    // The carrier delivered the caller without country code; call control kept only the national number.
    const session = await h.openSession({ callerPhone: null, callerNational: '4155551212' });
    const { ticket } = h.account.addInboundCall(CALLER);
    await ticketArrives(ticket);
    expect((await h.store.sessions.get(session.id))?.ticketMatch).toMatchObject({ method: 'national' });
  });

  it('reads a national-form ticket number in the region of the organisation’s own numbers', async () => {
    const session = await h.openSession();
    const { ticket } = h.account.addInboundCall('(415) 555-1212');
    await ticketArrives(ticket);
    expect((await h.store.sessions.get(session.id))?.ticketMatch).toMatchObject({ method: 'e164' });
  });

  it('uses the requester phone when the ticket has no via.source (shape unconfirmed)', async () => {
    const session = await h.openSession();
    const { ticket } = h.account.addInboundCall(CALLER);
    ticket.via = { channel: 'voice', source: {} };
    await ticketArrives(ticket);
    expect(await ticketOf(session.id)).toBe(String(ticket.id));
  });
});

describe('ticket before call', () => {
  it('keeps an unmatched phone ticket pending and stamps it when the session opens', async () => {
    const { ticket } = h.account.addInboundCall(CALLER);
    await ticketArrives(ticket);
    expect(h.settled.at(-1)?.outcome).toMatchObject({ kind: 'processed' });

    h.clock.advance(3_000);
    const session = await h.openSession();
    await h.idle();
    const stored = await h.store.sessions.get(session.id);
    expect(stored?.ticketId).toBe(String(ticket.id));
    expect(stored?.ticketMatch).toMatchObject({ ticketFirst: true, method: 'e164' });
    // Enrichment ran for the late match too.
    const contact = await h.store.contacts.get(stored!.contactId!);
    expect(contact?.zendeskUserId).toBe(String(ticket.requester_id));
  });

  it('lets a pending ticket expire after the configured window', async () => {
    const { ticket } = h.account.addInboundCall(CALLER);
    await ticketArrives(ticket);
    h.clock.advance(h.settings.pendingTicketWindowMs + 1);
    const session = await h.openSession();
    await h.idle();
    expect(await ticketOf(session.id)).toBeNull();
  });

  it('gives two waiting tickets from one number to the calls in arrival order', async () => {
    const first = h.account.addInboundCall(CALLER).ticket;
    await ticketArrives(first);
    h.clock.advance(10);
    const second = h.account.addInboundCall(CALLER).ticket;
    await ticketArrives(second);
    const a = await h.openSession();
    h.clock.advance(10);
    const b = await h.openSession();
    await h.idle();
    expect(await ticketOf(a.id)).toBe(String(first.id));
    expect(await ticketOf(b.id)).toBe(String(second.id));
  });
});

describe('several calls from one number', () => {
  it('stamps the most recent live session first, then the next one, recording the candidate count', async () => {
    const older = await h.openSession({ createdAt: h.clock.now() - 20_000 });
    const newer = await h.openSession({ createdAt: h.clock.now() - 5_000 });
    const t1 = h.account.addInboundCall(CALLER).ticket;
    await ticketArrives(t1);
    expect(await ticketOf(newer.id)).toBe(String(t1.id));
    expect((await h.store.sessions.get(newer.id))?.ticketMatch).toMatchObject({ candidates: 2 });
    expect(await ticketOf(older.id)).toBeNull();

    const t2 = h.account.addInboundCall(CALLER).ticket;
    await ticketArrives(t2);
    expect(await ticketOf(older.id)).toBe(String(t2.id));
    expect((await h.store.sessions.get(older.id))?.ticketMatch).toMatchObject({ candidates: 1 });
  });

  it('never stamps an ended session, nor a session of another organisation', async () => {
    await h.openSession({ state: 'ended', endedAt: h.clock.now() });
    await h.openSession({ orgId: OTHER_ORG_ID });
    const { ticket } = h.account.addInboundCall(CALLER);
    await ticketArrives(ticket);
    expect(h.settled.at(-1)?.outcome).toMatchObject({ kind: 'processed', note: expect.stringMatching(/waits for its call/) });
  });
});

describe('anonymous callers', () => {
  it('never matches an anonymous session, neither to a new ticket nor to a pending one', async () => {
    const anonymous = await h.openSession({ anonymous: true, callerPhone: null, callerNational: null });
    const { ticket } = h.account.addInboundCall(CALLER);
    await ticketArrives(ticket);
    expect(await ticketOf(anonymous.id)).toBeNull();
    const another = await h.openSession({ anonymous: true, callerPhone: null, callerNational: null });
    await h.idle();
    expect(await ticketOf(another.id)).toBeNull();
    // The ticket still waits for the real caller.
    const caller = await h.openSession();
    await h.idle();
    expect(await ticketOf(caller.id)).toBe(String(ticket.id));
  });

  it('ignores a ticket without any caller number (Talk: blocked caller id)', async () => {
    const requester = h.account.addUser({ name: 'Caller (blocked)' });
    const ticket = h.account.addTicket({ requester_id: requester.id, via: { channel: 'voice', source: { from: {}, rel: 'inbound' } } });
    await h.openSession();
    await ticketArrives(ticket);
    expect(h.settled.at(-1)?.outcome).toMatchObject({ kind: 'ignored', reason: expect.stringMatching(/no caller number/) });
  });
});

describe('tickets that are not inbound calls', () => {
  it('ignores an e-mail ticket from the event alone, without calling Zendesk', async () => {
    await h.openSession();
    const requester = h.account.addUser({ name: 'Mail', email: 'm@example.com', phone: CALLER });
    const ticket = h.account.addTicket({ requester_id: requester.id, via: { channel: 'web_service', source: {} } });
    await ticketArrives(ticket);
    expect(h.settled.at(-1)?.outcome).toMatchObject({ kind: 'ignored' });
    expect(h.standin.requestsTo('GET', `/api/v2/tickets/${ticket.id}`)).toHaveLength(0);
  });

  it('ignores an outbound call ticket after fetching it', async () => {
    const session = await h.openSession();
    const { ticket } = h.account.addInboundCall(CALLER, '+14155550000', 'outbound');
    await ticketArrives(ticket);
    expect(h.settled.at(-1)?.outcome).toMatchObject({ kind: 'ignored', reason: expect.stringMatching(/not an inbound phone ticket/) });
    expect(await ticketOf(session.id)).toBeNull();
  });
});

describe('ticket activity on the timeline', () => {
  it('records status changes and messages of a stamped ticket, and ignores other tickets', async () => {
    const session = await h.openSession();
    const { ticket } = h.account.addInboundCall(CALLER);
    await ticketArrives(ticket);
    await h.standin.emit(h.account, ticketStatusChangedEvent(h.account, ticket, 'new', 'open'));
    await h.standin.emit(h.account, messageAddedEvent(h.account, ticket, { body: 'We are on it', actorType: 'agent', actorName: 'Dana' }));
    const other = h.account.addInboundCall('+14155550199').ticket;
    await h.standin.emit(h.account, ticketStatusChangedEvent(h.account, other, 'new', 'solved'));
    await h.idle();

    const timeline = await h.store.sessions.timeline(session.id);
    expect(timeline.map((e) => e.type)).toEqual(['ticket.stamped', 'contact.enriched', 'ticket.status_changed', 'ticket.message_added']);
    expect(timeline[2]!.data).toMatchObject({ ticketId: String(ticket.id), previous: 'NEW', current: 'OPEN' });
    expect(timeline[3]!.data).toMatchObject({ ticketId: String(ticket.id), body: 'We are on it', actorType: 'agent', actorName: 'Dana' });
    expect(h.settled.at(-1)?.outcome).toMatchObject({ kind: 'ignored', reason: expect.stringMatching(/not stamped/) });
  });
});
