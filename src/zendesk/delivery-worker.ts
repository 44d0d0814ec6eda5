/**
 * Processes recorded webhook deliveries (and internal follow-up jobs riding the same durable queue):
 * right after receipt (`kick`), and from the record on a poll for retries and for anything a crash
 * or restart left behind. Each attempt takes a lease (IdempotencyStore.claim) so two instances on a
 * shared store never process the same attempt; within one instance an in-flight set does the same.
 * Failures are retried with backoff (honouring Zendesk's Retry-After) up to `maxAttempts`, then kept
 * as `failed` with the last error: never silently lost.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger.js';
import type { Store, WebhookDelivery } from '../store/store.js';
import { backoffDelay } from './backoff.js';
import type { DeliveryOutcome } from './delivery-outcome.js';
import { REAL_TIMERS, type Timers } from './timers.js';
import type { ZendeskSettings } from './zendesk-settings.js';

export interface DeliveryHandler {
  handle(delivery: WebhookDelivery): Promise<DeliveryOutcome>;
  /** Called once when a delivery is given up (final failure), e.g. to note it on a session timeline. */
  gaveUp?(delivery: WebhookDelivery, error: string): Promise<void>;
}

/** After each attempt: the outcome, and whether the delivery is now settled for good. */
export type SettledListener = (delivery: WebhookDelivery, outcome: DeliveryOutcome, final: boolean) => void;

export interface DeliveryWorkerDeps {
  store: Pick<Store, 'zendesk' | 'idempotency'>;
  handler: DeliveryHandler;
  settings: ZendeskSettings['delivery'];
  logger: Logger;
  now?: () => number;
  random?: () => number;
  timers?: Timers;
  /** Concurrent deliveries per poll batch. */
  concurrency?: number;
}

export type NewJob = Pick<WebhookDelivery, 'id' | 'connectionId' | 'orgId' | 'eventType' | 'body'>;

const LEASE_SCOPE = 'zendesk-delivery';

export class DeliveryWorker {
  private readonly deps: DeliveryWorkerDeps;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly timers: Timers;
  private readonly logger: Logger;
  private readonly leaseToken = randomUUID();
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly listeners = new Set<SettledListener>();
  private timer: unknown = null;
  private polling: Promise<number> | null = null;
  private running = false;

  constructor(deps: DeliveryWorkerDeps) {
    this.deps = deps;
    this.now = deps.now ?? Date.now;
    this.random = deps.random ?? Math.random;
    this.timers = deps.timers ?? REAL_TIMERS;
    this.logger = deps.logger.child({ component: 'zendesk-delivery-worker' });
  }

  /** Start polling for due deliveries (the first poll runs at once: picks up what a restart left). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  /** Stop polling and wait for deliveries in progress. Safe to call twice. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== null) this.timers.clear(this.timer);
    this.timer = null;
    await this.polling;
    await this.idle();
  }

  onSettled(listener: SettledListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Process a just-recorded delivery now, without waiting for the poll. Never rejects. */
  kick(delivery: WebhookDelivery): void {
    void this.process(delivery);
  }

  /** Record an internal job (deduplicated by id) and process it now. */
  async enqueue(job: NewJob): Promise<boolean> {
    const delivery: WebhookDelivery = {
      ...job,
      receivedAt: this.now(),
      status: 'pending',
      attempts: 0,
      nextAttemptAt: null,
      lastError: null,
      processedAt: null,
    };
    const recorded = await this.deps.store.zendesk.recordDelivery(delivery);
    if (recorded) this.kick(delivery);
    return recorded;
  }

  /** One poll: process what is due, purge expired pending tickets. Returns how many were due. */
  async runDue(): Promise<number> {
    if (this.polling) return this.polling;
    this.polling = this.poll().finally(() => {
      this.polling = null;
    });
    return this.polling;
  }

