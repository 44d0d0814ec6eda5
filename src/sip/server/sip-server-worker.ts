/**
 * Worker-thread side of the embedded SIP server (sip-server-thread.ts starts it): builds the
 * server from `workerData`, reports its addresses, forwards its log records and, every second, its
 * stats to the parent, and closes it on request. Nothing here outlives the server: once it is
 * closed the thread has no handles left and exits.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { SipLogger } from '../drachtio/sip-logger.js';
import { createEmbeddedSipServer } from './embedded-sip-server.js';
import { LOG_LEVELS, type ParentToThread, plainError, serialisableLogObject, type ThreadToParent, type ThreadWorkerData } from './sip-server-thread-protocol.js';

const port = parentPort;
if (!port) throw new Error('sip-server-worker runs as a worker thread');
const data = workerData as ThreadWorkerData;
const post = (message: ThreadToParent): void => port.postMessage(message);

const threshold = LOG_LEVELS.indexOf(data.logLevel);
const noop = (): void => {};
const forward = (level: (typeof LOG_LEVELS)[number]) =>
  LOG_LEVELS.indexOf(level) < threshold
    ? noop
    : (obj: object, msg?: string): void => {
        const record = serialisableLogObject(obj);
        try {
          post({ type: 'log', level, obj: record, msg });
        } catch {
          // Something structured clone refuses (a socket, a class with private slots): send its JSON.
          post({ type: 'log', level, obj: { detail: safeJson(record) }, msg });
        }
      };
const logger: SipLogger = { debug: forward('debug'), info: forward('info'), warn: forward('warn'), error: forward('error') };

const server = createEmbeddedSipServer({
  sip: data.sip,
  control: data.control,
  ...(data.externalAddress !== undefined ? { externalAddress: data.externalAddress } : {}),
  logger,
});

let statsTimer: NodeJS.Timeout | null = null;

port.on('message', (message: ParentToThread) => {
  if (message.type !== 'close') return;
  if (statsTimer) clearInterval(statsTimer);
  server.close().then(
    () => post({ type: 'closed' }),
    (error: unknown) => post({ type: 'closed', error: plainError(error) }),
  );
});

server.start().then(
  () => {
    post({ type: 'ready', addresses: server.addresses(), stats: server.stats() });
    statsTimer = setInterval(() => post({ type: 'stats', stats: server.stats() }), 1000);
    statsTimer.unref();
  },
  (error: unknown) => post({ type: 'failed', error: plainError(error) }),
);

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
