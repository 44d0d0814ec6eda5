/**
 * The scale-out store: every instance shares one Redis. Each method is atomic on its own (Lua
 * scripts, optimistic versions); see redis-records.ts.
 */
import { Redis } from 'ioredis';
import { TalkbridgeError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { SecretBox } from '../secret-box.js';
import type { Store } from '../store.js';
import { RedisContactStore } from './redis-contact-store.js';
import { RedisIdempotencyStore } from './redis-idempotency-store.js';
import { RedisKeys } from './redis-keys.js';
import { RedisRecords } from './redis-records.js';
import { RedisSessionStore } from './redis-session-store.js';
import { RedisTransferStore } from './redis-transfer-store.js';
import { RedisZendeskStore } from './redis-zendesk-store.js';

export interface RedisStoreOptions {
  /** 32-byte key for secrets at rest; required (all instances must share it). */
  secretKey: Buffer;
  /** Prefix of every key (default `tb:`). */
  keyPrefix?: string;
  now?: () => number;
  /** Connection timeout in ms (default 5000). */
  connectTimeoutMs?: number;
  /** Where connection errors go (ioredis reconnects by itself); default: dropped. */
  logger?: Logger;
}

export interface RedisStore extends Store {
  /** The underlying client, for readiness checks and pub/sub duplication (not for records). */
  readonly redis: Redis;
}

export async function openRedisStore(url: string, options: RedisStoreOptions): Promise<RedisStore> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: options.connectTimeoutMs ?? 5000,
    maxRetriesPerRequest: 3,
  });
  // Without a listener ioredis prints connection errors to stderr; route them to the logger.
  redis.on('error', (error: Error) => options.logger?.warn({ err: error }, 'redis connection error'));
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw new TalkbridgeError('STORE_ERR_UNAVAILABLE', `cannot connect to Redis: ${(error as Error).message}`, {}, { cause: error });
  }
  const keys = new RedisKeys(options.keyPrefix ?? 'tb:');
  const records = new RedisRecords(redis);
  const box = new SecretBox(options.secretKey);
  const now = options.now ?? Date.now;
  let closed = false;
  return {
    redis,
    sessions: new RedisSessionStore(redis, keys, records, now),
    transfers: new RedisTransferStore(redis, keys, records),
    contacts: new RedisContactStore(redis, keys, records),
    zendesk: new RedisZendeskStore(redis, keys, records, box),
    idempotency: new RedisIdempotencyStore(redis, keys),
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/** Whether `store` is the Redis store (the instance bus publishes over its connection). */
export function isRedisStore(store: Store): store is RedisStore {
  return (store as Partial<RedisStore>).redis instanceof Redis;
}
