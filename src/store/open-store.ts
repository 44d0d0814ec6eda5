/**
 * Opens the store the config names (composition root helper): SQLite in `store.dataDir`, or Redis
 * at `store.redis.url`. The secret key is `store.secretKey` when set; with SQLite, otherwise the
 * generated `<dataDir>/secret.key`.
 */
import type { StoreConfig } from '../config/config.schema.js';
import { decodeSecretKey } from '../config/config.schema.js';
import { TalkbridgeError } from '../errors.js';
import type { Logger } from '../logger.js';
import { openRedisStore } from './redis/open-redis-store.js';
import { openSqliteStore } from './sqlite/open-sqlite-store.js';
import type { Store } from './store.js';

export async function openStore(config: StoreConfig, options: { logger?: Logger; now?: () => number } = {}): Promise<Store> {
  const secretKey = config.secretKey ? (decodeSecretKey(config.secretKey) ?? undefined) : undefined;
  if (config.type === 'redis') {
    if (!config.redis || !secretKey) {
      throw new TalkbridgeError('CONFIG_ERR_INVALID', 'store.type "redis" needs store.redis.url and store.secretKey');
    }
    return openRedisStore(config.redis.url, {
      secretKey,
      keyPrefix: config.redis.keyPrefix,
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.now ? { now: options.now } : {}),
    });
  }
  return openSqliteStore(config.dataDir, {
    ...(secretKey ? { secretKey } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
}
