/**
 * Records as Redis hashes (each field JSON-encoded, plus a `_v` version), with their index keys
 * (sorted sets, score = a time) and unique claims (string keys holding the owner's member id).
 *
 * Every write is one Lua script, so a record, its indexes and its claims change together
 * (atomically, also across instances). Updates are optimistic: read the record and its version,
 * compute the next record in TypeScript, write only if the version is unchanged, else re-read.
 * This is how compare-and-set (stampTicket), dedupe (recordDelivery) and claims stay atomic
 * without WATCH, which would need one connection per concurrent operation.
 *
 * DEVIATION: index keys of one record may hash to different cluster slots; this store targets a
 * single Redis (or a primary with replicas), not Redis Cluster.
 */
import type { Redis } from 'ioredis';
import { TalkbridgeError } from '../../errors.js';

/** KEYS: hash, claims…, releases…, zrems…, zadds…  ARGV: see the header of the script. */
const WRITE_RECORD = `
local expected = ARGV[1]
local member = ARGV[2]
local nClaims, nReleases, nZrem, nZadd = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local mode = ARGV[7]
local version = redis.call('HGET', KEYS[1], '_v')
if expected == '' then
  if version then return 0 end
elseif version ~= expected then
  return 0
end
local k = 2
for i = 1, nClaims do
  local owner = redis.call('GET', KEYS[k + i - 1])
  if owner and owner ~= member then return -1 end
end
for i = 1, nClaims do redis.call('SET', KEYS[k], member); k = k + 1 end
for i = 1, nReleases do
  if redis.call('GET', KEYS[k]) == member then redis.call('DEL', KEYS[k]) end
  k = k + 1
end
for i = 1, nZrem do redis.call('ZREM', KEYS[k], member); k = k + 1 end
local a = 8
for i = 1, nZadd do redis.call('ZADD', KEYS[k], ARGV[a], member); k = k + 1; a = a + 1 end
if mode == 'del' then
  redis.call('DEL', KEYS[1])
  return 1
end
local fields = {}
for i = a, #ARGV do fields[#fields + 1] = ARGV[i] end
fields[#fields + 1] = '_v'
fields[#fields + 1] = tostring((tonumber(version) or 0) + 1)
redis.call('HSET', KEYS[1], unpack(fields))
return 1
`;

export interface RecordSpec<T> {
  key(record: T): string;
  /** Member stored in index sorted sets and claim keys (usually the id). */
  member(record: T): string;
  /** Sorted sets the record belongs to, with its score in each. */
  indexes(record: T): [string, number][];
  /** Unique keys the record owns (e.g. org+phone of a contact). */
  claims(record: T): string[];
}

export interface Versioned<T> {
  record: T;
  version: string;
}

export type WriteResult = 'ok' | 'stale' | 'claimed';

type WriteCommand = (numKeys: number, ...args: (string | number)[]) => Promise<number>;

export class RedisRecords {
  private readonly write: WriteCommand;

  constructor(private readonly redis: Redis) {
    if (!(redis as unknown as { tbWriteRecord?: unknown }).tbWriteRecord) redis.defineCommand('tbWriteRecord', { lua: WRITE_RECORD });
    const command = (redis as unknown as { tbWriteRecord: WriteCommand }).tbWriteRecord;
    this.write = command.bind(redis);
  }

  async read<T>(key: string): Promise<Versioned<T> | null> {
    return decodeVersioned<T>(await this.redis.hgetall(key));
  }

  /** Read several hashes in one round trip, skipping missing ones. */
  async readMany<T>(keys: string[]): Promise<T[]> {
    if (keys.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const key of keys) pipeline.hgetall(key);
    const replies = (await pipeline.exec()) ?? [];
    const records: T[] = [];
    for (const [error, value] of replies) {
      if (error) throw error;
      const decoded = decodeVersioned<T>(value as Record<string, string>);
      if (decoded) records.push(decoded.record);
    }
    return records;
  }

  /** Insert; 'stale' when a record with this key exists, 'claimed' when a claim belongs to another. */
  async create<T extends object>(spec: RecordSpec<T>, record: T): Promise<WriteResult> {
    return this.run(spec, '', null, record);
  }

  /** Replace `old` (as read) by `next`; 'stale' when someone wrote in between. */
  async replace<T extends object>(spec: RecordSpec<T>, old: Versioned<T>, next: T): Promise<WriteResult> {
    return this.run(spec, old.version, old.record, next);
  }

  async remove<T extends object>(spec: RecordSpec<T>, old: Versioned<T>): Promise<WriteResult> {
    return this.run(spec, old.version, old.record, null);
  }

  /**
   * Read-modify-write with retries. `change` returns the next record, or null to leave it as is.
   * Resolves to the record written (or unchanged), or null when the key does not exist.
   */
  async modify<T extends object>(spec: RecordSpec<T>, key: string, change: (current: T) => T | null): Promise<{ record: T; changed: boolean } | null> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const current = await this.read<T>(key);
      if (!current) return null;
      const next = change(current.record);
      if (next === null) return { record: current.record, changed: false };
      const result = await this.replace(spec, current, next);
      if (result === 'ok') return { record: next, changed: true };
      if (result === 'claimed') throw new TalkbridgeError('API_ERR_CONFLICT', 'a unique value of this record is already taken');
    }
    throw new TalkbridgeError('STORE_ERR_UNAVAILABLE', `too much contention updating ${key}`);
  }

  private async run<T extends object>(spec: RecordSpec<T>, expected: string, old: T | null, next: T | null): Promise<WriteResult> {
    const subject = (next ?? old) as T;
    const member = spec.member(subject);
    const oldClaims = old ? spec.claims(old) : [];
    const newClaims = next ? spec.claims(next) : [];
    const releases = oldClaims.filter((c) => !newClaims.includes(c));
    const newIndexes = next ? spec.indexes(next) : [];
    const newIndexKeys = new Set(newIndexes.map(([k]) => k));
    const zrem = (old ? spec.indexes(old) : []).map(([k]) => k).filter((k) => !newIndexKeys.has(k));
    const keys = [spec.key(subject), ...newClaims, ...releases, ...zrem, ...newIndexes.map(([k]) => k)];
    const args: (string | number)[] = [
      expected,
      member,
      newClaims.length,
      releases.length,
      zrem.length,
      newIndexes.length,
      next ? 'set' : 'del',
      ...newIndexes.map(([, score]) => score),
    ];
    if (next) for (const [field, value] of Object.entries(next)) args.push(field, JSON.stringify(value ?? null));
    const result = await this.write(keys.length, ...keys, ...args);
    return result === 1 ? 'ok' : result === -1 ? 'claimed' : 'stale';
  }
}

function decodeVersioned<T>(raw: Record<string, string> | null | undefined): Versioned<T> | null {
  if (!raw || raw._v === undefined) return null;
  const record: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(raw)) {
    if (field !== '_v') record[field] = JSON.parse(value) as unknown;
  }
  return { record: record as T, version: raw._v };
}
