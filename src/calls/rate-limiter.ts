/**
 * Token bucket per key (carrier id): `maxPerSecond` tokens per second, burst of the same size
 * (at least one). Time is injected so tests use a fake clock.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly now: () => number) {}

  /** Take a token now if one is there. */
  tryTake(key: string, maxPerSecond: number): boolean {
    const bucket = this.refill(key, maxPerSecond);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /**
   * Reserve the next token (pacing): returns the wait in ms before the call may go, or null when
   * that wait would exceed `maxWaitMs` (nothing is reserved then).
   */
  reserve(key: string, maxPerSecond: number, maxWaitMs: number): number | null {
    const bucket = this.refill(key, maxPerSecond);
    const waitMs = bucket.tokens >= 1 ? 0 : ((1 - bucket.tokens) / maxPerSecond) * 1000;
    if (waitMs > maxWaitMs) return null;
    bucket.tokens -= 1;
    return Math.ceil(waitMs);
  }

  private refill(key: string, maxPerSecond: number): { tokens: number; at: number } {
    const now = this.now();
    const burst = Math.max(1, maxPerSecond);
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { tokens: burst, at: now };
      this.buckets.set(key, bucket);
      return bucket;
    }
    const elapsed = Math.max(0, now - bucket.at) / 1000;
    bucket.tokens = Math.min(burst, bucket.tokens + elapsed * maxPerSecond);
    bucket.at = now;
    return bucket;
  }
}
