/**
 * The behaviour every Store implementation must have (src/store/store.ts), run against SQLite and
 * Redis by sqlite-store.test.ts and redis-store.test.ts. Each test gets a fresh, empty store.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Contact } from '../../src/contacts/contact.js';
import { TalkbridgeError } from '../../src/errors.js';
import type { Session, TicketMatch, Transfer } from '../../src/sessions/session.js';
import type { Store, WebhookDelivery, ZendeskConnection } from '../../src/store/store.js';

export type StoreFactory = () => Promise<Store>;

let seq = 0;
export function aSession(overrides: Partial<Session> = {}): Session {
  seq += 1;
  const createdAt = overrides.createdAt ?? 1_700_000_000_000 + seq * 1000;
  return {
    id: `ses_${String(seq).padStart(6, '0')}`,
    orgId: 'org-a',
    agentId: 'agent-1',
    dialledNumber: '+15550100',
    callerPhone: '+15550123',
    callerNational: '5550123',
    anonymous: false,
    callId: `call-${seq}@carrier`,
    state: 'live',
    endReason: null,
    contactId: null,
    ticketId: null,
    ticketMatch: null,
    instanceId: 'tb-1',
    createdAt,
    answeredAt: createdAt + 100,
    endedAt: null,
    updatedAt: createdAt,
    ...overrides,
  };
}

function aMatch(ticketId: string, overrides: Partial<TicketMatch> = {}): TicketMatch {
  return { ticketId, method: 'e164', candidates: 1, ticketFirst: false, matchedAt: 1_700_000_500_000, ...overrides };
}

function aTransfer(overrides: Partial<Transfer> = {}): Transfer {
  seq += 1;
  return {
    id: `trf_${String(seq).padStart(6, '0')}`,
    sessionId: 'ses_x',
    orgId: 'org-a',
    destinationId: 'zendesk',
    destinationType: 'sip',
    target: 'sip:support@127.0.0.1:5092',
    state: 'pending',
    sipStatus: null,
    reason: null,
    fromSent: null,
    headersSent: [],
    idempotencyKey: null,
    createdAt: 1_700_000_000_000 + seq,
    completedAt: null,
    ...overrides,
  };
}

function aConnection(overrides: Partial<ZendeskConnection> = {}): ZendeskConnection {
  return {
    id: 'zdc_1',
    orgId: 'org-a',
    subdomain: 'acme',
    email: 'agent@acme.test',
    apiToken: 'token-plain-value',
    webhookId: null,
    signingSecret: null,
    state: 'connected',
    lastError: null,
    createdAt: 1,
    updatedAt: 1,
    ...overrides,
  };
}

export function aDelivery(overrides: Partial<WebhookDelivery> = {}): WebhookDelivery {
  return {
    id: 'evt-1',
    connectionId: 'zdc_1',
    orgId: 'org-a',
    eventType: 'zen:event-type:ticket.created',
    receivedAt: 1000,
    body: '{"id":"evt-1"}',
    status: 'pending',
    attempts: 0,
    nextAttemptAt: null,
    lastError: null,
    processedAt: null,
    ...overrides,
  };
}

export function describeStoreContract(name: string, factory: StoreFactory): void {
  describe(`${name} store contract`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await factory();
    });
    afterEach(async () => {
      await store.close();
    });

    describe('sessions', () => {
      it('creates and reads a session back field for field', async () => {
        const s = aSession({ ticketMatch: null, contactId: 'ctc_1' });
        await store.sessions.create(s);
        expect(await store.sessions.get(s.id)).toEqual(s);
        expect(await store.sessions.get('ses_unknown')).toBeNull();
      });

      it('lists newest first, filtered by state, live and limit, per organisation', async () => {
        const a = aSession({ state: 'live' });
        const b = aSession({ state: 'ended', endedAt: 5 });
        const c = aSession({ state: 'connecting' });
        const d = aSession({ state: 'transferred' });
        const other = aSession({ orgId: 'org-b' });
        for (const s of [a, b, c, d, other]) await store.sessions.create(s);
        expect((await store.sessions.list('org-a', {})).map((s) => s.id)).toEqual([d.id, c.id, b.id, a.id]);
        expect((await store.sessions.list('org-a', { state: 'live' })).map((s) => s.id)).toEqual([d.id, c.id, a.id]);
        expect((await store.sessions.list('org-a', { state: 'ended' })).map((s) => s.id)).toEqual([b.id]);
        expect((await store.sessions.list('org-a', { state: 'connecting' })).map((s) => s.id)).toEqual([c.id]);
        expect((await store.sessions.list('org-a', { limit: 2 })).map((s) => s.id)).toEqual([d.id, c.id]);
        expect((await store.sessions.list('org-b', {})).map((s) => s.id)).toEqual([other.id]);
        expect(await store.sessions.list('org-none', {})).toEqual([]);
      });

      it('updates mutable fields, bumps updatedAt, and keeps indexes in step', async () => {
        const s = aSession({ state: 'connecting', answeredAt: null });
        await store.sessions.create(s);
        const live = await store.sessions.update(s.id, { state: 'live', answeredAt: s.createdAt + 50, contactId: 'ctc_9' });
        expect(live).toMatchObject({ state: 'live', answeredAt: s.createdAt + 50, contactId: 'ctc_9', callerPhone: s.callerPhone });
        expect(live!.updatedAt).toBeGreaterThanOrEqual(s.updatedAt);
        const ended = await store.sessions.update(s.id, { state: 'ended', endReason: 'caller_hangup', endedAt: s.createdAt + 90 });
        expect(ended).toMatchObject({ state: 'ended', endReason: 'caller_hangup', contactId: 'ctc_9' });
        expect(await store.sessions.get(s.id)).toEqual(ended);
        expect(await store.sessions.list('org-a', { state: 'live' })).toEqual([]);
        expect((await store.sessions.list('org-a', { state: 'ended' })).map((x) => x.id)).toEqual([s.id]);
        expect(await store.sessions.findTicketCandidates('org-a', { phone: s.callerPhone, national: null })).toBeNull();
        expect(await store.sessions.update('ses_unknown', { state: 'ended' })).toBeNull();
      });

      it('updates only from the expected states, with its timeline event, and stores a first event with a new session', async () => {
        const s = aSession({ state: 'connecting', answeredAt: null });
        await store.sessions.create(s, [
          { sessionId: s.id, at: 1, type: 'session.opened', data: { callId: s.callId } },
          { sessionId: s.id, at: 1, type: 'call.invite', data: {} },
        ]);
        const live = await store.sessions.update(
          s.id,
          { state: 'live', answeredAt: 2 },
          { ifState: ['connecting'], event: { sessionId: s.id, at: 2, type: 'session.live', data: { ringingAt: null } } },
        );
        expect(live).toMatchObject({ state: 'live', answeredAt: 2 });
        // Refused (already live): nothing changes, no event.
        const refused = await store.sessions.update(
          s.id,
          { state: 'live', answeredAt: 3 },
          { ifState: ['connecting'], event: { sessionId: s.id, at: 3, type: 'session.live', data: {} } },
        );
        expect(refused).toBeNull();
        expect((await store.sessions.get(s.id))?.answeredAt).toBe(2);
        expect(await store.sessions.update('ses_unknown', { state: 'ended' }, { ifState: ['live'] })).toBeNull();
        expect((await store.sessions.timeline(s.id)).map((e) => [e.type, e.at, e.data])).toEqual([
          ['session.opened', 1, { callId: s.callId }],
          ['call.invite', 1, {}],
          ['session.live', 2, { ringingAt: null }],
        ]);
      });

      it('finds ticket candidates by exact E.164 first, newest first', async () => {
        const older = aSession();
        const newer = aSession();
        const sameNational = aSession({ callerPhone: '+445550123', callerNational: '5550123' });
        for (const s of [older, newer, sameNational]) await store.sessions.create(s);
        const found = await store.sessions.findTicketCandidates('org-a', { phone: '+15550123', national: '5550123' });
        expect(found?.method).toBe('e164');
        expect(found?.sessions.map((s) => s.id)).toEqual([newer.id, older.id]);
      });

      it('falls back to the national significant number when no exact match exists', async () => {
        const s = aSession({ callerPhone: '+15550123', callerNational: '5550123' });
        await store.sessions.create(s);
        const found = await store.sessions.findTicketCandidates('org-a', { phone: '+445550123', national: '5550123' });
        expect(found).toEqual({ method: 'national', sessions: [s] });
        expect(await store.sessions.findTicketCandidates('org-a', { phone: null, national: '5550123' })).toEqual({ method: 'national', sessions: [s] });
      });

      it('never offers ended, ticketed, anonymous or other-organisation sessions', async () => {
        const ended = aSession({ state: 'ended', endedAt: 1 });
        const anon = aSession({ anonymous: true });
        const other = aSession({ orgId: 'org-b' });
        const ticketed = aSession();
        for (const s of [ended, anon, other, ticketed]) await store.sessions.create(s);
        expect(await store.sessions.stampTicket(ticketed.id, aMatch('T1'))).toBe(true);
        expect(await store.sessions.findTicketCandidates('org-a', { phone: '+15550123', national: '5550123' })).toBeNull();
        expect(await store.sessions.findTicketCandidates('org-a', { phone: null, national: null })).toBeNull();
      });

      it('stamps a ticket only once (compare-and-set), also under concurrency', async () => {
        const s = aSession();
        await store.sessions.create(s);
        const results = await Promise.all(Array.from({ length: 10 }, (_, i) => store.sessions.stampTicket(s.id, aMatch(`T${i}`))));
        expect(results.filter(Boolean)).toHaveLength(1);
        const winner = `T${results.indexOf(true)}`;
        const stamped = await store.sessions.get(s.id);
        expect(stamped?.ticketId).toBe(winner);
        expect(stamped?.ticketMatch).toEqual(aMatch(winner));
        expect(await store.sessions.stampTicket(s.id, aMatch('T-late'))).toBe(false);
        expect(await store.sessions.stampTicket('ses_unknown', aMatch('T-x'))).toBe(false);
        expect((await store.sessions.get(s.id))?.ticketId).toBe(winner);
      });

      it('finds the session stamped with a ticket, per organisation, in any state', async () => {
        const s = aSession();
        await store.sessions.create(s);
        await store.sessions.stampTicket(s.id, aMatch('T42'));
        await store.sessions.update(s.id, { state: 'ended', endedAt: 9 });
        expect((await store.sessions.findByTicket('org-a', 'T42'))?.id).toBe(s.id);
        expect(await store.sessions.findByTicket('org-b', 'T42')).toBeNull();
        expect(await store.sessions.findByTicket('org-a', 'T43')).toBeNull();
      });

      it('appends timeline events in order', async () => {
        const s = aSession();
        await store.sessions.create(s);
        await store.sessions.appendEvent({ sessionId: s.id, at: 5, type: 'call.answered', data: { by: 'agent' } });
        await store.sessions.appendEvent({ sessionId: s.id, at: 5, type: 'ticket.stamped', data: { ticketId: 'T1', nested: { a: [1] } } });
        await store.sessions.appendEvent({ sessionId: 'ses_other', at: 1, type: 'x', data: {} });
        expect(await store.sessions.timeline(s.id)).toEqual([
          { sessionId: s.id, at: 5, type: 'call.answered', data: { by: 'agent' } },
          { sessionId: s.id, at: 5, type: 'ticket.stamped', data: { ticketId: 'T1', nested: { a: [1] } } },
        ]);
        expect(await store.sessions.timeline('ses_none')).toEqual([]);
      });
    });

    describe('transfers', () => {
      it('creates, reads, lists by session oldest first, and updates', async () => {
        const t1 = aTransfer({ sessionId: 'ses_t', headersSent: [{ name: 'X-OPENCX-SESSION-ID', value: 'ses_t' }] });
        const t2 = aTransfer({ sessionId: 'ses_t' });
        await store.transfers.create(t1);
        await store.transfers.create(t2);
        await store.transfers.create(aTransfer({ sessionId: 'ses_other' }));
        expect(await store.transfers.get(t1.id)).toEqual(t1);
        expect((await store.transfers.listBySession('ses_t')).map((t) => t.id)).toEqual([t1.id, t2.id]);
        const done = await store.transfers.update(t1.id, {
          state: 'busy',
          sipStatus: 486,
          reason: 'Busy Here',
          completedAt: 99,
          fromSent: '<sip:+15550123@127.0.0.1>',
          headersSent: [{ name: 'X-A', value: '1' }],
        });
        expect(done).toEqual({ ...t1, state: 'busy', sipStatus: 486, reason: 'Busy Here', completedAt: 99, fromSent: '<sip:+15550123@127.0.0.1>', headersSent: [{ name: 'X-A', value: '1' }] });
        expect(await store.transfers.get(t1.id)).toEqual(done);
        expect(await store.transfers.update('trf_unknown', { state: 'failed' })).toBeNull();
        expect(await store.transfers.get('trf_unknown')).toBeNull();
      });

      it('finds a transfer by idempotency key and refuses a second one with the same key', async () => {
        const t = aTransfer({ sessionId: 'ses_i', idempotencyKey: 'key-1' });
        await store.transfers.create(t);
        expect(await store.transfers.findByIdempotencyKey('ses_i', 'key-1')).toEqual(t);
        expect(await store.transfers.findByIdempotencyKey('ses_other', 'key-1')).toBeNull();
        const err = await store.transfers.create(aTransfer({ sessionId: 'ses_i', idempotencyKey: 'key-1' })).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(TalkbridgeError);
        expect((err as TalkbridgeError).code).toBe('API_ERR_CONFLICT');
        await store.transfers.create(aTransfer({ sessionId: 'ses_other', idempotencyKey: 'key-1' }));
      });
    });

    describe('contacts', () => {
      it('finds or creates by phone, per organisation, atomically', async () => {
        const created = await Promise.all(Array.from({ length: 8 }, () => store.contacts.findOrCreateByPhone('org-a', '+15550123', 10)));
        expect(new Set(created.map((c) => c.id)).size).toBe(1);
        const c = created[0] as Contact;
        expect(c).toMatchObject({ orgId: 'org-a', phone: '+15550123', name: null, email: null, customData: {}, createdAt: 10, updatedAt: 10 });
        expect(c.id).toMatch(/^ctc_/);
        expect(await store.contacts.findOrCreateByPhone('org-a', '+15550123', 20)).toEqual(c);
        const otherOrg = await store.contacts.findOrCreateByPhone('org-b', '+15550123', 20);
        expect(otherOrg.id).not.toBe(c.id);
        expect(await store.contacts.get(c.id)).toEqual(c);
        expect(await store.contacts.get('ctc_unknown')).toBeNull();
      });

      it('creates distinct anonymous contacts without a phone', async () => {
        const a = await store.contacts.createAnonymous('org-a', 5);
        const b = await store.contacts.createAnonymous('org-a', 5);
        expect(a.id).not.toBe(b.id);
        expect(a).toMatchObject({ phone: null, orgId: 'org-a', customData: {} });
        expect(await store.contacts.get(b.id)).toEqual(b);
      });

      it('updates only the patched fields', async () => {
        const c = await store.contacts.findOrCreateByPhone('org-a', '+15550123', 1);
        const updated = await store.contacts.update(c.id, { name: 'Ada', email: 'ada@example.test', customData: { plan: 'gold', org_tier: 2 } }, 7);
        expect(updated).toEqual({ ...c, name: 'Ada', email: 'ada@example.test', customData: { plan: 'gold', org_tier: 2 }, updatedAt: 7 });
        const again = await store.contacts.update(c.id, { zendeskUserId: '123', externalId: 'ext-1' }, 8);
        expect(again).toMatchObject({ name: 'Ada', zendeskUserId: '123', externalId: 'ext-1', updatedAt: 8 });
        expect(await store.contacts.get(c.id)).toEqual(again);
        expect(await store.contacts.update('ctc_unknown', { name: 'x' }, 9)).toBeNull();
      });

      it('gives an anonymous contact a phone, but refuses one already taken', async () => {
        const taken = await store.contacts.findOrCreateByPhone('org-a', '+15550123', 1);
        const anon = await store.contacts.createAnonymous('org-a', 1);
        const withPhone = await store.contacts.update(anon.id, { phone: '+15550199' }, 2);
        expect(withPhone?.phone).toBe('+15550199');
        expect((await store.contacts.findOrCreateByPhone('org-a', '+15550199', 3)).id).toBe(anon.id);
        const other = await store.contacts.createAnonymous('org-a', 1);
        const err = await store.contacts.update(other.id, { phone: taken.phone }, 4).catch((e: unknown) => e);
        expect((err as TalkbridgeError).code).toBe('API_ERR_CONFLICT');
        expect((await store.contacts.findOrCreateByPhone('org-a', '+15550123', 5)).id).toBe(taken.id);
      });
    });

    describe('zendesk', () => {
      it('saves, reads (secrets decrypted), replaces per organisation and deletes connections', async () => {
        const c = aConnection({ signingSecret: 'sig-secret', webhookId: 'wh-1' });
        await store.zendesk.saveConnection(c);
        expect(await store.zendesk.getConnection(c.id)).toEqual(c);
        expect(await store.zendesk.getConnectionByOrg('org-a')).toEqual(c);
        const updated = { ...c, state: 'error' as const, lastError: 'boom', signingSecret: null, updatedAt: 2 };
        await store.zendesk.saveConnection(updated);
        expect(await store.zendesk.getConnection(c.id)).toEqual(updated);
        const replacement = aConnection({ id: 'zdc_2', apiToken: 'new-token' });
        await store.zendesk.saveConnection(replacement);
        expect(await store.zendesk.getConnectionByOrg('org-a')).toEqual(replacement);
        expect(await store.zendesk.getConnection(c.id)).toBeNull();
        await store.zendesk.deleteConnection(replacement.id);
        expect(await store.zendesk.getConnection(replacement.id)).toBeNull();
        expect(await store.zendesk.getConnectionByOrg('org-a')).toBeNull();
      });

      it('records each delivery once per connection', async () => {
        expect(await store.zendesk.recordDelivery(aDelivery())).toBe(true);
        expect(await store.zendesk.recordDelivery(aDelivery({ body: '{"changed":true}' }))).toBe(false);
        expect(await store.zendesk.recordDelivery(aDelivery({ connectionId: 'zdc_2' }))).toBe(true);
        const concurrent = await Promise.all(Array.from({ length: 5 }, () => store.zendesk.recordDelivery(aDelivery({ id: 'evt-c' }))));
        expect(concurrent.filter(Boolean)).toHaveLength(1);
        const due = await store.zendesk.dueDeliveries(10_000, 10);
        expect(due.find((d) => d.id === 'evt-1' && d.connectionId === 'zdc_1')?.body).toBe('{"id":"evt-1"}');
      });

      it('lists due deliveries: pending, and failed whose retry time has come, oldest first', async () => {
        await store.zendesk.recordDelivery(aDelivery({ id: 'p2', receivedAt: 20 }));
        await store.zendesk.recordDelivery(aDelivery({ id: 'p1', receivedAt: 10 }));
        await store.zendesk.recordDelivery(aDelivery({ id: 'f-due', receivedAt: 15 }));
        await store.zendesk.recordDelivery(aDelivery({ id: 'f-later', receivedAt: 5 }));
        await store.zendesk.recordDelivery(aDelivery({ id: 'done', receivedAt: 1 }));
        await store.zendesk.updateDelivery('zdc_1', 'f-due', { status: 'failed', attempts: 1, nextAttemptAt: 100, lastError: 'Zendesk 500' });
        await store.zendesk.updateDelivery('zdc_1', 'f-later', { status: 'failed', attempts: 1, nextAttemptAt: 500 });
        await store.zendesk.updateDelivery('zdc_1', 'done', { status: 'processed', attempts: 1, processedAt: 3 });
        const due = await store.zendesk.dueDeliveries(100, 10);
        expect(due.map((d) => d.id)).toEqual(['p1', 'f-due', 'p2']);
        expect(due[1]).toMatchObject({ status: 'failed', attempts: 1, nextAttemptAt: 100, lastError: 'Zendesk 500' });
        expect((await store.zendesk.dueDeliveries(100, 2)).map((d) => d.id)).toEqual(['p1', 'f-due']);
        expect((await store.zendesk.dueDeliveries(1000, 10)).map((d) => d.id)).toEqual(['f-later', 'p1', 'f-due', 'p2']);
        await store.zendesk.updateDelivery('zdc_1', 'p1', { status: 'ignored', processedAt: 4 });
        expect((await store.zendesk.dueDeliveries(100, 10)).map((d) => d.id)).toEqual(['f-due', 'p2']);
      });

      it('keeps pending tickets until taken once, exact match first, oldest first, unexpired only', async () => {
        const base = { orgId: 'org-a', callerPhone: '+15550123', callerNational: '5550123' };
        await store.zendesk.addPendingTicket({ ...base, ticketId: 'T2', receivedAt: 20, expiresAt: 1000 });
        await store.zendesk.addPendingTicket({ ...base, ticketId: 'T1', receivedAt: 10, expiresAt: 1000 });
        await store.zendesk.addPendingTicket({ ...base, ticketId: 'T0', receivedAt: 5, expiresAt: 50 });
        await store.zendesk.addPendingTicket({ ...base, ticketId: 'T-nat', callerPhone: '+445550123', receivedAt: 1, expiresAt: 1000 });
        await store.zendesk.addPendingTicket({ ...base, orgId: 'org-b', ticketId: 'T-b', receivedAt: 1, expiresAt: 1000 });
        const caller = { phone: '+15550123', national: '5550123' };
        expect(await store.zendesk.takePendingTicket('org-a', caller, 100)).toEqual({ method: 'e164', ticket: { ...base, ticketId: 'T1', receivedAt: 10, expiresAt: 1000 } });
        expect((await store.zendesk.takePendingTicket('org-a', caller, 100))?.ticket.ticketId).toBe('T2');
        const national = await store.zendesk.takePendingTicket('org-a', caller, 100);
        expect(national?.method).toBe('national');
        expect(national?.ticket.ticketId).toBe('T-nat');
        expect(await store.zendesk.takePendingTicket('org-a', caller, 100)).toBeNull();
        expect(await store.zendesk.takePendingTicket('org-a', { phone: null, national: null }, 0)).toBeNull();
        expect((await store.zendesk.takePendingTicket('org-b', caller, 100))?.ticket.ticketId).toBe('T-b');
      });

      it('hands one pending ticket to only one of several concurrent takers', async () => {
        await store.zendesk.addPendingTicket({ orgId: 'org-a', ticketId: 'T1', callerPhone: '+15550123', callerNational: '5550123', receivedAt: 1, expiresAt: 1000 });
        const taken = await Promise.all(Array.from({ length: 6 }, () => store.zendesk.takePendingTicket('org-a', { phone: '+15550123', national: '5550123' }, 2)));
        expect(taken.filter((t) => t !== null)).toHaveLength(1);
      });

      it('purges expired pending tickets and counts them', async () => {
        const base = { orgId: 'org-a', callerPhone: '+15550123', callerNational: '5550123', receivedAt: 1 };
        await store.zendesk.addPendingTicket({ ...base, ticketId: 'A', expiresAt: 10 });
        await store.zendesk.addPendingTicket({ ...base, ticketId: 'B', expiresAt: 20 });
        await store.zendesk.addPendingTicket({ ...base, ticketId: 'C', expiresAt: 30 });
        expect(await store.zendesk.purgeExpiredPendingTickets(20)).toBe(2);
        expect(await store.zendesk.purgeExpiredPendingTickets(20)).toBe(0);
        expect((await store.zendesk.takePendingTicket('org-a', { phone: '+15550123', national: null }, 0))?.ticket.ticketId).toBe('C');
      });
    });

    describe('delivery retention', () => {
      /** Whether the store still holds this delivery: recording it again is refused as a duplicate. */
      const kept = async (id: string): Promise<boolean> => !(await store.zendesk.recordDelivery(aDelivery({ id, receivedAt: 1 })));

      it('purges settled deliveries received before the cutoff, and nothing pending, retrying or recent', async () => {
        const old = 1000;
        await store.zendesk.recordDelivery(aDelivery({ id: 'processed-old', receivedAt: old }));
        await store.zendesk.updateDelivery('zdc_1', 'processed-old', { status: 'processed', attempts: 1, processedAt: old + 1 });
        await store.zendesk.recordDelivery(aDelivery({ id: 'ignored-old', receivedAt: old, status: 'ignored', processedAt: old, lastError: 'event type not handled' }));
        await store.zendesk.recordDelivery(aDelivery({ id: 'gave-up-old', receivedAt: old }));
        await store.zendesk.updateDelivery('zdc_1', 'gave-up-old', { status: 'failed', attempts: 8, nextAttemptAt: null, lastError: 'gave up' });
        await store.zendesk.recordDelivery(aDelivery({ id: 'retrying-old', receivedAt: old }));
        await store.zendesk.updateDelivery('zdc_1', 'retrying-old', { status: 'failed', attempts: 1, nextAttemptAt: 2000, lastError: 'Zendesk 500' });
        await store.zendesk.recordDelivery(aDelivery({ id: 'pending-old', receivedAt: old }));
        await store.zendesk.recordDelivery(aDelivery({ id: 'processed-at-cutoff', receivedAt: 5000 }));
        await store.zendesk.updateDelivery('zdc_1', 'processed-at-cutoff', { status: 'processed', attempts: 1, processedAt: 5000 });
        await store.zendesk.recordDelivery(aDelivery({ id: 'processed-recent', receivedAt: 9000 }));
        await store.zendesk.updateDelivery('zdc_1', 'processed-recent', { status: 'processed', attempts: 1, processedAt: 9000 });

        expect(await store.zendesk.purgeSettledDeliveries(5000, 100)).toEqual({ deleted: 3, done: true });
        expect(await store.zendesk.purgeSettledDeliveries(5000, 100)).toEqual({ deleted: 0, done: true });
        // What is still to process is untouched, record and all.
        const due = await store.zendesk.dueDeliveries(2000, 10);
        expect(due.map((d) => d.id)).toEqual(['pending-old', 'retrying-old']);
        expect(due[1]).toMatchObject({ status: 'failed', attempts: 1, nextAttemptAt: 2000, lastError: 'Zendesk 500' });
        for (const id of ['retrying-old', 'pending-old', 'processed-at-cutoff', 'processed-recent']) expect(await kept(id), id).toBe(true);
        for (const id of ['processed-old', 'ignored-old', 'gave-up-old']) expect(await kept(id), id).toBe(false);
      });

      it('purges a delivery only once it settles', async () => {
        await store.zendesk.recordDelivery(aDelivery({ id: 'd', receivedAt: 1000 }));
        expect((await store.zendesk.purgeSettledDeliveries(9000, 10)).deleted).toBe(0);
        await store.zendesk.updateDelivery('zdc_1', 'd', { status: 'failed', attempts: 1, nextAttemptAt: 3000 });
        expect((await store.zendesk.purgeSettledDeliveries(9000, 10)).deleted).toBe(0);
        await store.zendesk.updateDelivery('zdc_1', 'd', { status: 'failed', attempts: 2, nextAttemptAt: null, lastError: 'gave up' });
        expect((await store.zendesk.purgeSettledDeliveries(9000, 10)).deleted).toBe(1);
        expect(await kept('d')).toBe(false);
      });

      it('purges in batches of at most `limit`, oldest first, until done', async () => {
        for (let i = 0; i < 25; i++) {
          await store.zendesk.recordDelivery(aDelivery({ id: `e${i}`, receivedAt: 100 + i, status: 'ignored', processedAt: 100 + i }));
        }
        expect(await store.zendesk.purgeSettledDeliveries(10_000, 10)).toEqual({ deleted: 10, done: false });
        const left = [];
        for (let i = 0; i < 25; i++) if (await kept(`e${i}`)) left.push(i);
        expect(left).toEqual(Array.from({ length: 15 }, (_, i) => i + 10));
        expect(await store.zendesk.purgeSettledDeliveries(10_000, 10)).toEqual({ deleted: 10, done: false });
        expect(await store.zendesk.purgeSettledDeliveries(10_000, 10)).toEqual({ deleted: 5, done: true });
      });
    });

    describe('idempotency', () => {
      it('claims a key once per scope and returns the earlier value', async () => {
        expect(await store.idempotency.claim('transfer:ses_1', 'k', 'trf_1', 60_000, 1000)).toBeNull();
        expect(await store.idempotency.claim('transfer:ses_1', 'k', 'trf_2', 60_000, 2000)).toBe('trf_1');
        expect(await store.idempotency.claim('transfer:ses_2', 'k', 'trf_3', 60_000, 2000)).toBeNull();
        // Expiry follows the `now` the caller passes, so fake clocks work on every store.
        expect(await store.idempotency.claim('s', 'old', 'a', 60_000, 1000)).toBeNull();
        expect(await store.idempotency.claim('s', 'old', 'b', 60_000, 61_000)).toBeNull();
        expect(await store.idempotency.claim('s', 'old', 'c', 60_000, 61_001)).toBe('b');
        const racing = await Promise.all(Array.from({ length: 6 }, (_, i) => store.idempotency.claim('s', 'race', `v${i}`, 60_000, 1)));
        expect(racing.filter((r) => r === null)).toHaveLength(1);
      });

      it('purging expired claims never frees a live one', async () => {
        expect(await store.idempotency.claim('lease', 'expired', 'a', 1000, 0)).toBeNull();
        expect(await store.idempotency.claim('lease', 'live', 'b', 60_000, 0)).toBeNull();
        const batch = await store.idempotency.purgeExpired(2000, 100);
        expect(batch.done).toBe(true);
        expect(await store.idempotency.claim('lease', 'live', 'c', 60_000, 2000)).toBe('b');
        expect(await store.idempotency.claim('lease', 'expired', 'd', 60_000, 2000)).toBeNull();
      });
    });
  });
}
