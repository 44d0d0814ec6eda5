/**
 * Retention of webhook deliveries in Redis. A settled delivery (processed, ignored, given up) is a
 * member of the `dlv:settled` sorted set, scored by receivedAt, written by the same script as the
 * record (its RecordSpec, redis-zendesk-store.ts). A purge batch reads the oldest members received
 * before the cutoff and deletes them in one Lua script, which re-checks each record (settled,
 * received before the cutoff) before deleting the hash and its member: the batch is atomic, and a
 * record that is not settled is never deleted whatever the index says.
 *
 * Deliveries settled before that index existed are not in it. A one-time SCAN over `dlv:*` adds
 * them, one bounded step per batch; its cursor is kept in Redis, so a restart resumes it and, once
 * it has finished, no instance scans again. Two instances stepping at once only repeat a step.
 */
import type { Redis } from 'ioredis';
import { isSettledDelivery } from '../settled-delivery.js';
import type { PurgeBatch, WebhookDelivery } from '../store.js';
import { deliveryMember, parseDeliveryMember } from './redis-delivery-members.js';
import type { RedisKeys } from './redis-keys.js';

/** Lua: whether the hash fields `status` and `nextAttemptAt` (JSON-encoded) make a settled delivery. */
const SETTLED = (status: string, next: string): string =>
  `(${status} == '"processed"' or ${status} == '"ignored"' or (${status} == '"failed"' and ${next} == 'null'))`;

/** KEYS: settled index, delivery hashes…  ARGV: cutoff (receivedAt <), the hashes' members… */
const PURGE = `
local cutoff = tonumber(ARGV[1])
local deleted = 0
for i = 2, #KEYS do
  local f = redis.call('HMGET', KEYS[i], 'status', 'nextAttemptAt', 'receivedAt')
  local received = tonumber(f[3])
  if ${SETTLED('f[1]', 'f[2]')} then
    if received and received < cutoff then
      redis.call('DEL', KEYS[i])
      redis.call('ZREM', KEYS[1], ARGV[i])
      deleted = deleted + 1
    end
  else
    -- The record is gone (or not settled, which its own writes would have indexed): a stale member.
    redis.call('ZREM', KEYS[1], ARGV[i])
  end
end
return deleted
`;

/** KEYS: settled index, delivery hashes…  ARGV: score and member of each hash. */
const INDEX_SETTLED = `
local added = 0
for i = 2, #KEYS do
  local f = redis.call('HMGET', KEYS[i], 'status', 'nextAttemptAt')
  if ${SETTLED('f[1]', 'f[2]')} then
    added = added + redis.call('ZADD', KEYS[1], ARGV[2 * i - 3], ARGV[2 * i - 2])
  end
end
return added
`;

const BACKFILL_DONE = 'done';

type Script = (numKeys: number, ...args: (string | number)[]) => Promise<number>;

export class RedisDeliveryRetention {
  private readonly purgeScript: Script;
  private readonly indexScript: Script;
  private backfillDone = false;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {
    const commands = redis as unknown as { tbPurgeSettled?: Script; tbIndexSettled?: Script };
    if (!commands.tbPurgeSettled) redis.defineCommand('tbPurgeSettled', { lua: PURGE });
    if (!commands.tbIndexSettled) redis.defineCommand('tbIndexSettled', { lua: INDEX_SETTLED });
    this.purgeScript = commands.tbPurgeSettled!.bind(redis);
    this.indexScript = commands.tbIndexSettled!.bind(redis);
  }

  async purge(receivedBefore: number, limit: number): Promise<PurgeBatch> {
    const backfilled = await this.backfillStep(limit);
    const settled = this.keys.settledDeliveries();
    const members = await this.redis.zrangebyscore(settled, '-inf', `(${receivedBefore}`, 'LIMIT', 0, limit);
    if (members.length === 0) return { deleted: 0, done: backfilled };
    const hashes = members.map((member) => {
      const d = parseDeliveryMember(member);
      return this.keys.delivery(d.connectionId, d.id);
    });
    const deleted = await this.purgeScript(1 + hashes.length, settled, ...hashes, receivedBefore, ...members);
    return { deleted, done: backfilled && members.length < limit };
  }

  /** One SCAN step of the backfill (about `count` keys looked at); true once it has finished. */
  private async backfillStep(count: number): Promise<boolean> {
    if (this.backfillDone) return true;
    const cursorKey = this.keys.settledBackfill();
    const cursor = (await this.redis.get(cursorKey)) ?? '0';
    if (cursor === BACKFILL_DONE) {
      this.backfillDone = true;
      return true;
    }
    const [next, found] = await this.redis.scan(cursor, 'MATCH', this.keys.deliveryPattern(), 'COUNT', count);
    const indexes = new Set([
      this.keys.pendingDeliveries(),
      this.keys.failedDeliveries(),
      this.keys.settledDeliveries(),
      cursorKey,
    ]);
    const candidates = found.filter((key) => !indexes.has(key));
    const settled = await this.settledAmong(candidates);
    if (settled.length > 0) {
      await this.indexScript(
        1 + settled.length,
        this.keys.settledDeliveries(),
        ...settled.map((s) => s.key),
        ...settled.flatMap((s) => [s.receivedAt, s.member]),
      );
    }
    const finished = next === '0';
    await this.redis.set(cursorKey, finished ? BACKFILL_DONE : next);
    this.backfillDone = finished;
    return finished;
  }

  /** The settled deliveries among `keys` (other keys, or hashes that are not deliveries, are skipped). */
  private async settledAmong(keys: string[]): Promise<{ key: string; receivedAt: number; member: string }[]> {
    if (keys.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const key of keys) pipeline.hmget(key, 'status', 'nextAttemptAt', 'receivedAt', 'connectionId', 'id');
    const replies = (await pipeline.exec()) ?? [];
    const out: { key: string; receivedAt: number; member: string }[] = [];
    replies.forEach(([error, value], i) => {
      if (error) return; // not a hash: not a delivery
      const fields = decodeFields(value as (string | null)[]);
      if (!fields) return;
      const [status, nextAttemptAt, receivedAt, connectionId, id] = fields;
      if (typeof receivedAt !== 'number' || typeof connectionId !== 'string' || typeof id !== 'string') return;
      const key = keys[i] as string;
      if (key !== this.keys.delivery(connectionId, id)) return;
      const delivery = { status, nextAttemptAt } as Pick<WebhookDelivery, 'status' | 'nextAttemptAt'>;
      if (isSettledDelivery(delivery)) out.push({ key, receivedAt, member: deliveryMember({ connectionId, id }) });
    });
    return out;
  }
}

/** Record fields are JSON-encoded (redis-records.ts); null when one is not JSON (not a record). */
function decodeFields(raw: (string | null)[]): unknown[] | null {
  try {
    return raw.map((f) => (f === null ? undefined : (JSON.parse(f) as unknown)));
  } catch {
    return null;
  }
}
