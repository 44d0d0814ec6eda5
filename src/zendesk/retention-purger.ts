/**
 * Deletes what retention allows, on one unref'd timer: settled webhook deliveries received more
 * than `deliveryRetentionMs` ago (ZendeskStore.purgeSettledDeliveries; pending and retrying ones are
 * never deleted) and delivery leases expired for more than LEASE_GRACE_MS
 * (IdempotencyStore.purgeExpired). Every store call deletes one bounded batch and the purger
 * yields to the event loop between batches, so a large backlog (the first run after an upgrade)
 * never holds the loop for longer than one batch. Runs never overlap. A failed stage is logged
 * with its context and retried by the next run; nothing here ever throws into a timer.
 */
import { Counter, type Registry } from 'prom-client';
import type { Logger } from '../logger.js';
import type { IdempotencyStore, PurgeBatch, ZendeskStore } from '../store/store.js';
import { REAL_TIMERS, type Timers } from './timers.js';
import type { ZendeskSettings } from './zendesk-settings.js';

/**
 * A lease is deleted only this long after it expired: instances' clocks differ a little, and one
 * whose clock is behind still counts the lease as held (the Redis claim TTL has the same margin).
 */
export const LEASE_GRACE_MS = 60_000;

/**
 * Batches per stage and run at most. A backlog larger than this many batches (500 000 rows with
 * the default batch size) is spread over several runs instead of keeping one busy for minutes.
 */
const MAX_BATCHES_PER_RUN = 1_000;

export type PurgeStage = 'deliveries' | 'leases';

export interface PurgeReport {
  deliveries: number;
  leases: number;
  /** Stages that failed this run (logged; the next run tries again). */
  failed: PurgeStage[];
}

export interface RetentionPurgerDeps {
  store: { zendesk: Pick<ZendeskStore, 'purgeSettledDeliveries'>; idempotency: Pick<IdempotencyStore, 'purgeExpired'> };
  settings: ZendeskSettings['retention'];
  logger: Logger;
  now?: () => number;
  timers?: Timers;
  /** Awaited between two batches; default: setImmediate, so pending I/O is served in between. */
  pause?: () => Promise<void>;
  /** Registry for `talkbridge_zendesk_purged_total`. */
  metrics?: Registry;
}

const nextTick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class RetentionPurger {
  private readonly deps: RetentionPurgerDeps;
  private readonly now: () => number;
  private readonly timers: Timers;
  private readonly pause: () => Promise<void>;
  private readonly logger: Logger;
  private readonly purged: Counter<'kind'>;
  private timer: unknown = null;
  private running: Promise<PurgeReport> | null = null;
  private started = false;
  private closed = false;

  constructor(deps: RetentionPurgerDeps) {
    this.deps = deps;
    this.now = deps.now ?? Date.now;
    this.timers = deps.timers ?? REAL_TIMERS;
    this.pause = deps.pause ?? nextTick;
    this.logger = deps.logger.child({ component: 'zendesk-retention' });
    this.purged = new Counter({
      name: 'talkbridge_zendesk_purged_total',
      help: 'Rows deleted by retention: settled webhook deliveries (kind=delivery) and expired delivery leases (kind=lease)',
      labelNames: ['kind'],
      registers: deps.metrics ? [deps.metrics] : [],
    });
  }

  /** Run now (picks up a backlog at start-up), then every `purgeIntervalMs`. */
  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    this.schedule(0);
  }

  /** One purge; shares the run in progress if there is one. Never rejects. */
  runOnce(): Promise<PurgeReport> {
    this.running ??= this.run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Stop the timer; a run in progress stops at its next batch and is waited for. Safe to call twice. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== null) this.timers.clear(this.timer);
    this.timer = null;
    await this.running;
  }

  private schedule(ms: number): void {
    if (this.closed) return;
    this.timer = this.timers.set(() => {
      this.timer = null;
      void this.runOnce().finally(() => this.schedule(this.deps.settings.purgeIntervalMs));
    }, ms);
  }

  private async run(): Promise<PurgeReport> {
    const { store, settings } = this.deps;
    const now = this.now();
    const receivedBefore = now - settings.deliveryRetentionMs;
    const expiredBefore = now - LEASE_GRACE_MS;
    const started = performance.now();
    const report: PurgeReport = { deliveries: 0, leases: 0, failed: [] };
    report.deliveries = await this.drain('deliveries', report, { receivedBefore }, (limit) => store.zendesk.purgeSettledDeliveries(receivedBefore, limit));
    report.leases = await this.drain('leases', report, { expiredBefore }, (limit) => store.idempotency.purgeExpired(expiredBefore, limit));
    const about = { ...report, ms: Math.round(performance.now() - started) };
    if (report.deliveries + report.leases > 0) this.logger.info(about, 'retention purge');
    else this.logger.debug(about, 'retention purge: nothing to delete');
    return report;
  }

  /** Batches of one stage until the store is done (or closing, or the per-run budget is spent). */
  private async drain(
    stage: PurgeStage,
    report: PurgeReport,
    cutoff: Record<string, number>,
    batch: (limit: number) => Promise<PurgeBatch>,
  ): Promise<number> {
    const kind = stage === 'deliveries' ? 'delivery' : 'lease';
    let deleted = 0;
    try {
      for (let n = 1; !this.closed; n++) {
        const result = await batch(this.deps.settings.purgeBatchSize);
        deleted += result.deleted;
        if (result.deleted > 0) this.purged.inc({ kind }, result.deleted);
        if (result.done) break;
        if (n >= MAX_BATCHES_PER_RUN) {
          this.logger.info({ stage, deleted, batches: n }, 'retention purge: more left than one run deletes; the next run goes on');
          break;
        }
        await this.pause();
      }
    } catch (error) {
      report.failed.push(stage);
      this.logger.error({ err: error, stage, deletedBeforeError: deleted, ...cutoff }, 'retention purge failed; the next run tries again');
    }
    return deleted;
  }
}
