/**
 * Opens the instance bus that fits the store (composition root helper): Redis pub/sub over the
 * Redis store's connection when instances share Redis; null otherwise (a SQLite store belongs to
 * one instance, which has nobody to forward to).
 */
import type { z } from 'zod';
import type { Logger } from '../logger.js';
import type { InstanceBus } from './instance-bus.js';
import { isRedisStore } from './redis/open-redis-store.js';
import { RedisInstanceBus } from './redis/redis-instance-bus.js';
import type { Store } from './store.js';

export interface OpenInstanceBusOptions<Req, Res> {
  store: Store;
  instanceId: string;
  /** The store's key prefix (`store.redis.keyPrefix`): channels are `<prefix>bus:<instance id>`. */
  keyPrefix: string;
  schemas: { request: z.ZodType<Req>; reply: z.ZodType<Res> };
  logger: Logger;
}

export async function openInstanceBus<Req, Res>(options: OpenInstanceBusOptions<Req, Res>): Promise<InstanceBus<Req, Res> | null> {
  if (!isRedisStore(options.store)) return null;
  return RedisInstanceBus.open({
    publisher: options.store.redis,
    instanceId: options.instanceId,
    channelPrefix: `${options.keyPrefix}bus:`,
    schemas: options.schemas,
    logger: options.logger,
  });
}
