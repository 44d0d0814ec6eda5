/** The correlation contract on the scale-out store: the same flows against a real redis-server. */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServerHandle } from '../helpers/redis-server.js';
import { ticketCreatedEvent, ticketStatusChangedEvent } from '../helpers/zendesk-events.js';
import { CALLER, ZendeskHarness } from '../helpers/zendesk-harness.js';

let redis: RedisServerHandle;
let h: ZendeskHarness;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis.stop();
});
beforeEach(async () => {
  h = await ZendeskHarness.start({ store: { redisUrl: redis.url } });
  await h.connect();
});
afterEach(async () => {
  await h.close();
});

describe('correlation on Redis', () => {
  it('call before ticket, replayed delivery processed once, activity on the timeline', async () => {
    const session = await h.openSession();
    const { ticket } = h.account.addInboundCall(CALLER);
    const event = ticketCreatedEvent(h.account, ticket);
    await h.standin.emit(h.account, event);
    const [again] = await h.standin.emit(h.account, event);
    expect(JSON.parse(again!.body)).toMatchObject({ status: 'duplicate' });
    await h.standin.emit(h.account, ticketStatusChangedEvent(h.account, ticket, 'new', 'open'));
    await h.idle();
    expect((await h.store.sessions.get(session.id))?.ticketMatch).toMatchObject({ ticketId: String(ticket.id), method: 'e164', ticketFirst: false });
    const types = (await h.store.sessions.timeline(session.id)).map((e) => e.type);
    expect(types.filter((t) => t === 'ticket.stamped')).toHaveLength(1);
    expect(types).toContain('ticket.status_changed');
    expect(types).toContain('contact.enriched');
  });

  it('ticket before call', async () => {
    const { ticket } = h.account.addInboundCall(CALLER);
    await h.standin.emit(h.account, ticketCreatedEvent(h.account, ticket));
    await h.idle();
    const session = await h.openSession();
    await h.idle();
    expect((await h.store.sessions.get(session.id))?.ticketMatch).toMatchObject({ ticketId: String(ticket.id), ticketFirst: true });
  });

  it('two callers from one number get one ticket each, newest first; anonymous never matches', async () => {
    await h.openSession({ anonymous: true, callerPhone: null, callerNational: null, createdAt: h.clock.now() });
    const older = await h.openSession({ createdAt: h.clock.now() - 20_000 });
    const newer = await h.openSession({ createdAt: h.clock.now() - 5_000 });
    const t1 = h.account.addInboundCall(CALLER).ticket;
    const t2 = h.account.addInboundCall(CALLER).ticket;
    await h.standin.emit(h.account, ticketCreatedEvent(h.account, t1));
    await h.idle();
    await h.standin.emit(h.account, ticketCreatedEvent(h.account, t2));
    await h.idle();
    expect((await h.store.sessions.get(newer.id))?.ticketId).toBe(String(t1.id));
    expect((await h.store.sessions.get(older.id))?.ticketId).toBe(String(t2.id));
  });
});
