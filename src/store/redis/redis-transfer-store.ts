import type { Redis } from 'ioredis';
import { TalkbridgeError } from '../../errors.js';
import type { Transfer } from '../../sessions/session.js';
import type { TransferStore } from '../store.js';
import type { RedisKeys } from './redis-keys.js';
import type { RecordSpec, RedisRecords } from './redis-records.js';

/** Transfers: hash each; per-session sorted set (oldest first); idempotency key claimed per session. */
export class RedisTransferStore implements TransferStore {
  private readonly spec: RecordSpec<Transfer>;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly records: RedisRecords,
  ) {
    this.spec = {
      key: (t) => keys.transfer(t.id),
      member: (t) => t.id,
      indexes: (t) => [[keys.sessionTransfers(t.sessionId), t.createdAt]],
      claims: (t) => (t.idempotencyKey === null ? [] : [keys.transferIdempotency(t.sessionId, t.idempotencyKey)]),
    };
  }

  async create(transfer: Transfer): Promise<void> {
    if ((await this.records.create(this.spec, transfer)) !== 'ok') {
      throw new TalkbridgeError('API_ERR_CONFLICT', 'transfer already exists (same id or idempotency key)');
    }
  }

  async get(id: string): Promise<Transfer | null> {
    return (await this.records.read<Transfer>(this.keys.transfer(id)))?.record ?? null;
  }

  async listBySession(sessionId: string): Promise<Transfer[]> {
    const ids = await this.redis.zrange(this.keys.sessionTransfers(sessionId), 0, -1);
    return this.records.readMany<Transfer>(ids.map((id) => this.keys.transfer(id)));
  }

  async update(id: string, patch: Partial<Omit<Transfer, 'id' | 'sessionId' | 'orgId'>>): Promise<Transfer | null> {
    const clean = Object.fromEntries(Object.entries(patch).filter(([k]) => k !== 'id' && k !== 'sessionId' && k !== 'orgId'));
    const result = await this.records.modify(this.spec, this.keys.transfer(id), (current) => ({ ...current, ...clean }));
    return result?.record ?? null;
  }

  async findByIdempotencyKey(sessionId: string, key: string): Promise<Transfer | null> {
    const id = await this.redis.get(this.keys.transferIdempotency(sessionId, key));
    return id === null ? null : this.get(id);
  }
}
