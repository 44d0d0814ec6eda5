import type { Database, Statement } from 'better-sqlite3';
import type { IdempotencyStore, PurgeBatch } from '../store.js';

export class SqliteIdempotencyStore implements IdempotencyStore {
  private readonly select: Statement<[string, string], { value: string; expires_at: number }>;
  private readonly upsert: Statement;
  private readonly purge: Statement<[number, number]>;
  private readonly claimTx: (scope: string, key: string, value: string, ttlMs: number, now: number) => string | null;

  constructor(db: Database) {
    this.select = db.prepare('SELECT value, expires_at FROM idempotency WHERE scope = ? AND key = ?');
    this.upsert = db.prepare(`INSERT INTO idempotency (scope, key, value, expires_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (scope, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`);
    this.purge = db.prepare(
      'DELETE FROM idempotency WHERE rowid IN (SELECT rowid FROM idempotency WHERE expires_at < ? ORDER BY expires_at LIMIT ?)',
    );
    // IMMEDIATE: take the write lock before reading, so two processes cannot both claim.
    this.claimTx = db
      .transaction((scope: string, key: string, value: string, ttlMs: number, now: number) => {
        const row = this.select.get(scope, key);
        if (row && row.expires_at > now) return row.value;
        this.upsert.run(scope, key, value, now + ttlMs);
        return null;
      })
      .immediate;
  }

  async claim(scope: string, key: string, value: string, ttlMs: number, now: number): Promise<string | null> {
    return this.claimTx(scope, key, value, ttlMs, now);
  }

  async purgeExpired(expiredBefore: number, limit: number): Promise<PurgeBatch> {
    const deleted = this.purge.run(expiredBefore, limit).changes;
    return { deleted, done: deleted < limit };
  }
}
