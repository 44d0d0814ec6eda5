import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SessionService } from '../../src/sessions/session-service.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/open-sqlite-store.js';
import { makeTempDir } from '../helpers/temp-dir.js';

describe('SessionService', () => {
  let store: SqliteStore;
  let dir: { path: string; remove: () => void };
  let clock = 1_000;
  let service: SessionService;
  const input = { orgId: 'demo', agentId: 'agent-1', dialledNumber: '+15550100', callerPhone: '+15550123', callerNational: '5550123', anonymous: false, callId: 'c1@carrier' };

  beforeEach(async () => {
    clock = 1_000;
    dir = makeTempDir('talkbridge-sessions-');
    store = await openSqliteStore(dir.path, { now: () => clock });
    service = new SessionService({ sessions: store.sessions, instanceId: 'tb-7', now: () => clock });
  });
  afterEach(async () => {
    await store.close();
    dir.remove();
  });

  it('opens a connecting session owned by this instance, with a ses_ id and a timeline entry', async () => {
    const session = await service.open(input);
    expect(session).toMatchObject({ ...input, state: 'connecting', instanceId: 'tb-7', createdAt: 1000, ticketId: null, contactId: null });
    expect(session.id).toMatch(/^ses_[0-9a-z]{26}$/);
    expect(await store.sessions.get(session.id)).toEqual(session);
    expect(await store.sessions.timeline(session.id)).toEqual([{ sessionId: session.id, at: 1000, type: 'session.opened', data: { callId: 'c1@carrier', anonymous: false, agentId: 'agent-1' } }]);
  });

  it('drops caller digits of an anonymous session', async () => {
    const session = await service.open({ ...input, anonymous: true });
    expect(session).toMatchObject({ anonymous: true, callerPhone: null, callerNational: null });
  });

  it('moves through the lifecycle, stamping answeredAt / endedAt, and rejects invalid steps', async () => {
    const session = await service.open(input);
    clock = 2_000;
    expect(await service.transition(session.id, 'live')).toMatchObject({ ok: true, session: { state: 'live', answeredAt: 2000 } });
    const backwards = await service.transition(session.id, 'connecting');
    expect(backwards).toMatchObject({ ok: false, reason: 'invalid_transition', detail: 'a live session cannot become connecting' });
    clock = 3_000;
    expect(await service.transition(session.id, 'ended', { endReason: 'caller_hangup' })).toMatchObject({ ok: true, session: { state: 'ended', endedAt: 3000, endReason: 'caller_hangup' } });
    expect(await service.transition(session.id, 'live')).toMatchObject({ ok: false, reason: 'invalid_transition' });
    expect(await service.transition('ses_unknown', 'live')).toMatchObject({ ok: false, reason: 'unknown_session' });
    expect((await store.sessions.timeline(session.id)).map((e) => e.type)).toEqual(['session.opened', 'session.live', 'session.ended']);
  });

  it('stamps a ticket once and records it on the timeline', async () => {
    const session = await service.open(input);
    const match = { ticketId: '42', method: 'e164' as const, candidates: 1, ticketFirst: false, matchedAt: 1500 };
    expect(await service.stampTicket(session.id, match)).toBe(true);
    expect(await service.stampTicket(session.id, { ...match, ticketId: '43' })).toBe(false);
    const timeline = await store.sessions.timeline(session.id);
    expect(timeline.filter((e) => e.type === 'ticket.stamped')).toEqual([{ sessionId: session.id, at: 1000, type: 'ticket.stamped', data: match }]);
  });
});
