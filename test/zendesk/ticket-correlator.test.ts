/** The correlator on the real SQLite store: the ticket/INVITE race and the session-opened hook. */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { SessionEvents } from '../../src/sessions/session-events.js';
import type { Session, TicketMatch } from '../../src/sessions/session.js';
import { newId, openSqliteStore, type SqliteStore } from '../../src/store/index.js';
import { TicketCorrelator } from '../../src/zendesk/ticket-correlator.js';
import { makeTempDir } from '../helpers/temp-dir.js';

let tmp: { path: string; remove: () => void };
let store: SqliteStore;
let events: SessionEvents;
let stamped: { session: Session; match: TicketMatch }[];
let correlator: TicketCorrelator;
const now = Date.now();

function session(fields: Partial<Session> = {}): Session {
  return {
    id: newId('ses', now),
    orgId: 'org-a',
    agentId: 'agent-1',
    dialledNumber: '+14155550000',
    callerPhone: '+14155551212',
    callerNational: '4155551212',
    anonymous: false,
    callId: randomUUID(),
    state: 'live',
    endReason: null,
    contactId: null,
    ticketId: null,
    ticketMatch: null,
    instanceId: 'i1',
    createdAt: now,
    answeredAt: null,
    endedAt: null,
    updatedAt: now,
    ...fields,
  };
}

beforeEach(async () => {
  tmp = makeTempDir('talkbridge-corr-');
  store = await openSqliteStore(tmp.path, { secretKey: Buffer.alloc(32, 1) });
  events = new SessionEvents();
  stamped = [];
  correlator = new TicketCorrelator({
    store,
    events,
    pendingTicketWindowMs: 60_000,
    onStamped: async (s, match) => {
      stamped.push({ session: s, match });
    },
    logger: createLogger({ level: 'silent' }),
    now: () => now,
  });
  correlator.attach(events);
});
afterEach(async () => {
  await store.close();
  tmp.remove();
});

describe('TicketCorrelator', () => {
  it('meets a session stored while the ticket was being parked (publish, then check)', async () => {
    const racing = session();
    const addPending = store.zendesk.addPendingTicket.bind(store.zendesk);
    // The INVITE lands between the ticket's candidate search and its pending insert: the session's
    // own check finds no pending ticket yet, so only the ticket side's re-check can meet it.
    store.zendesk.addPendingTicket = async (ticket) => {
      await store.sessions.create(racing);
      await events.opened(racing);
      await addPending(ticket);
    };
    const outcome = await correlator.correlate('org-a', '5158', ['+14155551212']);
    expect(outcome).toMatchObject({ kind: 'stamped', sessionId: racing.id, match: { ticketFirst: true } });
    expect((await store.sessions.get(racing.id))?.ticketId).toBe('5158');
    expect(await store.zendesk.takePendingTicket('org-a', { phone: '+14155551212', national: null }, now)).toBeNull();
    expect(stamped).toHaveLength(1);
  });

  it('puts a pending ticket back when the opening session got a ticket meanwhile', async () => {
    await correlator.correlate('org-a', '7', ['+14155551212']);
    const already = session({ ticketId: '99', ticketMatch: { ticketId: '99', method: 'e164', candidates: 1, ticketFirst: false, matchedAt: now } });
    await store.sessions.create(already);
    expect(await correlator.matchPendingTicketForSession(already)).toBeNull();
    const next = session();
    await store.sessions.create(next);
    expect(await correlator.matchPendingTicketForSession(next)).toMatchObject({ ticketId: '7', ticketFirst: true });
  });

  it('never throws into the call path: a store failure is logged and reported as no match', async () => {
    store.zendesk.takePendingTicket = async () => {
      throw new Error('disk on fire');
    };
    const s = session();
    await expect(correlator.matchPendingTicketForSession(s)).resolves.toBeNull();
  });

  it.each<[string, string, Partial<Session>, 'e164' | 'national']>([
    ['E.164 as written', '+14155551212', {}, 'e164'],
    ['national form', '(415) 555-1212', {}, 'national'],
    ['E.164 whose session only has the national number', '+14155551212', { callerPhone: null }, 'national'],
  ])('matches the newest live session the same way whichever the form (%s)', async (_name, written, fields, method) => {
    const older = session({ ...fields, createdAt: now - 1_000 });
    const newer = session({ ...fields, createdAt: now });
    await store.sessions.create(older);
    await store.sessions.create(newer);
    const outcome = await correlator.correlate('org-a', '77', [written]);
    expect(outcome).toMatchObject({ kind: 'stamped', sessionId: newer.id, match: { method, candidates: 2, ticketFirst: false } });
    expect(stamped.map((s) => s.session.id)).toEqual([newer.id]);
  });

  it('returns no_caller for numbers that are not phone numbers', async () => {
    expect(await correlator.correlate('org-a', '1', ['anonymous', ''])).toEqual({ kind: 'no_caller' });
  });
});

describe('SessionEvents', () => {
  it('runs every listener even when one throws, and reports the error', async () => {
    const errors: unknown[] = [];
    const bus = new SessionEvents({ onListenerError: (e) => errors.push(e) });
    const seen: string[] = [];
    bus.onOpened(() => {
      throw new Error('boom');
    });
    const off = bus.onOpened(async (s) => {
      seen.push(s.id);
    });
    await bus.opened(session({ id: 'ses_a' }));
    off();
    await bus.opened(session({ id: 'ses_b' }));
    expect(seen).toEqual(['ses_a']);
    expect(errors).toHaveLength(2);
  });
});