  /** Resolves when nothing is being processed. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight.values()]);
  }

  private async poll(): Promise<number> {
    const now = this.now();
    const due = await this.deps.store.zendesk.dueDeliveries(now, this.deps.settings.batchSize);
    const queue = [...due];
    const lanes = Array.from({ length: Math.max(1, this.deps.concurrency ?? 4) }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) await this.process(next);
    });
    await Promise.all(lanes);
    await this.deps.store.zendesk.purgeExpiredPendingTickets(now);
    return due.length;
  }

  private schedule(ms: number): void {
    if (!this.running) return;
    this.timer = this.timers.set(() => {
      this.timer = null;
      this.runDue()
        .catch((error: unknown) => this.logger.error({ err: error }, 'delivery poll failed; will try again'))
        .finally(() => this.schedule(this.deps.settings.pollIntervalMs));
    }, ms);
  }

  private process(delivery: WebhookDelivery): Promise<void> {
    const key = `${delivery.connectionId}\u0000${delivery.id}`;
    const existing = this.inFlight.get(key);
    if (existing) return existing;
    const run = this.attempt(delivery)
      .catch((error: unknown) => this.logger.error({ err: error, deliveryId: delivery.id }, 'recording a delivery outcome failed; the poll will retry it'))
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, run);
    return run;
  }

  private async attempt(delivery: WebhookDelivery): Promise<void> {
    const { store, handler, settings } = this.deps;
    const lease = await store.idempotency.claim(
      LEASE_SCOPE,
      `${delivery.connectionId}:${delivery.id}:${delivery.attempts}`,
      this.leaseToken,
      settings.leaseMs,
      this.now(),
    );
    // Any earlier claim of this attempt (another instance's, or ours from a stale poll snapshot) means
    // it is taken; after a crash mid-attempt the lease expires and the attempt is claimable again.
    if (lease !== null) return;

    const attempts = delivery.attempts + 1;
    let outcome: DeliveryOutcome;
    try {
      outcome = await handler.handle(delivery);
    } catch (error) {
      // A bug or a store failure: keep the delivery and retry it like any other failure.
      this.logger.error({ err: error, deliveryId: delivery.id, eventType: delivery.eventType }, 'processing a delivery threw');
      outcome = { kind: 'retry', error: `internal error: ${(error as Error).message}`, retryAfterMs: null };
    }

    const now = this.now();
    // Plain bindings, not a child logger: pino builds (and redacts) a child's bindings eagerly, on
    // every attempt, even when the level is off.
    const about = { deliveryId: delivery.id, connectionId: delivery.connectionId, eventType: delivery.eventType, attempts };
    let final = true;
    switch (outcome.kind) {
      case 'processed':
      case 'ignored':
        await store.zendesk.updateDelivery(delivery.connectionId, delivery.id, {
          status: outcome.kind,
          attempts,
          nextAttemptAt: null,
          lastError: outcome.kind === 'ignored' ? outcome.reason : null,
          processedAt: now,
        });
        this.logger.info({ ...about, outcome: outcome.kind, note: outcome.kind === 'processed' ? outcome.note : outcome.reason }, 'delivery settled');
        break;
      case 'retry':
        if (attempts < settings.maxAttempts) {
          final = false;
          const wait = Math.max(backoffDelay(settings.backoff, attempts, this.random), outcome.retryAfterMs ?? 0);
          await store.zendesk.updateDelivery(delivery.connectionId, delivery.id, {
            status: 'failed',
            attempts,
            nextAttemptAt: now + wait,
            lastError: outcome.error,
          });
          this.logger.warn({ ...about, error: outcome.error, retryInMs: wait }, 'delivery will be retried');
          break;
        }
        await this.giveUp(delivery, attempts, `gave up after ${attempts} attempts: ${outcome.error}`);
        break;
      case 'failed':
        await this.giveUp(delivery, attempts, outcome.error);
        break;
    }
    for (const listener of this.listeners) listener({ ...delivery, attempts }, outcome, final);
  }

  private async giveUp(delivery: WebhookDelivery, attempts: number, error: string): Promise<void> {
    await this.deps.store.zendesk.updateDelivery(delivery.connectionId, delivery.id, {
      status: 'failed',
      attempts,
      nextAttemptAt: null,
      lastError: error,
    });
    this.logger.error({ deliveryId: delivery.id, eventType: delivery.eventType, attempts, error }, 'delivery failed for good');
    await this.deps.handler.gaveUp?.(delivery, error);
  }
}
