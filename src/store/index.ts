export type * from './store.js';
export { openStore } from './open-store.js';
export { openSqliteStore, type SqliteStoreOptions, type SqliteStore } from './sqlite/open-sqlite-store.js';
export { openRedisStore, type RedisStoreOptions, type RedisStore } from './redis/open-redis-store.js';
export { newId } from './new-id.js';
export { SecretBox, loadOrCreateSecretKey } from './secret-box.js';
