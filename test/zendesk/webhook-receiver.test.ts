/**
 * POST /webhooks/zendesk/{connectionId} over real HTTP, with deliveries signed by the stand-in exactly
 * as Zendesk signs them: signature before parsing, stale timestamps, malformed bodies, unknown event
 * types, and redeliveries processed once.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { ticketCreatedEvent, ticketStatusChangedEvent, unknownEvent } from '../helpers/zendesk-events.js';
import { CALLER, ZendeskHarness } from '../helpers/zendesk-harness.js';

let h: ZendeskHarness;
beforeEach(async () => {
  h = await ZendeskHarness.start();
  await h.connect();
});
afterEach(async () => {
  await h.close();
});

async function deliveries(): Promise<{ id: string; status: string }[]> {
  // Every recorded delivery, whatever its status (dueDeliveries shows only open ones).
  const store = h.store as unknown as { db?: { prepare(sql: string): { all(): { id: string; status: string }[] } } };
  return store.db!.prepare('SELECT id, status FROM webhook_deliveries ORDER BY received_at').all();
}

describe('webhook receipt', () => {
  it('accepts a correctly signed delivery with 200 and records it before answering', async () => {
    const { ticket } = h.account.addInboundCall(CALLER);
    const event = ticketCreatedEvent(h.account, ticket);
    const [result] = await h.standin.emit(h.account, event);
    expect(result).toMatchObject({ status: 200 });
    expect(JSON.parse(result!.body)).toEqual({ status: 'accepted', deliveryId: event.id });
    expect((await deliveries()).map((d) => d.id)).toContain(event.id);
    await h.idle();
  });

  it.each([
    ['signed with another secret', { secret: 'not-the-secret' }],
    ['signed with the Zendesk test secret', { secret: 'dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ==' }],
    ['with the body altered after signing', { tamper: (b: string) => b.replace('ticket.created', 'ticket.deleted') }],
    ['with one byte added after signing', { tamper: (b: string) => `${b} ` }],
  ])('rejects a delivery %s with 401 and records nothing', async (_what, options) => {
    const { ticket } = h.account.addInboundCall(CALLER);
    const result = await h.standin.deliver(h.account, h.ourWebhook(), ticketCreatedEvent(h.account, ticket), options);
    expect(result.status).toBe(401);
    expect(JSON.parse(result.body)).toMatchObject({ code: 'WEBHOOK_ERR_SIGNATURE' });
    expect(await deliveries()).toEqual([]);
    expect(h.standin.requestsTo('GET', /^\/api\/v2\/tickets/)).toHaveLength(0);
  });

  it.each([
    ['10 minutes old', -10 * 60_000],
    ['10 minutes in the future', 10 * 60_000],
  ])('rejects a correctly signed delivery whose timestamp is %s (401 WEBHOOK_ERR_STALE)', async (_what, offset) => {
    const { ticket } = h.account.addInboundCall(CALLER);
    const at = new Date(h.clock.now() + offset);
    const result = await h.standin.deliver(h.account, h.ourWebhook(), ticketCreatedEvent(h.account, ticket), { at });
    expect(result.status).toBe(401);
    expect(JSON.parse(result.body)).toMatchObject({ code: 'WEBHOOK_ERR_STALE' });
    expect(await deliveries()).toEqual([]);
  });

  it('rejects requests without signature headers (401) and for an unknown connection (404)', async () => {
    const body = JSON.stringify(unknownEvent(h.account));
    const bare = await request(h.ourWebhook().endpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(bare.statusCode).toBe(401);
    await bare.body.text();
    const webhook = { ...h.ourWebhook(), endpoint: `${h.baseUrl}/webhooks/zendesk/zdc_unknown` };
    expect((await h.standin.deliver(h.account, webhook, unknownEvent(h.account))).status).toBe(404);
  });

  it('answers 400 to a correctly signed body that is not JSON or not an event', async () => {
    const notJson = await h.standin.deliver(h.account, h.ourWebhook(), unknownEvent(h.account), { rawBody: '{"type": "zen:event-type:ticket.created", ' });
    expect(notJson.status).toBe(400);
    expect(JSON.parse(notJson.body)).toMatchObject({ code: 'WEBHOOK_ERR_MALFORMED' });
    const notEvent = await h.standin.deliver(h.account, h.ourWebhook(), unknownEvent(h.account), { rawBody: '[1,2,3]' });
    expect(notEvent.status).toBe(400);
    expect(await deliveries()).toEqual([]);
  });

  it('accepts an unknown event type with 200 and ignores it', async () => {
    const event = unknownEvent(h.account);
    const result = await h.standin.deliver(h.account, h.ourWebhook(), event);
    expect(result.status).toBe(200);
    expect(JSON.parse(result.body)).toEqual({ status: 'ignored', deliveryId: event.id });
    await h.idle();
    expect(await deliveries()).toEqual([{ id: event.id, status: 'ignored' }]);
    expect(h.settled).toEqual([]);
    expect(h.standin.requests.filter((r) => r.path.startsWith('/api/v2/tickets'))).toEqual([]);
  });

  it('processes a redelivered event once (same event id, new invocation and signature)', async () => {
    await h.openSession();
    const { ticket } = h.account.addInboundCall(CALLER);
    const event = ticketCreatedEvent(h.account, ticket);
    const first = await h.standin.emit(h.account, event);
    await h.idle();
    const again = await h.standin.emit(h.account, event, { at: new Date(h.clock.now() + 1_000) });
    const third = await h.standin.emit(h.account, event);
    await h.idle();
    expect(first[0]!.status).toBe(200);
    expect(JSON.parse(again[0]!.body)).toEqual({ status: 'duplicate', deliveryId: event.id });
    expect(JSON.parse(third[0]!.body)).toMatchObject({ status: 'duplicate' });
    expect(h.standin.requestsTo('GET', `/api/v2/tickets/${ticket.id}`).filter((r) => r.query['include'] === 'users')).toHaveLength(1); // correlate (enrichment reuses it)
    expect(h.settled.filter((s) => s.delivery.id === event.id)).toHaveLength(1);
  });

  it('deduplicates on the invocation id when an event carries no id (zendesk.md §2.4)', async () => {
    const { ticket } = h.account.addInboundCall(CALLER);
    const event = ticketStatusChangedEvent(h.account, ticket, 'new', 'open');
    const { id: _id, ...withoutId } = event;
    const body = JSON.stringify(withoutId);
    const a = await h.standin.deliver(h.account, h.ourWebhook(), event, { rawBody: body, invocationId: '8350205582' });
    const b = await h.standin.deliver(h.account, h.ourWebhook(), event, { rawBody: body, invocationId: '8350205582' });
    expect(JSON.parse(a.body)).toEqual({ status: 'accepted', deliveryId: 'invocation:8350205582' });
    expect(JSON.parse(b.body)).toMatchObject({ status: 'duplicate' });
    await h.idle();
  });

  it('never logs the signing secret or the signature', async () => {
    const event = unknownEvent(h.account);
    await h.standin.deliver(h.account, h.ourWebhook(), event);
    await h.standin.deliver(h.account, h.ourWebhook(), event, { secret: 'wrong' });
    const all = h.logLines.join('\n');
    expect(all).not.toContain(h.ourWebhook().signingSecret);
    expect(all).not.toContain(h.admin.token);
  });
});
