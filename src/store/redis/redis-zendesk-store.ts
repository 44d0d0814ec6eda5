import type { Redis } from 'ioredis';
import { TalkbridgeError } from '../../errors.js';
import type { SecretBox } from '../secret-box.js';
import { isSettledDelivery } from '../settled-delivery.js';
import { secretContext } from '../sqlite/sqlite-zendesk-store.js';
import type { PendingTicket, PurgeBatch, WebhookDelivery, ZendeskConnection, ZendeskStore } from '../store.js';
import { deliveryMember, parseDeliveryMember } from './redis-delivery-members.js';
import { RedisDeliveryRetention } from './redis-delivery-retention.js';
import type { RedisKeys } from './redis-keys.js';
import type { RecordSpec, RedisRecords } from './redis-records.js';

/**
 * Due failed deliveries read per call at most (they are merged with pending ones by receivedAt).
 * This cannot starve one: they are read earliest due first, and each one served either settles
 * (leaves the index) or is rescheduled later than every one still waiting, so the window moves on
 * (redis-store.test.ts "serves every due failed delivery…"). With more than this many due, "oldest
 * first" holds within the window only, where SQLite orders every due delivery.
 */
const FAILED_SCAN_LIMIT = 1000;

export class RedisZendeskStore implements ZendeskStore {
  private readonly connectionSpec: RecordSpec<ZendeskConnection>;
  private readonly deliverySpec: RecordSpec<WebhookDelivery>;
  private readonly pendingSpec: RecordSpec<PendingTicket>;
  private readonly retention: RedisDeliveryRetention;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly records: RedisRecords,
    private readonly box: SecretBox,
  ) {
    this.connectionSpec = {
      key: (c) => keys.connection(c.id),
      member: (c) => c.id,
      indexes: () => [],
      claims: (c) => [keys.orgConnection(c.orgId)],
    };
    this.deliverySpec = {
      key: (d) => keys.delivery(d.connectionId, d.id),
      member: (d) => deliveryMember(d),
      indexes: (d) => {
        if (d.status === 'pending') return [[keys.pendingDeliveries(), d.receivedAt]];
        if (d.status === 'failed' && d.nextAttemptAt !== null) return [[keys.failedDeliveries(), d.nextAttemptAt]];
        if (isSettledDelivery(d)) return [[keys.settledDeliveries(), d.receivedAt]];
        return [];
      },
      claims: () => [],
    };
    this.pendingSpec = {
      key: (t) => keys.pendingTicket(t.orgId, t.ticketId),
      member: (t) => JSON.stringify([t.orgId, t.ticketId]),
      indexes: (t) => {
        const out: [string, number][] = [[keys.pendingExpiry(), t.expiresAt]];
        if (t.callerPhone) out.push([keys.pendingByPhone(t.orgId, t.callerPhone), t.receivedAt]);
        if (t.callerNational) out.push([keys.pendingByNational(t.orgId, t.callerNational), t.receivedAt]);
        return out;
      },
      claims: () => [],
    };
    this.retention = new RedisDeliveryRetention(redis, keys);
  }

  /** One connection per organisation: saving one with a new id replaces the previous one. */
  async saveConnection(connection: ZendeskConnection): Promise<void> {
    const sealed = this.seal(connection);
    for (let attempt = 0; attempt < 20; attempt++) {
      const current = await this.records.read<ZendeskConnection>(this.keys.connection(connection.id));
      const result = current ? await this.records.replace(this.connectionSpec, current, sealed) : await this.records.create(this.connectionSpec, sealed);
      if (result === 'ok') return;
      if (result === 'claimed') {
        const previousId = await this.redis.get(this.keys.orgConnection(connection.orgId));
        if (previousId !== null && previousId !== connection.id) await this.deleteConnection(previousId);
      }
    }
    throw new TalkbridgeError('STORE_ERR_UNAVAILABLE', 'could not save the Zendesk connection (contention)');
  }

  async getConnection(id: string): Promise<ZendeskConnection | null> {
    const found = await this.records.read<ZendeskConnection>(this.keys.connection(id));
    return found ? this.open(found.record) : null;
  }

  async getConnectionByOrg(orgId: string): Promise<ZendeskConnection | null> {
    const id = await this.redis.get(this.keys.orgConnection(orgId));
    return id === null ? null : this.getConnection(id);
  }

  async deleteConnection(id: string): Promise<void> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const current = await this.records.read<ZendeskConnection>(this.keys.connection(id));
      if (!current || (await this.records.remove(this.connectionSpec, current)) === 'ok') return;
    }
    throw new TalkbridgeError('STORE_ERR_UNAVAILABLE', 'could not delete the Zendesk connection (contention)');
  }

  async recordDelivery(delivery: WebhookDelivery): Promise<boolean> {
    return (await this.records.create(this.deliverySpec, delivery)) === 'ok';
  }

  async updateDelivery(
    connectionId: string,
    id: string,
    patch: Partial<Pick<WebhookDelivery, 'status' | 'attempts' | 'nextAttemptAt' | 'lastError' | 'processedAt'>>,
  ): Promise<void> {
    const allowed = ['status', 'attempts', 'nextAttemptAt', 'lastError', 'processedAt'] as const;
    const clean = Object.fromEntries(allowed.filter((k) => k in patch).map((k) => [k, patch[k] ?? null]));
    await this.records.modify(this.deliverySpec, this.keys.delivery(connectionId, id), (current) => ({ ...current, ...clean }));
  }

  async dueDeliveries(now: number, limit: number): Promise<WebhookDelivery[]> {
    const [pending, failed] = await Promise.all([
      this.redis.zrange(this.keys.pendingDeliveries(), 0, limit - 1),
      this.redis.zrangebyscore(this.keys.failedDeliveries(), '-inf', now, 'LIMIT', 0, FAILED_SCAN_LIMIT),
    ]);
    const keys = [...pending, ...failed].map((member) => {
      const d = parseDeliveryMember(member);
      return this.keys.delivery(d.connectionId, d.id);
    });
    const deliveries = await this.records.readMany<WebhookDelivery>(keys);
    return deliveries
      .filter((d) => d.status === 'pending' || (d.status === 'failed' && d.nextAttemptAt !== null && d.nextAttemptAt <= now))
      .sort((a, b) => a.receivedAt - b.receivedAt || cmp(a.connectionId, b.connectionId) || cmp(a.id, b.id))
      .slice(0, limit);
  }

  async addPendingTicket(ticket: PendingTicket): Promise<void> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const current = await this.records.read<PendingTicket>(this.keys.pendingTicket(ticket.orgId, ticket.ticketId));
      const result = current ? await this.records.replace(this.pendingSpec, current, ticket) : await this.records.create(this.pendingSpec, ticket);
      if (result === 'ok') return;
    }
    throw new TalkbridgeError('STORE_ERR_UNAVAILABLE', 'could not add the pending ticket (contention)');
  }

  async takePendingTicket(
    orgId: string,
    caller: { phone: string | null; national: string | null },
    now: number,
  ): Promise<{ ticket: PendingTicket; method: 'e164' | 'national' } | null> {
    if (caller.phone) {
      const ticket = await this.takeFrom(this.keys.pendingByPhone(orgId, caller.phone), now);
      if (ticket) return { ticket, method: 'e164' };
    }
    if (caller.national) {
      const ticket = await this.takeFrom(this.keys.pendingByNational(orgId, caller.national), now);
      if (ticket) return { ticket, method: 'national' };
    }
    return null;
  }

  async purgeExpiredPendingTickets(now: number): Promise<number> {
    const members = await this.redis.zrangebyscore(this.keys.pendingExpiry(), '-inf', now);
    let purged = 0;
    for (const member of members) {
      const [orgId, ticketId] = JSON.parse(member) as [string, string];
      const current = await this.records.read<PendingTicket>(this.keys.pendingTicket(orgId, ticketId));
      if (!current) {
        await this.redis.zrem(this.keys.pendingExpiry(), member);
        continue;
      }
      if (current.record.expiresAt <= now && (await this.records.remove(this.pendingSpec, current)) === 'ok') purged += 1;
    }
    return purged;
  }

  async purgeSettledDeliveries(receivedBefore: number, limit: number): Promise<PurgeBatch> {
    return this.retention.purge(receivedBefore, limit);
  }

  /** Oldest unexpired ticket of the index, removed atomically (a concurrent taker gets another or none). */
  private async takeFrom(indexKey: string, now: number): Promise<PendingTicket | null> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const members = await this.redis.zrange(indexKey, 0, -1);
      let raced = false;
      for (const member of members) {
        const [orgId, ticketId] = JSON.parse(member) as [string, string];
        const current = await this.records.read<PendingTicket>(this.keys.pendingTicket(orgId, ticketId));
        if (!current || current.record.expiresAt <= now) continue;
        if ((await this.records.remove(this.pendingSpec, current)) === 'ok') return current.record;
        raced = true;
        break;
      }
      if (!raced) return null;
    }
    throw new TalkbridgeError('STORE_ERR_UNAVAILABLE', 'could not take a pending ticket (contention)');
  }

  private seal(c: ZendeskConnection): ZendeskConnection {
    return {
      ...c,
      apiToken: this.box.encrypt(c.apiToken, secretContext(c.id, 'apiToken')),
      signingSecret: c.signingSecret === null ? null : this.box.encrypt(c.signingSecret, secretContext(c.id, 'signingSecret')),
    };
  }

  private open(c: ZendeskConnection): ZendeskConnection {
    return {
      ...c,
      apiToken: this.box.decrypt(c.apiToken, secretContext(c.id, 'apiToken')),
      signingSecret: c.signingSecret === null ? null : this.box.decrypt(c.signingSecret, secretContext(c.id, 'signingSecret')),
    };
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
