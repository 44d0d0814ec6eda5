/**
 * The default store: one SQLite file (`<dataDir>/talkbridge.db`) in WAL mode, migrated on open.
 * better-sqlite3 is synchronous; each method is one statement or one transaction, so each is atomic.
 * Session, contact and transfer writes are batched per event-loop turn (sqlite-write-behind.ts):
 * a write resolves once committed; `close()` commits what is queued before closing the file.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { TalkbridgeError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { loadOrCreateSecretKey, SecretBox } from '../secret-box.js';
import type { Store } from '../store.js';
import { migrate } from './sqlite-migrations.js';
import { SqliteContactStore } from './sqlite-contact-store.js';
import { SqliteIdempotencyStore } from './sqlite-idempotency-store.js';
import { SqliteSessionStore } from './sqlite-session-store.js';
import { SqliteTransferStore } from './sqlite-transfer-store.js';
import { WalCheckpointer } from './sqlite-wal-checkpointer.js';
import { SqliteWriteBehind } from './sqlite-write-behind.js';
import { WriteBehindContactStore, WriteBehindSessionStore, WriteBehindTransferStore } from './write-behind-stores.js';
import { SqliteZendeskStore } from './sqlite-zendesk-store.js';

export const SQLITE_FILE = 'talkbridge.db';

export interface SqliteStoreOptions {
  /** 32-byte key for secrets at rest; default: `<dataDir>/secret.key`, generated (0600) if missing. */
  secretKey?: Buffer;
  /** Clock for `updatedAt` stamps the interface does not pass in; default Date.now. */
  now?: () => number;
  /**
   * Pause between WAL checkpoints in a worker thread while the WAL grows (sqlite-wal-checkpointer.ts),
   * default 25 ms; 0 leaves checkpoints to SQLite's automatic ones inside commits, on the event loop.
   */
  checkpointIntervalMs?: number;
  /** Reports a failed checkpoint worker (the store goes on with automatic checkpoints). */
  logger?: Logger;
}

export interface SqliteStore extends Store {
  /** The underlying connection, for benchmarks and diagnostics (not for application code). */
  readonly db: Database.Database;
  /** The WAL checkpoint worker, null with `checkpointIntervalMs: 0`. */
  readonly checkpointer: WalCheckpointer | null;
}

export async function openSqliteStore(dataDir: string, options: SqliteStoreOptions = {}): Promise<SqliteStore> {
  let db: Database.Database;
  try {
    mkdirSync(dataDir, { recursive: true });
    db = new Database(join(dataDir, SQLITE_FILE));
  } catch (error) {
    throw new TalkbridgeError('STORE_ERR_UNAVAILABLE', `cannot open the SQLite store in ${dataDir}: ${(error as Error).message}`, { dataDir }, { cause: error });
  }
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    migrate(db);
    const box = new SecretBox(options.secretKey ?? loadOrCreateSecretKey(dataDir));
    const now = options.now ?? Date.now;
    const interval = options.checkpointIntervalMs ?? 25;
    const checkpointer =
      interval > 0
        ? new WalCheckpointer(db, {
            intervalMs: interval,
            onError: (error) => options.logger?.error({ err: error }, 'WAL checkpoint worker failed; back to automatic checkpoints'),
          })
        : null;
    const writes = new SqliteWriteBehind(db);
    let closed = false;
    return {
      db,
      checkpointer,
      sessions: new WriteBehindSessionStore(new SqliteSessionStore(db, now), writes, now),
      transfers: new WriteBehindTransferStore(new SqliteTransferStore(db), writes),
      contacts: new WriteBehindContactStore(new SqliteContactStore(db), writes),
      zendesk: new SqliteZendeskStore(db, box),
      idempotency: new SqliteIdempotencyStore(db),
      async close(): Promise<void> {
        if (closed) return;
        closed = true;
        writes.close();
        // The worker's connection first, so that this one is the last and removes the WAL on close.
        await checkpointer?.close();
        db.close();
      },
    };
  } catch (error) {
    db.close();
    throw error;
  }
}
