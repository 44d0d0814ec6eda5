import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkSignatureTimestamp, signWebhook, verifyWebhookSignature } from '../../src/zendesk/webhook-signature.js';

// zendesk.md §2.3: the fixed secret Zendesk uses for "Test webhook" before a webhook exists.
const TEST_SECRET = 'dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ==';
const TS = '2021-03-25T05:09:27Z';
const BODY = Buffer.from('{"type":"zen:event-type:ticket.created","id":"e1"}');

/** Zendesk's documented Node sample, verbatim in spirit: the secret as-is, timestamp then body. */
function zendeskSample(secret: string, ts: string, body: Buffer): string {
  return createHmac('sha256', secret).update(ts + body.toString('utf8')).digest('base64');
}

describe('webhook signature (zendesk.md §2.3)', () => {
  it('matches the documented algorithm: base64 HMAC-SHA256 of timestamp + raw body, secret used as-is', () => {
    expect(signWebhook(TEST_SECRET, TS, BODY)).toBe(zendeskSample(TEST_SECRET, TS, BODY));
    expect(verifyWebhookSignature(TEST_SECRET, TS, BODY, zendeskSample(TEST_SECRET, TS, BODY))).toBe(true);
  });

  it.each([
    ['another secret', 'other-secret', TS, BODY],
    ['an altered body', TEST_SECRET, TS, Buffer.from(BODY.toString().replace('e1', 'e2'))],
    ['another timestamp', TEST_SECRET, '2021-03-25T05:09:28Z', BODY],
  ])('rejects a signature made with %s', (_what, secret, ts, body) => {
    const signature = zendeskSample(secret, ts, body);
    expect(verifyWebhookSignature(TEST_SECRET, TS, BODY, signature)).toBe(false);
  });

  it('rejects the body-then-timestamp order of the stale documentation page', () => {
    const wrongOrder = createHmac('sha256', TEST_SECRET).update(BODY).update(TS).digest('base64');
    expect(verifyWebhookSignature(TEST_SECRET, TS, BODY, wrongOrder)).toBe(false);
  });

  it.each(['', 'not base64 at all!!', 'AAAA', Buffer.alloc(64).toString('base64')])('rejects a malformed signature %j without throwing', (sig) => {
    expect(verifyWebhookSignature(TEST_SECRET, TS, BODY, sig)).toBe(false);
  });

  it('rejects a hex digest of the right HMAC (Zendesk sends base64)', () => {
    const hex = createHmac('sha256', TEST_SECRET).update(TS).update(BODY).digest('hex');
    expect(verifyWebhookSignature(TEST_SECRET, TS, BODY, hex)).toBe(false);
  });
});

describe('signature timestamp window', () => {
  const now = Date.parse('2025-06-01T10:00:00Z');
  const window = 5 * 60_000;
  it.each([
    ['2025-06-01T10:00:00Z', true],
    ['2025-06-01T09:55:00Z', true],
    ['2025-06-01T10:05:00Z', true],
    ['2025-06-01T09:54:59Z', false],
    ['2025-06-01T10:05:01Z', false],
    ['2025-06-01T10:00:00.123456789Z', true],
  ])('%s within ±5 min: %s', (ts, ok) => {
    expect(checkSignatureTimestamp(ts, now, window).ok).toBe(ok);
  });

  it('reports an unreadable timestamp as such', () => {
    expect(checkSignatureTimestamp('yesterday', now, window)).toEqual({ ok: false, reason: 'unreadable' });
    expect(checkSignatureTimestamp('2025-06-01T09:00:00Z', now, window)).toEqual({ ok: false, reason: 'stale' });
  });
});
