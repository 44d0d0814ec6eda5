/**
 * Zendesk webhook signatures (zendesk.md §2.3):
 * `base64(HMAC-SHA256(key = signing secret as-is, message = timestamp header + raw body bytes))`,
 * compared in constant time. Zendesk documents no replay window, so we choose one (§2.3 last bullet).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export function signWebhook(secret: string, timestamp: string, rawBody: Buffer | string): string {
  return createHmac('sha256', secret).update(timestamp).update(rawBody).digest('base64');
}

export function verifyWebhookSignature(secret: string, timestamp: string, rawBody: Buffer, signature: string): boolean {
  const expected = createHmac('sha256', secret).update(timestamp).update(rawBody).digest();
  const got = Buffer.from(signature, 'base64');
  // Length differs → cannot be equal; timingSafeEqual requires equal lengths.
  return got.length === expected.length && timingSafeEqual(got, expected);
}

export type TimestampCheck = { ok: true; at: number } | { ok: false; reason: 'unreadable' | 'stale' };

/** The signature timestamp is an ISO-8601 UTC string (§2.2); outside `windowMs` of now either way → stale. */
export function checkSignatureTimestamp(timestamp: string, now: number, windowMs: number): TimestampCheck {
  const at = Date.parse(timestamp);
  if (Number.isNaN(at)) return { ok: false, reason: 'unreadable' };
  if (Math.abs(now - at) > windowMs) return { ok: false, reason: 'stale' };
  return { ok: true, at };
}
