/** Retry timing shared by the Zendesk client and the delivery worker. Pure functions. */

export interface BackoffPolicy {
  /** Delay before the first retry. */
  baseMs: number;
  /** Upper bound of any single delay. */
  maxMs: number;
}

/**
 * Exponential backoff with "equal jitter": half the delay fixed, half random, so retries from many
 * deliveries spread out without ever retrying immediately. `attempt` counts from 1 (first retry).
 */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const exp = policy.baseMs * 2 ** Math.max(0, attempt - 1);
  const capped = Math.min(policy.maxMs, exp);
  return Math.round(capped / 2 + (capped / 2) * random());
}

/**
 * `Retry-After` as milliseconds: delta-seconds or an HTTP-date (RFC 9110 §10.2.3). Null when the
 * header is absent or unreadable; never negative.
 */
export function parseRetryAfter(value: string | string[] | undefined, now: number): number | null {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined) return null;
  const text = raw.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (/^[+-]?\d+$/.test(text)) return null;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - now);
}
