import { statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { SECRET_KEY_FILE } from '../../src/store/secret-box.js';
import { openSqliteStore, SQLITE_FILE } from '../../src/store/sqlite/open-sqlite-store.js';
import { MIGRATIONS } from '../../src/store/sqlite/sqlite-migrations.js';
import type { WebhookDelivery } from '../../src/store/store.js';
import { tempDirFactory } from '../helpers/temp-dir.js';
import { aDelivery, aSession, describeStoreContract } from './store-contract.js';

const tempDir = tempDirFactory('talkbridge-sqlite-');

describeStoreContract('sqlite', () => openSqliteStore(tempDir()));

describe('sqlite store on disk', () => {
  it('keeps every kind of record across close and reopen', async () => {
    const dir = tempDir();
    const first = await openSqliteStore(dir);
    const session = aSession();
    await first.sessions.create(session);
    await first.sessions.stampTicket(session.id, { ticketId: 'T9', method: 'e164', candidates: 1, ticketFirst: true, matchedAt: 5 });
    await first.sessions.appendEvent({ sessionId: session.id, at: 1, type: 'call.answered', data: {} });
    const contact = await first.contacts.findOrCreateByPhone('org-a', '+15550123', 1);
    await first.transfers.create({
      id: 'trf_1', sessionId: session.id, orgId: 'org-a', destinationId: 'zendesk', destinationType: 'sip', target: 'sip:a@b',
      state: 'answered', sipStatus: 200, reason: null, fromSent: null, headersSent: [{ name: 'X-Zendesk-Ticket-Id', value: 'T9' }],
      idempotencyKey: 'k', createdAt: 2, completedAt: 3,
    });
    await first.zendesk.saveConnection({
      id: 'zdc_1', orgId: 'org-a', subdomain: 'acme', email: 'a@acme.test', apiToken: 'tok', webhookId: 'w', signingSecret: 'sig',
      state: 'connected', lastError: null, createdAt: 1, updatedAt: 1,
    });
    await first.idempotency.claim('s', 'k', 'v', 60_000, 1);
    await first.close();

    const second = await openSqliteStore(dir);
    expect((await second.sessions.get(session.id))?.ticketId).toBe('T9');
    expect(await second.sessions.timeline(session.id)).toHaveLength(1);
    expect(await second.contacts.get(contact.id)).toEqual(contact);
    expect((await second.transfers.findByIdempotencyKey(session.id, 'k'))?.headersSent).toEqual([{ name: 'X-Zendesk-Ticket-Id', value: 'T9' }]);
    expect((await second.zendesk.getConnectionByOrg('org-a'))?.signingSecret).toBe('sig');
    expect(await second.idempotency.claim('s', 'k', 'other', 60_000, 2)).toBe('v');
    await second.close();
  });

  it('uses WAL, records the schema version, and stores secrets encrypted with a 0600 key file', async () => {
    const dir = tempDir();
    const store = await openSqliteStore(dir);
    await store.zendesk.saveConnection({
      id: 'zdc_1', orgId: 'org-a', subdomain: 'acme', email: 'a@acme.test', apiToken: 'plain-api-token', webhookId: null,
      signingSecret: 'plain-signing-secret', state: 'connected', lastError: null, createdAt: 1, updatedAt: 1,
    });
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    await store.close();
    expect(statSync(join(dir, SECRET_KEY_FILE)).mode & 0o777).toBe(0o600);
    const raw = new Database(join(dir, SQLITE_FILE), { readonly: true });
    const row = raw.prepare('SELECT api_token, signing_secret FROM zendesk_connections').get() as Record<string, string>;
    raw.close();
    expect(row.api_token).toMatch(/^v1:/);
    expect(JSON.stringify(row)).not.toContain('plain-api-token');
    expect(JSON.stringify(row)).not.toContain('plain-signing-secret');
  });

  it('refuses to read secrets with a different key, naming the cause', async () => {
    const dir = tempDir();
    const store = await openSqliteStore(dir);
    await store.zendesk.saveConnection({
      id: 'zdc_1', orgId: 'org-a', subdomain: 'acme', email: 'a@acme.test', apiToken: 't', webhookId: null, signingSecret: null,
      state: 'connected', lastError: null, createdAt: 1, updatedAt: 1,
    });
    await store.close();
    const wrongKey = await openSqliteStore(dir, { secretKey: Buffer.alloc(32, 7) });
    await expect(wrongKey.zendesk.getConnection('zdc_1')).rejects.toThrow(/cannot decrypt a stored secret/);
    await wrongKey.close();
  });

  it('reads a re-saved secret at once (decrypted secrets are remembered per ciphertext only)', async () => {
    const store = await openSqliteStore(tempDir());
    const connection = {
      id: 'zdc_1', orgId: 'org-a', subdomain: 'acme', email: 'a@acme.test', apiToken: 'token-1', webhookId: 'w',
      signingSecret: 'secret-1', state: 'connected' as const, lastError: null, createdAt: 1, updatedAt: 1,
    };
    await store.zendesk.saveConnection(connection);
    expect(await store.zendesk.getConnection('zdc_1')).toMatchObject({ apiToken: 'token-1', signingSecret: 'secret-1' });
    expect(await store.zendesk.getConnection('zdc_1')).toMatchObject({ apiToken: 'token-1', signingSecret: 'secret-1' });
    await store.zendesk.saveConnection({ ...connection, apiToken: 'token-2', signingSecret: 'secret-2', updatedAt: 2 });
    expect(await store.zendesk.getConnectionByOrg('org-a')).toMatchObject({ apiToken: 'token-2', signingSecret: 'secret-2' });
    await store.close();
  });

  it('answers ticket-candidate lookups from an index with 10 000 live sessions', async () => {
    const store = await openSqliteStore(tempDir());
    const insert = store.db.transaction(() => {
      for (let i = 0; i < 10_000; i++) {
        const phone = `+1555${String(1_000_000 + i).slice(1)}`;
        store.sessions.create(aSession({ id: `ses_bulk_${i}`, callerPhone: phone, callerNational: phone.slice(2), createdAt: i }));
      }
    });
    insert();
    const plan = store.db
      .prepare(`EXPLAIN QUERY PLAN SELECT * FROM sessions WHERE org_id = ? AND ticket_id IS NULL AND state <> 'ended' AND anonymous = 0 AND caller_phone = ? ORDER BY created_at DESC, id DESC`)
      .all('org-a', '+15550123') as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toContain('sessions_candidates_e164');
    const started = performance.now();
    for (let i = 0; i < 1000; i++) {
      await store.sessions.findTicketCandidates('org-a', { phone: `+1555${String(1_000_000 + (i * 7) % 10_000).slice(1)}`, national: null });
    }
    expect((performance.now() - started) / 1000).toBeLessThan(1); // < 1 ms per lookup, generous for CI
    await store.close();
  });

  it('purges a large backlog in bounded batches through the retention indexes, leaving what is due', async () => {
    const store = await openSqliteStore(tempDir());
    const delivery = (i: number, fields: Partial<WebhookDelivery>): WebhookDelivery =>
      aDelivery({ id: `evt-${i}`, receivedAt: i, body: '{}', status: 'processed', attempts: 1, processedAt: i, ...fields });
    store.db.transaction(() => {
      for (let i = 0; i < 10_000; i++) void store.zendesk.recordDelivery(delivery(i, {}));
      for (let i = 10_000; i < 11_000; i++) void store.zendesk.recordDelivery(delivery(i, { status: 'pending', attempts: 0, processedAt: null }));
      for (let i = 11_000; i < 11_100; i++) void store.zendesk.recordDelivery(delivery(i, { status: 'failed', nextAttemptAt: 50_000 }));
      for (let i = 0; i < 5_000; i++) void store.idempotency.claim('lease', `k${i}`, 'v', 1000, i);
      for (let i = 0; i < 10; i++) void store.idempotency.claim('lease', `live${i}`, 'v', 60_000, 20_000);
    })();

    // The plans of the stores' own purge statements: each batch is a range scan of the retention index.
    const plan = (owner: object, statement: string): string => {
      const source = (owner as Record<string, { source: string }>)[statement]!.source;
      return (store.db.prepare(`EXPLAIN QUERY PLAN ${source}`).all(1, 1) as { detail: string }[]).map((p) => p.detail).join(' ');
    };
    expect(plan(store.zendesk, 'purgeSettled')).toMatch(/SEARCH webhook_deliveries USING (COVERING )?INDEX deliveries_settled \(received_at<\?\)/);
    expect(plan(store.idempotency, 'purge')).toMatch(/SEARCH idempotency USING (COVERING )?INDEX idempotency_expiry \(expires_at<\?\)/);

    const batches: number[] = [];
    for (let batch = await store.zendesk.purgeSettledDeliveries(20_000, 500); ; batch = await store.zendesk.purgeSettledDeliveries(20_000, 500)) {
      batches.push(batch.deleted);
      if (batch.done) break;
    }
    expect(batches).toEqual([...Array.from({ length: 20 }, () => 500), 0]);
    const count = (sql: string): number => (store.db.prepare(sql).get() as { n: number }).n;
    expect(count('SELECT count(*) AS n FROM webhook_deliveries')).toBe(1_100);
    expect(count("SELECT count(*) AS n FROM webhook_deliveries WHERE status = 'processed'")).toBe(0);
    expect((await store.zendesk.dueDeliveries(50_000, 2_000)).length).toBe(1_100);

    expect(await store.idempotency.purgeExpired(20_000, 4_000)).toEqual({ deleted: 4_000, done: false });
    expect(await store.idempotency.purgeExpired(20_000, 4_000)).toEqual({ deleted: 1_000, done: true });
    expect(count('SELECT count(*) AS n FROM idempotency')).toBe(10);
    await store.close();
  });

  it('adds the retention indexes to a database of schema version 1, whose old rows are then purged', async () => {
    const dir = tempDir();
    const v1 = new Database(join(dir, SQLITE_FILE));
    v1.exec(MIGRATIONS[0]!);
    v1.pragma('user_version = 1');
    v1.prepare(`INSERT INTO webhook_deliveries (connection_id, id, org_id, event_type, received_at, body, status, attempts,
      next_attempt_at, last_error, processed_at) VALUES ('zdc_1', 'evt-old', 'org-a', 't', 1, '{}', 'processed', 1, NULL, NULL, 2)`).run();
    v1.prepare("INSERT INTO idempotency (scope, key, value, expires_at) VALUES ('lease', 'k', 'v', 5)").run();
    v1.close();

    const store = await openSqliteStore(dir);
    expect(store.db.pragma('user_version', { simple: true })).toBe(2);
    const indexes = (store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'index'").all() as { name: string }[]).map((r) => r.name);
    expect(indexes).toEqual(expect.arrayContaining(['deliveries_settled', 'idempotency_expiry']));
    expect(await store.zendesk.purgeSettledDeliveries(100, 10)).toEqual({ deleted: 1, done: true });
    expect(await store.idempotency.purgeExpired(100, 10)).toEqual({ deleted: 1, done: true });
    await store.close();
  });
});
