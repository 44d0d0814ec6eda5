/**
 * Write-behind for the SQLite store: the writes issued during one turn of the event loop are
 * applied together, in the order they were issued, in one transaction at the end of the turn
 * (setImmediate), instead of one transaction (one WAL commit) each. A call writes its session,
 * contact and timeline several times; committing them one by one cost more CPU than the rest of
 * call control, and the page writes of every commit grew the WAL towards a checkpoint (fsync) every
 * few dozen calls.
 *
 * What stays exactly as before:
 * - A write's promise resolves only once its transaction has committed (with its result), and
 *   rejects with its own error (e.g. a unique violation: that statement is rolled back, the rest of
 *   the batch commits). Whoever awaits a write, e.g. the inbound call handler before it dials the AI
 *   agent, still knows the row is stored.
 * - Every read sees every write issued before it: a read first flushes the batch (synchronously)
 *   if it holds a write to the tables the read looks at (`flushFor`).
 *
 * What a crash may lose: writes issued during the current turn of the event loop that have not
 * resolved yet — nobody has been told they are stored. After `flush()` or `close()` nothing is pending.
 *
 * A deferred op must do all its database work synchronously before it returns (better-sqlite3 is
 * synchronous, and no store method awaits before or between its statements); it may return a
 * settled promise (an `async` store method).
 */
import type { Database, Statement } from 'better-sqlite3';
import { TalkbridgeError } from '../../errors.js';

/**
 * The groups of tables a write may change and a read may look at: `sessions` (session rows),
 * `timeline`, `contacts`, `transfers`. A read flushes only for writes to what it reads, so e.g.
 * reading a session before a transfer's INVITE does not commit the timeline events queued meanwhile.
 */
export type WriteArea = 'sessions' | 'timeline' | 'contacts' | 'transfers';

interface Pending {
  op: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export class SqliteWriteBehind {
  private pending: Pending[] = [];
  /** Queued writes per area. */
  private readonly queued: Record<WriteArea, number> = { sessions: 0, timeline: 0, contacts: 0, transfers: 0 };
  private scheduled: NodeJS.Immediate | null = null;
  private closed = false;
  private readonly begin: Statement;
  private readonly commit: Statement;
  private readonly rollback: Statement;

  constructor(private readonly db: Database) {
    this.begin = db.prepare('BEGIN');
    this.commit = db.prepare('COMMIT');
    this.rollback = db.prepare('ROLLBACK');
  }

  /** Queue `op`, a write to `areas`, for the batch at the end of this turn; resolves with its result once committed. */
  defer<T>(areas: WriteArea | readonly WriteArea[], op: () => T | Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new TalkbridgeError('STORE_ERR_UNAVAILABLE', 'the SQLite store is closed'));
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ op, resolve: resolve as (value: unknown) => void, reject });
      if (typeof areas === 'string') this.queued[areas]++;
      else for (const area of areas) this.queued[area]++;
      this.scheduled ??= setImmediate(() => {
        this.scheduled = null;
        this.flush();
      });
    });
  }

  /** Whether a write to `area` is queued. */
  has(area: WriteArea): boolean {
    return this.queued[area] > 0;
  }

  /** Before a read of `area`: flush when a write to it is queued (writes elsewhere cannot change what it sees). */
  flushFor(area: WriteArea): void {
    if (this.queued[area] > 0) this.flush();
  }

  /** Apply every queued write now, in order, in one transaction. No-op when nothing is queued. */
  flush(): void {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.queued.sessions = this.queued.timeline = this.queued.contacts = this.queued.transfers = 0;
    // Inside a transaction someone opened on this connection (a bench's bulk load), the ops join it.
    const own = !this.db.inTransaction;
    const results: { ok: boolean; value: unknown }[] = [];
    try {
      if (own) this.begin.run();
      for (const item of batch) {
        let result: { ok: boolean; value: unknown };
        try {
          result = { ok: true, value: item.op() };
        } catch (error) {
          result = { ok: false, value: error };
        }
        results.push(result);
        // SQLITE_FULL/IOERR/BUSY… may roll the whole transaction back: then nothing of the batch holds.
        if (own && !this.db.inTransaction) throw result.ok ? new TalkbridgeError('STORE_ERR_UNAVAILABLE', 'the write batch was rolled back') : result.value;
      }
      if (own) this.commit.run();
    } catch (error) {
      if (own && this.db.inTransaction) this.rollback.run();
      for (const r of results) if (r.ok) quiet(r.value);
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, i) => {
      const r = results[i]!;
      if (r.ok) item.resolve(r.value);
      else item.reject(r.value);
    });
  }

  /** Flush what is queued and refuse later writes. */
  close(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = null;
    this.flush();
    this.closed = true;
  }
}

/** A rejected promise an op returned whose outcome nobody will read (its batch failed). */
function quiet(value: unknown): void {
  if (value instanceof Promise) value.catch(() => undefined);
}
