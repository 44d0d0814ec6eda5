/**
 * The embedded SIP server in a worker thread of this process (`sip.server.thread: worker`). The SIP
 * engine and the call logic each get a core while staying one process: `npm run bench -- b2bua`
 * measured 1 400 calls/s this way against 700–850 with both on one thread and 1 200–1 300 with
 * the server in a process of its own (2 cores, 2026-12-03).
 *
 * The application still reaches the server only over the drachtio control socket, so nothing else
 * changes. Log records of the worker are forwarded to `logger` (records below `logLevel` are
 * dropped in the worker). `stats()` answers from a snapshot the worker sends every second.
 * If the thread dies on its own, every call it carried is gone: `onExit` is told, so the owner can
 * stop (a supervisor restarts it) rather than run on without SIP.
 */
import { Worker } from 'node:worker_threads';
import { type SipLogger, silentLogger } from '../drachtio/sip-logger.js';
import type { ListenSpec } from '../transport/index.js';
import type { EmbeddedSipServer } from './embedded-sip-server.js';
import type { ParentToThread, ServerStats, ThreadError, ThreadLogLevel, ThreadToParent, ThreadWorkerData } from './sip-server-thread-protocol.js';

export interface SipServerThreadOptions {
  sip: ListenSpec[];
  control: { host: string; port: number; secret: string };
  externalAddress?: string;
  logger?: SipLogger;
  /** Lowest level forwarded from the worker. Default `info`. */
  logLevel?: ThreadLogLevel;
  /** The thread ended without `close()` (crash, out of memory): its calls are lost. */
  onExit?: (error: Error) => void;
}

/** How long `close()` waits for the worker to close its sockets before terminating it. */
const CLOSE_TIMEOUT_MS = 5000;

export class SipServerThreadError extends Error {
  readonly code: string | undefined;
  constructor(message: string, code?: string) {
    super(message);
    this.name = 'SipServerThreadError';
    this.code = code;
  }
}

export function createSipServerThread(options: SipServerThreadOptions): EmbeddedSipServer {
  const logger = options.logger ?? silentLogger;
  /** The running thread and the promise of its end (taken at spawn, so no exit can be missed). */
  let running: { worker: Worker; exited: Promise<number> } | null = null;
  let addresses: ReturnType<EmbeddedSipServer['addresses']> | null = null;
  let stats: ServerStats = { applications: 0, dialogs: 0, inbound: 0, outbound: 0, proxies: 0, transactions: 0 };
  let closing: Promise<void> | null = null;
  let onClosed: (() => void) | null = null;

  const handle = (message: ThreadToParent): void => {
    if (message.type === 'log') logger[message.level](message.obj, message.msg);
    else if (message.type === 'stats' || message.type === 'ready') stats = message.stats;
    else if (message.type === 'closed') {
      if (message.error) logger.warn({ err: message.error }, 'SIP server thread: error while closing');
      onClosed?.();
    }
  };

  return {
    async start() {
      if (running || closing) throw new SipServerThreadError('the SIP server thread is already started');
      const data: ThreadWorkerData = {
        sip: options.sip,
        control: options.control,
        ...(options.externalAddress !== undefined ? { externalAddress: options.externalAddress } : {}),
        logLevel: options.logLevel ?? 'info',
      };
      const worker = spawnWorker(data);
      const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
      const thread = { worker, exited };
      running = thread;
      worker.on('message', handle);
      // Always listened to: an 'error' without a listener would throw in this thread.
      worker.on('error', (error: Error) => logger.error({ err: error }, 'SIP server thread crashed'));
      try {
        addresses = await new Promise((resolve, reject) => {
          const onMessage = (message: ThreadToParent): void => {
            if (message.type === 'ready') {
              worker.off('message', onMessage).off('error', onError);
              resolve(message.addresses);
            } else if (message.type === 'failed') reject(threadError(message.error));
          };
          const onError = (error: Error): void => reject(new SipServerThreadError(`the SIP server thread failed to start: ${error.message}`));
          worker.on('message', onMessage).once('error', onError);
          void exited.then((code) => reject(new SipServerThreadError(`the SIP server thread exited (code ${code}) before it was ready`)));
        });
      } catch (error) {
        // Nothing of a failed start stays behind: the thread is gone before start() rejects.
        await worker.terminate();
        await exited;
        running = null;
        throw error;
      }
      void exited.then((code) => {
        if (running === thread) running = null;
        if (closing) return;
        const error = new SipServerThreadError(`the SIP server thread exited (code ${code}); its calls are lost`);
        logger.error({ err: error }, 'SIP server thread exited');
        options.onExit?.(error);
      });
    },

    close() {
      closing ??= (async () => {
        const thread = running;
        if (!thread) return;
        const closed = new Promise<void>((resolve) => {
          onClosed = resolve;
        });
        thread.worker.postMessage({ type: 'close' } satisfies ParentToThread);
        // A worker that does not answer in time is terminated; its sockets close with it.
        const timer = setTimeout(() => void thread.worker.terminate(), CLOSE_TIMEOUT_MS);
        await Promise.race([closed, thread.exited]);
        clearTimeout(timer);
        await thread.worker.terminate();
        await thread.exited;
        running = null;
      })();
      return closing;
    },

    addresses() {
      if (!addresses) throw new SipServerThreadError('the SIP server thread is not started');
      return addresses;
    },

    stats() {
      return stats;
    },
  };
}

/**
 * From compiled JavaScript the worker is the sibling `.js` file. From TypeScript source (`npm start`
 * runs through tsx, tests through vitest) module hooks are per thread, so the worker registers tsx
 * itself before it imports the `.ts` entry.
 */
function spawnWorker(workerData: ThreadWorkerData): Worker {
  const compiled = import.meta.url.endsWith('.js');
  const entry = new URL(compiled ? './sip-server-worker.js' : './sip-server-worker.ts', import.meta.url);
  if (compiled) return new Worker(entry, { workerData });
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(boot, { eval: true, workerData });
}

function threadError(error: ThreadError): SipServerThreadError {
  return new SipServerThreadError(error.message, error.code);
}
