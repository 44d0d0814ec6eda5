/**
 * The retention purger against a real SQLite store, with timers fired by hand: what it deletes and
 * when, bounded batches with a yield between them, one run at a time, failures logged and retried
 * by the next run, close() leaving nothing armed.
 */
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TalkbridgeError } from '../../src/errors.js';
import { createLogger } from '../../src/logger.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/open-sqlite-store.js';
import type { PurgeBatch, WebhookDelivery } from '../../src/store/store.js';
import { LEASE_GRACE_MS, RetentionPurger, type RetentionPurgerDeps } from '../../src/zendesk/retention-purger.js';
import type { Timers } from '../../src/zendesk/timers.js';
import { LogTap } from '../helpers/log-tap.js';
import { aDelivery } from '../store/store-contract.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const HOUR = 3_600_000;
const NOW = 1_750_000_000_000;
const RETENTION = { deliveryRetentionMs: 72 * HOUR, purgeIntervalMs: 15 * 60_000, purgeBatchSize: 500 };

/** Timers fired by hand; `armed()` resolves when the next timer is set (a run re-arms when it ends). */
class ManualTimers implements Timers {
  readonly armedMs: number[] = [];
  readonly cleared: unknown[] = [];
  private pending: { id: number; callback: () => void } | null = null;
  private waiters: (() => void)[] = [];
  private nextId = 1;

  set(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.pending = { id, callback };
    this.armedMs.push(ms);
    for (const wake of this.waiters.splice(0)) wake();
    return id;
  }

  clear(handle: unknown): void {
    this.cleared.push(handle);
    if (this.pending?.id === handle) this.pending = null;
  }

  get isArmed(): boolean {
    return this.pending !== null;
  }

  /** Fire the armed timer and wait until the run it starts has re-armed the next one. */
  async fire(): Promise<void> {
    const pending = this.pending;
    if (!pending) throw new Error('no timer armed');
    this.pending = null;
    const rearmed = new Promise<void>((resolve) => this.waiters.push(resolve));
    pending.callback();
    await rearmed;
  }
}

let tmp: { path: string; remove: () => void };
let store: SqliteStore;
let clock: { t: number };
let timers: ManualTimers;
let log: LogTap;
let registry: Registry;

beforeEach(async () => {
  tmp = makeTempDir('talkbridge-retention-');
  store = await openSqliteStore(tmp.path, { secretKey: Buffer.alloc(32, 5) });
  clock = { t: NOW };
  timers = new ManualTimers();
  log = new LogTap();
  registry = new Registry();
});
afterEach(async () => {
  await store.close();
  tmp.remove();
});

function defaults(): RetentionPurgerDeps {
  return { store, settings: RETENTION, logger: createLogger({ level: 'debug', destination: log.stream }), now: () => clock.t, timers, metrics: registry };
}

function purger(overrides: Partial<RetentionPurgerDeps> = {}): RetentionPurger {
  return new RetentionPurger({ ...defaults(), ...overrides });
}

function delivery(id: string, receivedAt: number, fields: Partial<WebhookDelivery> = {}): WebhookDelivery {
  return aDelivery({ id, receivedAt, body: '{}', status: 'processed', attempts: 1, processedAt: receivedAt, ...fields });
}

function ids(): string[] {
  return (store.db.prepare('SELECT id FROM webhook_deliveries ORDER BY id').all() as { id: string }[]).map((r) => r.id);
}

function leases(): string[] {
  return (store.db.prepare('SELECT key FROM idempotency ORDER BY key').all() as { key: string }[]).map((r) => r.key);
}

async function purgedTotal(kind: string): Promise<number> {
  const metric = await registry.getSingleMetric('talkbridge_zendesk_purged_total')!.get();
  return metric.values.find((v) => v.labels['kind'] === kind)?.value ?? 0;
}

/** The first log line with this message, once it has been written (pino writes to the stream asynchronously). */
function logged(msg: string): Promise<Record<string, unknown>> {
  return log.next(msg);
}

