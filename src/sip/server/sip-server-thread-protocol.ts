/**
 * Messages between the embedded SIP server's worker thread (sip-server-worker.ts) and its parent
 * (sip-server-thread.ts). Everything crosses by structured clone, so log objects are reduced to
 * plain data first.
 */
import type { SipAddress } from '../message/sip-message.js';
import type { ListenSpec } from '../transport/index.js';
import type { EmbeddedSipServer } from './embedded-sip-server.js';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type ThreadLogLevel = (typeof LOG_LEVELS)[number];

export interface ThreadWorkerData {
  sip: ListenSpec[];
  control: { host: string; port: number; secret: string };
  externalAddress?: string;
  /** Records below this level are dropped in the worker instead of crossing the thread boundary. */
  logLevel: ThreadLogLevel;
}

/** An error as plain data (what pino's `err` serializer prints). */
export interface ThreadError {
  type?: string;
  message: string;
  code?: string;
  stack?: string;
}

export type ServerStats = ReturnType<EmbeddedSipServer['stats']>;

export type ThreadToParent =
  | { type: 'ready'; addresses: { sip: SipAddress[]; control: { address: string; port: number } }; stats: ServerStats }
  | { type: 'failed'; error: ThreadError }
  | { type: 'log'; level: ThreadLogLevel; obj: Record<string, unknown>; msg: string | undefined }
  | { type: 'stats'; stats: ServerStats }
  | { type: 'closed'; error?: ThreadError };

export type ParentToThread = { type: 'close' };

export function plainError(error: unknown): ThreadError {
  if (!(error instanceof Error)) return { message: String(error) };
  const code = (error as { code?: unknown }).code;
  return { type: error.name, message: error.message, ...(typeof code === 'string' ? { code } : {}), ...(error.stack ? { stack: error.stack } : {}) };
}

/**
 * A log object ready for postMessage (which clones it once): errors become plain data, functions
 * and symbols are dropped. Values structured clone still refuses are handled by the sender.
 */
export function serialisableLogObject(obj: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj)) {
    if (typeof value === 'function' || typeof value === 'symbol') continue;
    out[key] = value instanceof Error ? plainError(value) : value;
  }
  return out;
}
