import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRedisStore } from '../../src/store/redis/open-redis-store.js';
import { type RedisServerHandle, startRedisServer } from '../helpers/redis-server.js';
import { aSession, describeStoreContract } from './store-contract.js';

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
