/**
 * WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside whichever COMMIT
 * pushes the WAL past `wal_autocheckpoint` pages: that commit then copies every page back into the
 * database file and fsyncs both files, ~5 ms on the event loop (measured: the slowest 1 % of
 * webhook deliveries were single INSERT/UPDATE/COMMIT statements taking 4.5–7 ms). Here a worker
 * thread with its own connection runs `PRAGMA wal_checkpoint(PASSIVE)`, which never waits for, nor
 * blocks, the main connection's readers and writers.
 *
 * A WAL only restarts from its beginning when a write finds every frame copied back, so under a
 * steady stream of commits the worker's passes rarely finish "caught up" and the WAL grows. The main
 * connection keeps a high `wal_autocheckpoint` as the backstop for that: when it triggers, the
 * worker has already copied all but the last few frames, so the checkpoint left on the event loop
 * is small. Paced every `intervalMs` while the WAL grows, ten times slower when nothing changed.
 * If the worker fails, the main connection goes back to SQLite's default threshold.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Database } from 'better-sqlite3';

/** SQLite's own default threshold, restored when the worker is gone. */
export const SQLITE_DEFAULT_AUTOCHECKPOINT_PAGES = 1000;

export interface WalCheckpointerOptions {
  /** Pause between checkpoints while the WAL grows (ten times this when it does not). */
  intervalMs?: number;
  /** `wal_autocheckpoint` of the main connection meanwhile (see above). */
  backstopPages?: number;
  /** The worker failed; checkpoints are back on SQLite's automatic ones. */
  onError?: (error: Error) => void;
}

/** `PRAGMA wal_checkpoint` result: `log` frames in the WAL, `checkpointed` of them copied back. */
export interface CheckpointResult {
  busy: number;
  log: number;
  checkpointed: number;
}

/** Passes per checkpoint: each copies what the commits made meanwhile, trying to catch up fully. */
const MAX_PASSES = 3;

// Plain CommonJS so it runs the same under tsx, vitest and the compiled build.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
// The checkpointing connection decides the syncs: WAL before copying, database file after.
db.pragma('synchronous = NORMAL');
parentPort.on('message', (message) => {
  if (message === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    let [result] = db.pragma('wal_checkpoint(PASSIVE)');
    for (let pass = 1; pass < workerData.maxPasses && result.checkpointed < result.log; pass++) {
      [result] = db.pragma('wal_checkpoint(PASSIVE)');
    }
    parentPort.postMessage({ ok: true, result });
  } catch (error) {
    parentPort.postMessage({ ok: false, error: String((error && error.message) || error) });
  }
});
`;

type WorkerReply = { ok: true; result: CheckpointResult } | { ok: false; error: string };

export class WalCheckpointer {
  private readonly db: Database;
  private readonly intervalMs: number;
  private readonly onError: ((error: Error) => void) | undefined;
  private timer: NodeJS.Timeout | null = null;
  private worker: Worker | null = null;
  private exited: Promise<void> | null = null;
  private readonly waiting: ((reply: WorkerReply) => void)[] = [];
  private running: Promise<CheckpointResult | null> | null = null;
  private last: CheckpointResult | null = null;
  private failed = false;
  private closed = false;

  constructor(db: Database, options: WalCheckpointerOptions = {}) {
    this.db = db;
    this.intervalMs = options.intervalMs ?? 25;
    this.onError = options.onError;
    db.pragma(`wal_autocheckpoint = ${options.backstopPages ?? 10_000}`);
    this.schedule(this.intervalMs);
  }

  /**
   * One checkpoint in the worker (started on first use). Resolves with SQLite's counts after it, or
   * null once closed or failed. Concurrent calls share the checkpoint in progress.
   */
  checkpoint(): Promise<CheckpointResult | null> {
    if (this.closed || this.failed) return Promise.resolve(null);
    this.running ??= this.run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Stop the timer, let a checkpoint in progress finish, close the worker's connection. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.clearTimer();
    await this.running;
    const worker = this.worker;
    if (!worker || !this.exited) return;
    worker.ref();
    worker.postMessage('close');
    await this.exited;
  }

  private schedule(ms: number): void {
    if (this.closed || this.failed) return;
    // unref: an open store never keeps the process alive by itself; close() still stops everything.
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.checkpoint().then((result) => this.schedule(this.grew(result) ? this.intervalMs : this.intervalMs * 10));
    }, ms).unref();
  }

  /** Whether the WAL changed since the previous checkpoint (commits are coming in). */
  private grew(result: CheckpointResult | null): boolean {
    const previous = this.last;
    this.last = result;
    return result !== null && (previous === null || result.log !== previous.log || result.checkpointed !== previous.checkpointed);
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private async run(): Promise<CheckpointResult | null> {
    const worker = this.worker ?? this.spawn();
    const reply = await new Promise<WorkerReply>((resolve) => {
      this.waiting.push(resolve);
      worker.postMessage('checkpoint');
    });
    if (reply.ok) return reply.result;
    this.fail(new Error(`WAL checkpoint failed in the worker: ${reply.error}`));
    return null;
  }

  private spawn(): Worker {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, file: this.db.name, maxPasses: MAX_PASSES } });
    worker.unref();
    worker.on('message', (reply: WorkerReply) => this.waiting.shift()?.(reply));
    worker.on('error', (error: Error) => this.fail(error));
    this.exited = new Promise<void>((resolve) =>
      worker.once('exit', () => {
        // Gone without close(): answer whoever waits, and fall back to automatic checkpoints.
        for (const answer of this.waiting.splice(0)) answer({ ok: false, error: 'the checkpoint worker exited' });
        if (!this.closed) this.fail(new Error('the WAL checkpoint worker exited'));
        resolve();
      }),
    );
    this.worker = worker;
    return worker;
  }

  private fail(error: Error): void {
    if (this.failed) return;
    this.failed = true;
    this.clearTimer();
    if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT_PAGES}`);
    void this.worker?.terminate();
    this.onError?.(error);
  }
}
