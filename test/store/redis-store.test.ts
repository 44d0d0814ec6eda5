import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRedisStore, type RedisStore } from '../../src/store/redis/open-redis-store.js';
import type { WebhookDelivery } from '../../src/store/store.js';
import { type RedisServerHandle, startRedisServer } from '../helpers/redis-server.js';
import { aDelivery, aSession, describeStoreContract } from './store-contract.js';

const SECRET_KEY = Buffer.alloc(32, 3);
let server: RedisServerHandle;
let admin: Redis;

beforeAll(async () => {
  server = await startRedisServer();
  admin = new Redis(server.url);
});
afterAll(async () => {
  await admin?.quit();
  await server?.stop();
});

describeStoreContract('redis', async () => {
  await admin.flushall();
  return openRedisStore(server.url, { secretKey: SECRET_KEY });
});

describe('redis store specifics', () => {
  it('stores Zendesk secrets encrypted', async () => {
    await admin.flushall();
    const store = await openRedisStore(server.url, { secretKey: SECRET_KEY });
    await store.zendesk.saveConnection({
      id: 'zdc_1', orgId: 'org-a', subdomain: 'acme', email: 'a@acme.test', apiToken: 'plain-api-token', webhookId: null,
      signingSecret: 'plain-signing-secret', state: 'connected', lastError: null, createdAt: 1, updatedAt: 1,
    });
    const keys = await admin.keys('*zdc*');
    const dump = JSON.stringify(await Promise.all(keys.map(async (k) => ((await admin.type(k)) === 'hash' ? admin.hgetall(k) : admin.get(k)))));
    expect(dump).not.toContain('plain-api-token');
    expect(dump).not.toContain('plain-signing-secret');
    expect((await store.zendesk.getConnection('zdc_1'))?.apiToken).toBe('plain-api-token');
    await store.close();
  });

  it('shares state between two instances (two clients) and stamps once across them', async () => {
    await admin.flushall();
    const a = await openRedisStore(server.url, { secretKey: SECRET_KEY });
    const b = await openRedisStore(server.url, { secretKey: SECRET_KEY });
    const s = aSession();
    await a.sessions.create(s);
    const match = (t: string) => ({ ticketId: t, method: 'e164' as const, candidates: 1, ticketFirst: false, matchedAt: 1 });
    const results = await Promise.all([a.sessions.stampTicket(s.id, match('A')), b.sessions.stampTicket(s.id, match('B'))]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await b.sessions.get(s.id))?.ticketId).toBe(results[0] ? 'A' : 'B');
    await a.close();
    await b.close();
  });

  it('keeps key prefixes apart', async () => {
    await admin.flushall();
    const one = await openRedisStore(server.url, { secretKey: SECRET_KEY, keyPrefix: 'one:' });
    const two = await openRedisStore(server.url, { secretKey: SECRET_KEY, keyPrefix: 'two:' });
    const s = aSession();
    await one.sessions.create(s);
    expect(await two.sessions.get(s.id)).toBeNull();
    expect((await admin.keys('*')).every((k) => k.startsWith('one:'))).toBe(true);
    await one.close();
    await two.close();
  });

  it('fails to open with STORE_ERR_UNAVAILABLE when Redis is not reachable', async () => {
    const closedPort = server.port === 1 ? 2 : 1;
    await expect(openRedisStore(`redis://127.0.0.1:${closedPort}`, { secretKey: SECRET_KEY, connectTimeoutMs: 500 })).rejects.toMatchObject({
      code: 'STORE_ERR_UNAVAILABLE',
    });
  });
});

function settled(id: string, fields: Partial<WebhookDelivery> = {}): WebhookDelivery {
  return aDelivery({ id, body: '{}', status: 'ignored', processedAt: 1000, ...fields });
}

/** Purge batches until the store says done; the deleted count of each batch. */
async function purgeAll(store: RedisStore, receivedBefore: number, limit: number): Promise<number[]> {
  const batches: number[] = [];
  for (;;) {
    const batch = await store.zendesk.purgeSettledDeliveries(receivedBefore, limit);
    batches.push(batch.deleted);
    if (batch.done) return batches;
    if (batches.length > 10_000) throw new Error('purge never done');
  }
}

describe('redis due deliveries', () => {
  it('serves every due failed delivery even when more than the 1 000 it reads per call are due', async () => {
    await admin.flushall();
    const store = await openRedisStore(server.url, { secretKey: SECRET_KEY });
    // 1 000 due early but received late, then 100 received first but due after all of those: the
    // latter are outside the 1 000 earliest due that one call reads.
    const failed = [
      ...Array.from({ length: 1000 }, (_, i) => ({ id: `early-${i}`, receivedAt: 10_000 + i, nextAttemptAt: 1 + i })),
      ...Array.from({ length: 100 }, (_, i) => ({ id: `old-${i}`, receivedAt: i, nextAttemptAt: 2000 + i })),
    ];
    for (let i = 0; i < failed.length; i += 100) {
      await Promise.all(
        failed.slice(i, i + 100).map(async (f) => {
          await store.zendesk.recordDelivery(settled(f.id, { status: 'pending', processedAt: null, receivedAt: f.receivedAt }));
          await store.zendesk.updateDelivery('zdc_1', f.id, { status: 'failed', attempts: 1, nextAttemptAt: f.nextAttemptAt });
        }),
      );
    }
    // A worker's polls: take 50 due, settle them (a retry would move them later than every one waiting).
    const served = new Map<string, number>();
    for (let poll = 1; served.size < failed.length && poll <= 100; poll++) {
      for (const d of await store.zendesk.dueDeliveries(5000, 50)) {
        expect(served.has(d.id), d.id).toBe(false);
        served.set(d.id, poll);
        await store.zendesk.updateDelivery('zdc_1', d.id, { status: 'processed', attempts: 2, nextAttemptAt: null, processedAt: 5000 });
      }
    }
    expect(served.size).toBe(failed.length);
    expect(Math.max(...served.values())).toBe(failed.length / 50);
    // The oldest are not starved: they enter the window as soon as the first batch leaves it.
    expect(Math.max(...failed.filter((f) => f.id.startsWith('old-')).map((f) => served.get(f.id)!))).toBeLessThanOrEqual(3);
    await store.close();
  });
});

