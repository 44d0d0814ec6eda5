/**
 * Zendesk down, slow or rate limiting while calls go on: receipts still answered 200 and recorded,
 * sessions and the store unaffected, deliveries retried from the record with backoff (honouring
 * Retry-After) and finally processed; a restart picks up what was left.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { DeliveryWorker } from '../../src/zendesk/delivery-worker.js';
import { ticketCreatedEvent } from '../helpers/zendesk-events.js';
import { CALLER, ZendeskHarness } from '../helpers/zendesk-harness.js';

let h: ZendeskHarness;
beforeEach(async () => {
  h = await ZendeskHarness.start();
  await h.connect();
});
afterEach(async () => {
  await h.close();
});

async function deliveryRow(id: string): Promise<{ status: string; attempts: number; next_attempt_at: number | null; last_error: string | null }> {
  const db = (h.store as unknown as { db: { prepare(sql: string): { get(id: string): unknown } } }).db;
  return db.prepare('SELECT status, attempts, next_attempt_at, last_error FROM webhook_deliveries WHERE id = ?').get(id) as never;
}

describe('Zendesk down while calls go on', () => {
  it('answers 200, keeps the delivery, lets sessions proceed, and processes it once Zendesk is back', async () => {
    h.standin.fault({ path: /^\/api\/v2\/tickets/, status: 500, times: Infinity });
    const session = await h.openSession();
    const { ticket } = h.account.addInboundCall(CALLER);
    const event = ticketCreatedEvent(h.account, ticket);
    const [receipt] = await h.standin.emit(h.account, event);
    expect(receipt!.status).toBe(200);
    await h.idle();

    const row = await deliveryRow(event.id);
    expect(row).toMatchObject({ status: 'failed', attempts: 1 });
    expect(row.next_attempt_at).toBeGreaterThan(h.clock.now());
    expect(row.last_error).toMatch(/unavailable/);
    // The client retried inline (bounded), then gave the delivery back to the worker.
    expect(h.standin.requestsTo('GET', `/api/v2/tickets/${ticket.id}`)).toHaveLength(h.settings.maxAttempts);

    // Calls go on: more sessions open, update and end; the store is unaffected.
    const second = await h.openSession({ callerPhone: '+14155550123', callerNational: '4155550123' });
    await h.store.sessions.update(second.id, { state: 'ended', endReason: 'caller_hangup', endedAt: h.clock.now() });
    expect((await h.store.sessions.get(session.id))?.state).toBe('live');

    // Not due yet: nothing happens.
    expect(await h.integration.worker.runDue()).toBe(0);
    h.standin.clearFaults();
    h.clock.advance(row.next_attempt_at! - h.clock.now());
    expect(await h.integration.worker.runDue()).toBe(1);
    await h.idle();
    expect(await deliveryRow(event.id)).toMatchObject({ status: 'processed', attempts: 2 });
    expect((await h.store.sessions.get(session.id))?.ticketId).toBe(String(ticket.id));
  });

  it('treats a Zendesk that does not answer in time like one that is down', async () => {
    h.standin.fault({ path: /^\/api\/v2\/tickets/, delayMs: 10_000, times: h.settings.maxAttempts });
    h.settings.requestTimeoutMs = 100;
    const session = await h.openSession();
    const { ticket } = h.account.addInboundCall(CALLER);
    const event = ticketCreatedEvent(h.account, ticket);
    expect((await h.standin.emit(h.account, event))[0]!.status).toBe(200);
    await h.idle();
    expect((await deliveryRow(event.id)).last_error).toMatch(/no answer within 100 ms/);

    h.clock.advance(h.settings.delivery.backoff.maxMs);
    await h.integration.worker.runDue();
    await h.idle();
    expect((await h.store.sessions.get(session.id))?.ticketId).toBe(String(ticket.id));
  });

  it('reschedules a rate-limited delivery no earlier than Retry-After', async () => {
    h.standin.fault({ path: /^\/api\/v2\/tickets/, status: 429, headers: { 'retry-after': '120' } });
    await h.openSession();
    const { ticket } = h.account.addInboundCall(CALLER);
    const event = ticketCreatedEvent(h.account, ticket);
    await h.standin.emit(h.account, event);
    await h.idle();
    const row = await deliveryRow(event.id);
    expect(row.status).toBe('failed');
    expect(row.next_attempt_at! - h.clock.now()).toBeGreaterThanOrEqual(120_000);
    h.clock.advance(119_000);
    expect(await h.integration.worker.runDue()).toBe(0);
    h.clock.advance(row.next_attempt_at! - h.clock.now());
    expect(await h.integration.worker.runDue()).toBe(1);
    await h.idle();
    expect(await deliveryRow(event.id)).toMatchObject({ status: 'processed' });
  });

  it('backs off inline for a short Retry-After (429) and succeeds without giving the delivery back', async () => {
    h.standin.fault({ path: /^\/api\/v2\/tickets/, status: 429, headers: { 'retry-after': '3' } });
    const session = await h.openSession();
    const { ticket } = h.account.addInboundCall(CALLER);
    await h.standin.emit(h.account, ticketCreatedEvent(h.account, ticket));
    await h.idle();
    expect(h.sleeps).toContain(3_000);
    expect((await h.store.sessions.get(session.id))?.ticketId).toBe(String(ticket.id));
  });
});

describe('recorded deliveries survive the process', () => {
  it('a worker started later (restart) processes what was recorded but never processed', async () => {
    const session = await h.openSession();
    const { ticket } = h.account.addInboundCall(CALLER);
    const event = ticketCreatedEvent(h.account, ticket);
    // The receipt was recorded, then the process died before processing it.
    await h.store.zendesk.recordDelivery({
      id: event.id,
      connectionId: (await h.store.zendesk.getConnectionByOrg('org-a'))!.id,
      orgId: 'org-a',
      eventType: event.type,
      receivedAt: h.clock.now(),
      body: JSON.stringify(event),
      status: 'pending',
      attempts: 0,
      nextAttemptAt: null,
      lastError: null,
      processedAt: null,
    });
    const processed = new Promise<void>((resolve) => h.integration.worker.onSettled((d) => d.id === event.id && resolve()));
    h.integration.worker.start();
    await processed;
    await h.idle();
    expect((await h.store.sessions.get(session.id))?.ticketId).toBe(String(ticket.id));
  });

  it('two workers on one store process a due delivery once (lease)', async () => {
    await h.openSession();
    const { ticket } = h.account.addInboundCall(CALLER);
    h.standin.fault({ path: /^\/api\/v2\/tickets/, status: 500, times: h.settings.maxAttempts });
    const event = ticketCreatedEvent(h.account, ticket);
    await h.standin.emit(h.account, event);
    await h.idle();

    let handled = 0;
    const other = new DeliveryWorker({
      store: h.store,
      handler: {
        handle: async (d) => {
          handled += 1;
          return h.integration.processor.handle(d);
        },
      },
      settings: h.settings.delivery,
      logger: createLogger({ level: 'silent' }),
      now: h.clock.now,
    });
    h.clock.advance(h.settings.delivery.backoff.maxMs);
    await Promise.all([h.integration.worker.runDue(), other.runDue()]);
    await Promise.all([h.idle(), other.idle()]);
    const attempts = h.settled.filter((s) => s.delivery.id === event.id).length + handled;
    expect(attempts).toBe(2); // the first failed attempt + exactly one retry
    expect(await deliveryRow(event.id)).toMatchObject({ status: 'processed', attempts: 2 });
    await other.stop();
  });

  it('polls on its own once started, with the timers it was given, and stops cleanly', async () => {
    const scheduled: { fn: () => void; ms: number }[] = [];
    let rescheduled: () => void = () => undefined;
    const second = new Promise<void>((resolve) => (rescheduled = resolve));
    const cleared: unknown[] = [];
    const worker = new DeliveryWorker({
      store: h.store,
      handler: h.integration.processor,
      settings: h.settings.delivery,
      logger: createLogger({ level: 'silent' }),
      now: h.clock.now,
      timers: {
        set: (fn, ms) => {
          scheduled.push({ fn, ms });
          if (scheduled.length === 2) rescheduled();
          return scheduled.length;
        },
        clear: (handle) => cleared.push(handle),
      },
    });
    worker.start();
    expect(scheduled.map((s) => s.ms)).toEqual([0]);
    scheduled[0]!.fn();
    await second;
    expect(scheduled[1]!.ms).toBe(h.settings.delivery.pollIntervalMs);
    await worker.stop();
    expect(cleared).toEqual([2]);
  });
});
