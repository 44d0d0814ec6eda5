/**
 * Retention end to end, on both stores: signed deliveries received over HTTP, processed, then
 * purged by the integration's purger only once settled and older than zendesk.deliveryRetentionHours;
 * until then a redelivery is a duplicate, a delivery still retrying is kept however old.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServerHandle } from '../helpers/redis-server.js';
import { ticketCreatedEvent, unknownEvent } from '../helpers/zendesk-events.js';
import { CALLER, type HarnessOptions, ZendeskHarness } from '../helpers/zendesk-harness.js';

const RETENTION_MS = 72 * 3_600_000;

let redis: RedisServerHandle;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis.stop();
});

describe.each([
  ['sqlite', (): HarnessOptions['store'] => 'sqlite'],
  ['redis', (): HarnessOptions['store'] => ({ redisUrl: redis.url })],
])('delivery retention on %s', (_name, storeOption) => {
  let h: ZendeskHarness;
  afterEach(async () => {
    await h.close();
  });

  it('keeps deduplicating redeliveries for the whole retention, then forgets settled deliveries only', async () => {
    h = await ZendeskHarness.start({ store: storeOption(), settings: { retention: { deliveryRetentionMs: RETENTION_MS } } });
    await h.connect();
    const session = await h.openSession();
    const { ticket } = h.account.addInboundCall(CALLER);
    const created = ticketCreatedEvent(h.account, ticket, new Date(h.clock.now()));
    const unknown = unknownEvent(h.account, new Date(h.clock.now()));
    const signedNow = (): { at: Date } => ({ at: new Date(h.clock.now()) });
    await h.standin.emit(h.account, created, signedNow());
    // Not subscribed to, so only sent by hand: recorded as ignored at once.
    await h.standin.deliver(h.account, h.ourWebhook(), unknown, signedNow());
    await h.idle();
    expect((await h.store.sessions.get(session.id))?.ticketId).toBe(String(ticket.id));

    // A delivery that keeps failing is still retrying when the others are long past the retention.
    h.standin.fault({ path: /^\/api\/v2\/tickets/, status: 500, times: Infinity });
    const failing = ticketCreatedEvent(h.account, h.account.addInboundCall('+14155550199').ticket, new Date(h.clock.now()));
    await h.standin.emit(h.account, failing, signedNow());
    await h.idle();

    h.clock.advance(RETENTION_MS - 60_000);
    expect(await h.integration.purger.runOnce()).toMatchObject({ deliveries: 0, failed: [] });
    const [again] = await h.standin.emit(h.account, created, signedNow());
    expect(JSON.parse(again!.body)).toEqual({ status: 'duplicate', deliveryId: created.id });

    h.clock.advance(2 * 60_000);
    // The ticket.created, the contact enrichment job it queued, the unknown event.
    expect(await h.integration.purger.runOnce()).toEqual({ deliveries: 3, leases: expect.any(Number) as number, failed: [] });
    expect(await h.integration.purger.runOnce()).toMatchObject({ deliveries: 0, leases: 0 });
    expect((await h.store.zendesk.dueDeliveries(h.clock.now(), 10)).map((d) => d.id)).toEqual([failing.id]);
    // Forgotten: the same event id is recorded as a new delivery now (no longer "duplicate"); Zendesk
    // stopped redelivering days ago.
    const late = await h.standin.deliver(h.account, h.ourWebhook(), unknown, signedNow());
    expect(JSON.parse(late.body)).toEqual({ status: 'ignored', deliveryId: unknown.id });
    await h.idle();
  });
});
