/**
 * WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside whichever COMMIT
 * pushes the WAL past `wal_autocheckpoint` pages: that commit then copies every page back into the
 * database file and fsyncs both files, ~5 ms on the event loop (measured: the slowest 1 % of
 * webhook deliveries were single INSERT/UPDATE/COMMIT statements taking 4.5–7 ms). Here a worker
 * thread with its own connection runs `PRAGMA wal_checkpoint(PASSIVE)` every `intervalMs`; PASSIVE
 * never waits for, nor blocks, the main connection's readers and writers. The main connection keeps
 * a high `wal_autocheckpoint` as a backstop (never reached while the worker keeps up) and goes back
 * to SQLite's default if the worker fails.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Database } from 'better-sqlite3';

/** SQLite's own default threshold, restored when the worker is gone. */
export const SQLITE_DEFAULT_AUTOCHECKPOINT_PAGES = 1000;

export interface WalCheckpointerOptions {
  /** How often the worker checkpoints (it does nothing when no frame is waiting). */
  intervalMs?: number;
  /** `wal_autocheckpoint` of the main connection meanwhile: only reached if the worker falls behind. */
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
    const [result] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ ok: true, result });
  } catch (error) {
    parentPort.postMessage({ ok: false, error: String((error && error.message) || error) });
  }
});
`;

type WorkerReply = { ok: true; result: CheckpointResult } | { ok: false; error: string };

export class WalCheckpointer {
  private readonly db: Database;
  private readonly options: Required<Pick<WalCheckpointerOptions, 'intervalMs' | 'backstopPages'>> & Pick<WalCheckpointerOptions, 'onError'>;
  private readonly timer: NodeJS.Timeout;
  private worker: Worker | null = null;
  private exited: Promise<unknown> | null = null;
  private waiting: ((reply: WorkerReply) => void)[] = [];
  private running: Promise<CheckpointResult | null> | null = null;
  private failed = false;
  private closed = false;

  constructor(db: Database, options: WalCheckpointerOptions = {}) {
    this.db = db;
    this.options = { intervalMs: options.intervalMs ?? 100, backstopPages: options.backstopPages ?? 10_000, onError: options.onError };
    db.pragma(`wal_autocheckpoint = ${this.options.backstopPages}`);
    // unref: an open store never keeps the process alive by itself; close() still stops everything.
    this.timer = setInterval(() => void this.checkpoint(), this.options.intervalMs).unref();
  }

  /**
   * One PASSIVE checkpoint in the worker (started on first use). Resolves with SQLite's counts, or
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
    clearInterval(this.timer);
    await this.running;
    const worker = this.worker;
    if (!worker || !this.exited) return;
    worker.ref();
    worker.postMessage('close');
    await this.exited;
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
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, file: this.db.name } });
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
    clearInterval(this.timer);
    if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT_PAGES}`);
    void this.worker?.terminate();
    this.options.onError?.(error);
  }
}