describe('redis delivery retention', () => {
  it('deletes the purged records and their index members, leaving no key behind', async () => {
    await admin.flushall();
    const store = await openRedisStore(server.url, { secretKey: SECRET_KEY });
    await store.zendesk.recordDelivery(settled('settled-old'));
    await store.zendesk.recordDelivery(settled('pending-old', { status: 'pending', processedAt: null }));
    await store.zendesk.recordDelivery(settled('retrying-old', { status: 'pending', processedAt: null }));
    await store.zendesk.updateDelivery('zdc_1', 'retrying-old', { status: 'failed', attempts: 1, nextAttemptAt: 5000 });
    expect(await admin.zrange('tb:dlv:settled', 0, -1, 'WITHSCORES')).toEqual(['["zdc_1","settled-old"]', '1000']);

    expect(await purgeAll(store, 2000, 100)).toEqual([1]);
    expect((await admin.keys('tb:dlv:*')).sort()).toEqual([
      'tb:dlv:5.zdc_1:11.pending-old',
      'tb:dlv:5.zdc_1:12.retrying-old',
      'tb:dlv:failed',
      'tb:dlv:pending',
      'tb:dlv:settled-backfill',
    ]);
    await store.close();
  });

  it('indexes deliveries settled before the index existed with a one-time scan, in bounded steps', async () => {
    await admin.flushall();
    const store = await openRedisStore(server.url, { secretKey: SECRET_KEY });
    for (let i = 0; i < 300; i++) await store.zendesk.recordDelivery(settled(`legacy-${i}`, { receivedAt: 1000 + i }));
    await store.zendesk.recordDelivery(settled('legacy-pending', { status: 'pending', processedAt: null }));
    for (let i = 0; i < 200; i++) await store.sessions.create(aSession({ id: `ses_fill_${i}` }));
    // As an older version left them: records without the settled index, and no backfill cursor yet.
    await admin.del('tb:dlv:settled');
    await store.close();

    const upgraded = await openRedisStore(server.url, { secretKey: SECRET_KEY });
    const batches = await purgeAll(upgraded, 2000, 50);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(300);
    expect(batches.every((n) => n <= 50)).toBe(true);
    expect(batches.length).toBeGreaterThan(300 / 50);
    expect(await admin.get('tb:dlv:settled-backfill')).toBe('done');
    expect(await upgraded.zendesk.recordDelivery(settled('legacy-0'))).toBe(true);
    expect(await upgraded.zendesk.recordDelivery(settled('legacy-pending'))).toBe(false);
    expect((await upgraded.zendesk.dueDeliveries(2000, 10)).map((d) => d.id)).toEqual(['legacy-pending']);
    expect(await upgraded.sessions.get('ses_fill_0')).not.toBeNull();

    // Finished for good: another instance (or a restart) does not scan again.
    const commands: string[] = [];
    let seenEnd: () => void = () => undefined;
    const end = new Promise<void>((resolve) => (seenEnd = resolve));
    const monitor = await admin.duplicate().monitor();
    monitor.on('monitor', (_time: string, args: string[]) => {
      commands.push(args[0]!.toLowerCase());
      if (args[0]?.toLowerCase() === 'echo' && args[1] === 'end-of-test') seenEnd();
    });
    const later = await openRedisStore(server.url, { secretKey: SECRET_KEY });
    expect(await later.zendesk.purgeSettledDeliveries(2000, 50)).toEqual({ deleted: 1, done: true });
    await later.zendesk.purgeSettledDeliveries(2000, 50);
    await later.redis.echo('end-of-test');
    await end;
    monitor.disconnect();
    expect(commands).toContain('zrangebyscore');
    expect(commands).not.toContain('scan');
    await upgraded.close();
    await later.close();
  });

  it('leaves claim expiry to Redis: every claim key carries a TTL of its lease plus a minute', async () => {
    await admin.flushall();
    const store = await openRedisStore(server.url, { secretKey: SECRET_KEY });
    await store.idempotency.claim('zendesk-delivery', 'zdc_1:evt-1:0', 'token', 60_000, Date.now());
    const [key] = await admin.keys('tb:idem:*');
    const ttl = await admin.pttl(key!);
    expect(ttl).toBeGreaterThan(60_000);
    expect(ttl).toBeLessThanOrEqual(120_000);
    expect(await store.idempotency.purgeExpired(Date.now() + 10 * 60_000, 100)).toEqual({ deleted: 0, done: true });
    await store.close();
  });
});
