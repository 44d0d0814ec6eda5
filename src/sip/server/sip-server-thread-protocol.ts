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

export interface ThreadError {
  message: string;
  code?: string;
}

export type ServerStats = ReturnType<EmbeddedSipServer['stats']>;

export type ThreadToParent =
  | { type: 'ready'; addresses: { sip: SipAddress[]; control: { address: string; port: number } }; stats: ServerStats }
  | { type: 'failed'; error: ThreadError }
  | { type: 'log'; level: ThreadLogLevel; obj: Record<string, unknown>; msg: string | undefined }
  | { type: 'stats'; stats: ServerStats }
  | { type: 'closed'; error?: ThreadError };

export type ParentToThread = { type: 'close' };

/**
 * A log object as plain data: errors become `{type, message, code, stack}` (what pino's `err`
 * serializer prints), functions are dropped, anything structured clone refuses becomes its JSON.
 */
export function serialisableLogObject(obj: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj)) {
    if (typeof value === 'function' || typeof value === 'symbol') continue;
    if (value instanceof Error) {
      const code = (value as { code?: unknown }).code;
      out[key] = { type: value.name, message: value.message, ...(typeof code === 'string' ? { code } : {}), stack: value.stack };
      continue;
    }
    try {
      out[key] = structuredClone(value);
    } catch {
      out[key] = safeJson(value);
    }
  }
  return out;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
