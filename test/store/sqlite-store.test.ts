import { statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { SECRET_KEY_FILE } from '../../src/store/secret-box.js';
import { openSqliteStore, SQLITE_FILE } from '../../src/store/sqlite/open-sqlite-store.js';
import { MIGRATIONS } from '../../src/store/sqlite/sqlite-migrations.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { aSession, describeStoreContract } from './store-contract.js';

const dirs: { remove: () => void }[] = [];
afterAll(() => {
  for (const d of dirs) d.remove();
});
function tempDir(): string {
  const dir = makeTempDir('talkbridge-sqlite-');
  dirs.push(dir);
  return dir.path;
}

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
});
