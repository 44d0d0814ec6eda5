/** WAL checkpoints run in a worker thread, never inside a commit on the event loop; close() leaves nothing open. */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore, SQLITE_FILE } from '../../src/store/sqlite/open-sqlite-store.js';
import { SQLITE_DEFAULT_AUTOCHECKPOINT_PAGES, WalCheckpointer } from '../../src/store/sqlite/sqlite-wal-checkpointer.js';
import { tempDirFactory } from '../helpers/temp-dir.js';
import { aSession } from './store-contract.js';

const tempDir = tempDirFactory('talkbridge-wal-');

/** Resource kinds present more often in `after` than in `before`. */
function added(before: string[], after: string[]): string[] {
  const left = [...before];
  return after.filter((r) => {
    const i = left.indexOf(r);
    if (i < 0) return true;
    left.splice(i, 1);
    return false;
  });
}

describe('WAL checkpointer', () => {
  it('moves the checkpoint off the committing connection and backfills the whole WAL from the worker', async () => {
    const store = await openSqliteStore(tempDir(), { checkpointIntervalMs: 60_000 });
    expect(store.checkpointer).not.toBeNull();
    // The backstop is far above SQLite's default: commits do not checkpoint while the worker keeps up.
    expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(10_000);
    for (let i = 0; i < 300; i++) await store.sessions.create(aSession({ id: `ses_wal_${i}`, callerPhone: `+1555000${1000 + i}` }));

    const result = await store.checkpointer!.checkpoint();
    expect(result).not.toBeNull();
    expect(result!.log).toBeGreaterThan(SQLITE_DEFAULT_AUTOCHECKPOINT_PAGES / 10);
    expect(result!.checkpointed).toBe(result!.log);
    expect(result!.busy).toBe(0);
    // The store reads and writes on while and after the worker checkpoints.
    await store.sessions.create(aSession({ id: 'ses_wal_after' }));
    expect(await store.sessions.get('ses_wal_after')).not.toBeNull();
    await store.close();
  });

  it('checkpoints on its own timer', async () => {
    const store = await openSqliteStore(tempDir(), { checkpointIntervalMs: 20 });
    for (let i = 0; i < 50; i++) await store.sessions.create(aSession({ id: `ses_tick_${i}` }));
    const { checkpointer } = store;
    // A manual call while the timer's checkpoint runs shares it; wait until one has seen our frames.
    let seen = await checkpointer!.checkpoint();
    while (seen && seen.log === 0) seen = await checkpointer!.checkpoint();
    expect(seen?.checkpointed).toBe(seen?.log);
    await store.close();
  });

  it('leaves no worker, port or timer behind after close, and the last connection removes the WAL', async () => {
    const before = process.getActiveResourcesInfo();
    const dir = tempDir();
    const store = await openSqliteStore(dir, { checkpointIntervalMs: 10 });
    await store.sessions.create(aSession({ id: 'ses_close' }));
    await store.checkpointer!.checkpoint();
    const withWorker = readdirSync('/proc/self/task').length;
    await store.close();
    await store.close();
    expect(await store.checkpointer!.checkpoint()).toBeNull();
    // Nothing added (something of an earlier test may have finished meanwhile, hence no equality).
    expect(added(before, process.getActiveResourcesInfo())).toEqual([]);
    // The worker thread is gone (the worker and timer are unref'd, so the list above cannot show them).
    expect(readdirSync('/proc/self/task').length).toBe(withWorker - 1);
    expect(existsSync(join(dir, `${SQLITE_FILE}-wal`))).toBe(false);
  });

  it('goes back to automatic checkpoints when the worker fails', async () => {
    const dir = tempDir();
    const file = join(dir, 'gone.db');
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t (x)');
    // The worker opens the file by name with fileMustExist: unlinked, it cannot.
    rmSync(file);
    const errors: Error[] = [];
    const checkpointer = new WalCheckpointer(db, { intervalMs: 60_000, onError: (e) => errors.push(e) });
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(10_000);
    expect(await checkpointer.checkpoint()).toBeNull();
    expect(errors).toHaveLength(1);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(SQLITE_DEFAULT_AUTOCHECKPOINT_PAGES);
    await checkpointer.close();
    db.close();
  });

  it('can be turned off: checkpoints stay inside commits as SQLite does by default', async () => {
    const store = await openSqliteStore(tempDir(), { checkpointIntervalMs: 0 });
    expect(store.checkpointer).toBeNull();
    expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(SQLITE_DEFAULT_AUTOCHECKPOINT_PAGES);
    await store.close();
  });
});
