/**
 * The SQLite write-behind batch (src/store/sqlite/sqlite-write-behind.ts) and the stores on it:
 * writes of one event-loop turn commit together, in order; a write resolves only once committed;
 * reads see every earlier write; one failing write does not take its batch down, a failing batch
 * fails every write of it; close() commits what is queued; a crash loses only unresolved writes.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore, SQLITE_FILE } from '../../src/store/sqlite/open-sqlite-store.js';
import { SqliteWriteBehind } from '../../src/store/sqlite/sqlite-write-behind.js';
import { tempDirFactory } from '../helpers/temp-dir.js';
import { aSession } from './store-contract.js';

const tempDir = tempDirFactory('talkbridge-write-behind-');

function memoryQueue(): { db: Database.Database; writes: SqliteWriteBehind; insert: (v: string) => () => number } {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT NOT NULL UNIQUE)');
  const statement = db.prepare('INSERT INTO t (v) VALUES (?)');
  return { db, writes: new SqliteWriteBehind(db), insert: (v) => () => Number(statement.run(v).lastInsertRowid) };
}

const values = (db: Database.Database): string[] => (db.prepare('SELECT v FROM t ORDER BY id').all() as { v: string }[]).map((r) => r.v);

describe('SqliteWriteBehind', () => {
  it('applies the writes of one turn in issue order, in one transaction at the end of the turn', async () => {
    const { db, writes, insert } = memoryQueue();
    const seen: boolean[] = [];
    const pending = ['a', 'b', 'c'].map((v) =>
      writes.defer('sessions', () => {
        seen.push(db.inTransaction);
        return insert(v)();
      }),
    );
    expect(values(db)).toEqual([]); // nothing ran yet
    expect(await Promise.all(pending)).toEqual([1, 2, 3]);
    expect(seen).toEqual([true, true, true]);
    expect(values(db)).toEqual(['a', 'b', 'c']);
    expect(db.inTransaction).toBe(false);
  });

  it('resolves a write only after its batch committed', async () => {
    const dir = tempDir();
    const store = await openSqliteStore(dir);
    const other = new Database(join(dir, SQLITE_FILE), { readonly: true });
    const count = (): number => (other.prepare('SELECT COUNT(*) AS n FROM sessions').get() as { n: number }).n;
    const created = Promise.all([store.sessions.create(aSession()), store.sessions.create(aSession())]);
    expect(count()).toBe(0); // another connection sees nothing before the commit…
    await created;
    expect(count()).toBe(2); // …and everything once the writes resolved
    other.close();
    await store.close();
  });

  it('flushes before a read of the same area, so reads see every write issued before them', async () => {
    const store = await openSqliteStore(tempDir());
    const s = aSession({ state: 'connecting', answeredAt: null });
    const created = store.sessions.create(s);
    const updated = store.sessions.update(s.id, { state: 'live', answeredAt: 5 });
    const appended = store.sessions.appendEvent({ sessionId: s.id, at: 5, type: 'session.live', data: {} });
    // Not awaited: the read itself must bring them in.
    expect(await store.sessions.get(s.id)).toMatchObject({ state: 'live', answeredAt: 5 });
    expect(await store.sessions.timeline(s.id)).toHaveLength(1);
    await Promise.all([created, updated, appended]);
    const contact = store.contacts.createAnonymous('org-a', 1);
    expect(await store.contacts.get((await contact).id)).not.toBeNull();
    await store.close();
  });

  it('flushes only for writes to what a read looks at', async () => {
    const dir = tempDir();
    const store = await openSqliteStore(dir);
    const s = aSession();
    await store.sessions.create(s);
    const other = new Database(join(dir, SQLITE_FILE), { readonly: true });
    const committedEvents = (): number => (other.prepare('SELECT COUNT(*) AS n FROM timeline').get() as { n: number }).n;
    const appended = store.sessions.appendEvent({ sessionId: s.id, at: 1, type: 'transfer.requested', data: {} });
    await store.sessions.get(s.id); // a session row read: the queued timeline event does not concern it
    await store.transfers.listBySession(s.id);
    expect(committedEvents()).toBe(0);
    expect(await store.sessions.timeline(s.id)).toHaveLength(1); // a timeline read brings it in
    expect(committedEvents()).toBe(1);
    await appended;
    other.close();
    await store.close();
  });

  it('captures what a write stores when it is issued', async () => {
    const store = await openSqliteStore(tempDir());
    const s = aSession();
    const data: Record<string, unknown> = { step: 1 };
    const written = Promise.all([store.sessions.create(s), store.sessions.appendEvent({ sessionId: s.id, at: 1, type: 'x', data })]);
    data.step = 2;
    s.callerPhone = '+19999999999';
    await written;
    expect((await store.sessions.timeline(s.id))[0]?.data).toEqual({ step: 1 });
    expect((await store.sessions.get(s.id))?.callerPhone).toBe('+15550123');
    await store.close();
  });

  it('rejects only the write that failed; the rest of its batch commits', async () => {
    const { db, writes, insert } = memoryQueue();
    const results = await Promise.allSettled([
      writes.defer('sessions', insert('a')),
      writes.defer('sessions', insert('a')), // UNIQUE violation
      writes.defer('sessions', insert('b')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/UNIQUE/);
    expect(values(db)).toEqual(['a', 'b']);
  });

  it('fails every write of a batch that SQLite rolled back, and keeps none of it', async () => {
    const { db, writes, insert } = memoryQueue();
    const results = await Promise.allSettled([
      writes.defer('sessions', insert('a')),
      // What SQLITE_FULL / IOERR do to a transaction: it is gone.
      writes.defer('sessions', () => db.exec('ROLLBACK')),
      writes.defer('sessions', insert('b')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(values(db)).toEqual([]);
    // The next turn's batch is unaffected.
    await writes.defer('sessions', insert('c'));
    expect(values(db)).toEqual(['c']);
  });

  it('joins a transaction the connection already has open (bulk loads)', async () => {
    const { db, writes, insert } = memoryQueue();
    db.exec('BEGIN');
    await writes.defer('sessions', insert('a'));
    expect(db.inTransaction).toBe(true);
    db.exec('ROLLBACK');
    expect(values(db)).toEqual([]);
  });

  it('close() commits what is queued and refuses later writes', async () => {
    const dir = tempDir();
    const store = await openSqliteStore(dir);
    const s = aSession({ state: 'connecting', answeredAt: null });
    const writes = [
      store.sessions.create(s, [{ sessionId: s.id, at: 1, type: 'session.opened', data: {} }]),
      store.sessions.update(s.id, { state: 'ended', endedAt: 2, endReason: 'caller_hangup' }, { ifState: ['connecting'], event: { sessionId: s.id, at: 2, type: 'session.ended', data: {} } }),
      store.contacts.findOrCreateByPhone('org-a', '+15550123', 1),
      store.transfers.create({
        id: 'trf_1', sessionId: s.id, orgId: 'org-a', destinationId: 'zendesk', destinationType: 'sip', target: 'sip:a@b', state: 'pending',
        sipStatus: null, reason: null, fromSent: null, headersSent: [], idempotencyKey: null, createdAt: 1, completedAt: null,
      }),
    ];
    await store.close(); // nothing awaited before
    await Promise.all(writes);
    await expect(store.sessions.appendEvent({ sessionId: s.id, at: 3, type: 'late', data: {} })).rejects.toMatchObject({ code: 'STORE_ERR_UNAVAILABLE' });

    const reopened = await openSqliteStore(dir);
    expect(await reopened.sessions.get(s.id)).toMatchObject({ state: 'ended', endReason: 'caller_hangup' });
    expect((await reopened.sessions.timeline(s.id)).map((e) => e.type)).toEqual(['session.opened', 'session.ended']);
    expect(await reopened.transfers.listBySession(s.id)).toHaveLength(1);
    expect((await reopened.contacts.findOrCreateByPhone('org-a', '+15550123', 9)).createdAt).toBe(1);
    await reopened.close();
  });

  it('loses in a crash only the writes that had not resolved (issued in the last turn)', () => {
    const dir = tempDir();
    const moduleUrl = new URL('../../src/store/sqlite/open-sqlite-store.ts', import.meta.url).href;
    const script = `
      const { openSqliteStore } = await import(${JSON.stringify(moduleUrl)});
      const store = await openSqliteStore(${JSON.stringify(dir)});
      const event = (type) => ({ sessionId: 'ses_crash', at: 1, type, data: {} });
      await store.sessions.appendEvent(event('stored'));
      void store.sessions.appendEvent(event('in flight'));
      process.exit(0); // no close(): the process dies before the end of the turn
    `;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect(run.stderr).toBe('');
    const db = new Database(join(dir, SQLITE_FILE), { readonly: true });
    const types = (db.prepare('SELECT type FROM timeline ORDER BY seq').all() as { type: string }[]).map((r) => r.type);
    db.close();
    expect(types).toEqual(['stored']);
  });
});