describe('retention purger', () => {
  it('deletes settled deliveries past the retention and long-expired leases, at start and then every interval', async () => {
    const retention = RETENTION.deliveryRetentionMs;
    await store.zendesk.recordDelivery(delivery('processed-old', NOW - retention - 1));
    await store.zendesk.recordDelivery(delivery('ignored-old', NOW - retention - 1, { status: 'ignored' }));
    await store.zendesk.recordDelivery(delivery('gave-up-old', NOW - retention - 1, { status: 'failed', attempts: 8, processedAt: null }));
    await store.zendesk.recordDelivery(delivery('retrying-old', NOW - retention - 1, { status: 'failed', nextAttemptAt: NOW + 1000, processedAt: null }));
    await store.zendesk.recordDelivery(delivery('pending-old', NOW - retention - 1, { status: 'pending', attempts: 0, processedAt: null }));
    await store.zendesk.recordDelivery(delivery('processed-recent', NOW - retention + HOUR));
    await store.idempotency.claim('zendesk-delivery', 'long-expired', 'token', 60_000, NOW - 60_000 - LEASE_GRACE_MS - 1);
    await store.idempotency.claim('zendesk-delivery', 'just-expired', 'token', 60_000, NOW - 60_000 - 1);
    await store.idempotency.claim('zendesk-delivery', 'live', 'token', 60_000, NOW);

    const p = purger();
    p.start();
    expect(timers.armedMs).toEqual([0]);
    await timers.fire();
    expect(timers.armedMs).toEqual([0, RETENTION.purgeIntervalMs]);
    expect(ids()).toEqual(['pending-old', 'processed-recent', 'retrying-old']);
    expect(leases()).toEqual(['just-expired', 'live']);
    expect(await purgedTotal('delivery')).toBe(3);
    expect(await purgedTotal('lease')).toBe(1);
    expect(await logged('retention purge')).toMatchObject({ level: 30, component: 'zendesk-retention', deliveries: 3, leases: 1, failed: [] });

    // Two hours later the recent one is past the retention too (and every lease long expired); the
    // pending and retrying ones never are.
    clock.t += 2 * HOUR;
    await timers.fire();
    expect(ids()).toEqual(['pending-old', 'retrying-old']);
    expect(leases()).toEqual([]);
    expect(await purgedTotal('delivery')).toBe(4);
    await p.close();
  });

  it('deletes a backlog in batches of purgeBatchSize, yielding to the event loop between batches', async () => {
    store.db.transaction(() => {
      for (let i = 0; i < 10; i++) void store.zendesk.recordDelivery(delivery(`d${i}`, i));
      for (let i = 0; i < 4; i++) void store.idempotency.claim('s', `k${i}`, 'v', 1, i);
    })();
    const calls: string[] = [];
    const p = purger({
      settings: { ...RETENTION, purgeBatchSize: 3 },
      store: {
        zendesk: { purgeSettledDeliveries: async (before, limit) => record(`deliveries ${limit}`, await store.zendesk.purgeSettledDeliveries(before, limit)) },
        idempotency: { purgeExpired: async (before, limit) => record(`leases ${limit}`, await store.idempotency.purgeExpired(before, limit)) },
      },
      pause: async () => {
        calls.push('pause');
      },
    });
    function record(call: string, batch: PurgeBatch): PurgeBatch {
      calls.push(`${call} → ${batch.deleted}`);
      return batch;
    }
    expect(await p.runOnce()).toEqual({ deliveries: 10, leases: 4, failed: [] });
    expect(calls).toEqual([
      'deliveries 3 → 3', 'pause', 'deliveries 3 → 3', 'pause', 'deliveries 3 → 3', 'pause', 'deliveries 3 → 1',
      'leases 3 → 3', 'pause', 'leases 3 → 1',
    ]);
    expect(ids()).toEqual([]);
    await p.close();
  });

  it('never runs twice at once: a run asked for during another shares it', async () => {
    await store.zendesk.recordDelivery(delivery('old', 1));
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let batches = 0;
    const p = purger({
      store: {
        zendesk: {
          purgeSettledDeliveries: async (before, limit) => {
            batches += 1;
            await gate;
            return store.zendesk.purgeSettledDeliveries(before, limit);
          },
        },
        idempotency: store.idempotency,
      },
    });
    p.start();
    const fired = timers.fire();
    const manual = p.runOnce();
    expect(p.runOnce()).toBe(manual);
    release();
    await fired;
    expect(await manual).toEqual({ deliveries: 1, leases: 0, failed: [] });
    expect(batches).toBe(1);
    await p.close();
  });

  it('logs a failed stage with its context, goes on with the other, and tries again on the next run', async () => {
    await store.zendesk.recordDelivery(delivery('old', 1));
    await store.idempotency.claim('s', 'expired', 'v', 1, 1);
    let failures = 1;
    const p = purger({
      store: {
        zendesk: {
          purgeSettledDeliveries: async (before, limit) => {
            if (failures-- > 0) throw new TalkbridgeError('STORE_ERR_UNAVAILABLE', 'database is locked');
            return store.zendesk.purgeSettledDeliveries(before, limit);
          },
        },
        idempotency: store.idempotency,
      },
    });
    p.start();
    await timers.fire();
    const error = await logged('retention purge failed; the next run tries again');
    expect(error).toMatchObject({ level: 50, stage: 'deliveries', deletedBeforeError: 0, receivedBefore: NOW - RETENTION.deliveryRetentionMs });
    expect((error['err'] as { message: string }).message).toBe('database is locked');
    expect(ids()).toEqual(['old']);
    expect(leases()).toEqual([]);
    expect(timers.isArmed).toBe(true);

    await timers.fire();
    expect(ids()).toEqual([]);
    await p.close();
  });

  it('close() clears the timer, stops a run in progress at its next batch and waits for it; nothing starts after', async () => {
    store.db.transaction(() => {
      for (let i = 0; i < 10; i++) void store.zendesk.recordDelivery(delivery(`d${i}`, i));
    })();
    let paused: () => void = () => undefined;
    const inPause = new Promise<void>((resolve) => (paused = resolve));
    let resume: () => void = () => undefined;
    const resumed = new Promise<void>((resolve) => (resume = resolve));
    const p = purger({
      settings: { ...RETENTION, purgeBatchSize: 4 },
      pause: async () => {
        paused();
        await resumed;
      },
    });
    p.start();
    void timers.fire();
    await inPause;
    let closed = false;
    const closing = p.close().then(() => (closed = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(closed).toBe(false);
    resume();
    await closing;
    expect(ids()).toHaveLength(6);
    expect(timers.isArmed).toBe(false);
    await p.close();
    p.start();
    expect(timers.isArmed).toBe(false);
  });

  it('on real timers: runs at start, then re-arms an unref\'d timer that keeps nothing alive', async () => {
    const timeouts = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timeouts();
    const { timers: _manual, ...deps } = { ...defaults(), settings: { ...RETENTION, purgeIntervalMs: 60_000 } };
    const p = new RetentionPurger(deps);
    p.start();
    await logged('retention purge: nothing to delete');
    // An unref'd timer does not keep the process alive, so it is not listed as an active resource.
    expect(timeouts()).toBe(before);
    await p.close();
  });
});
