import type { Redis } from 'ioredis';
import type { IdempotencyStore, PurgeBatch } from '../store.js';
import type { RedisKeys } from './redis-keys.js';

/**
 * Expiry follows the caller's `now` (like SQLite, so fake clocks behave the same); the Redis TTL
 * (ttl + 1 min) only garbage-collects old keys.
 */
const CLAIM = `
local value = redis.call('HGET', KEYS[1], 'value')
local expires = tonumber(redis.call('HGET', KEYS[1], 'expiresAt'))
if value and expires and expires > tonumber(ARGV[2]) then return value end
redis.call('HSET', KEYS[1], 'value', ARGV[1], 'expiresAt', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return false
`;

type ClaimCommand = (key: string, value: string, now: number, expiresAt: number, ttl: number) => Promise<string | null>;

export class RedisIdempotencyStore implements IdempotencyStore {
  private readonly command: ClaimCommand;

  constructor(
    redis: Redis,
    private readonly keys: RedisKeys,
  ) {
    if (!(redis as unknown as { tbClaim?: unknown }).tbClaim) redis.defineCommand('tbClaim', { numberOfKeys: 1, lua: CLAIM });
    this.command = (redis as unknown as { tbClaim: ClaimCommand }).tbClaim.bind(redis);
  }

  async claim(scope: string, key: string, value: string, ttlMs: number, now: number): Promise<string | null> {
    return this.command(this.keys.idempotency(scope, key), value, now, now + ttlMs, Math.max(1, Math.ceil(ttlMs)) + 60_000);
  }

  /** Nothing to do: every claim key carries its TTL (above), so Redis deletes expired claims itself. */
  async purgeExpired(): Promise<PurgeBatch> {
    return { deleted: 0, done: true };
  }
}
