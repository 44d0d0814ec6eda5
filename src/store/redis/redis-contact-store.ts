import type { Redis } from 'ioredis';
import type { Contact, ContactPatch } from '../../contacts/contact.js';
import { TalkbridgeError } from '../../errors.js';
import { newId } from '../new-id.js';
import type { ContactStore } from '../store.js';
import type { RedisKeys } from './redis-keys.js';
import type { RecordSpec, RedisRecords } from './redis-records.js';

/** Contacts: hash each; (org, phone) claimed by a string key holding the contact id. */
export class RedisContactStore implements ContactStore {
  private readonly spec: RecordSpec<Contact>;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly records: RedisRecords,
  ) {
    this.spec = {
      key: (c) => keys.contact(c.id),
      member: (c) => c.id,
      indexes: () => [],
      claims: (c) => (c.phone === null ? [] : [keys.contactPhone(c.orgId, c.phone)]),
    };
  }

  async get(id: string): Promise<Contact | null> {
    return (await this.records.read<Contact>(this.keys.contact(id)))?.record ?? null;
  }

  async findOrCreateByPhone(orgId: string, phone: string, now: number): Promise<Contact> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const existingId = await this.redis.get(this.keys.contactPhone(orgId, phone));
      if (existingId !== null) {
        const existing = await this.get(existingId);
        if (existing) return existing;
      }
      const contact = blank(orgId, phone, now);
      // The claim and the hash are written by one script: whoever loses the race reads the winner.
      if ((await this.records.create(this.spec, contact)) === 'ok') return contact;
    }
    throw new TalkbridgeError('STORE_ERR_UNAVAILABLE', 'could not find or create the contact (contention)');
  }

  async createAnonymous(orgId: string, now: number): Promise<Contact> {
    const contact = blank(orgId, null, now);
    await this.records.create(this.spec, contact);
    return contact;
  }

  /** Throws TalkbridgeError API_ERR_CONFLICT when `phone` is already another contact's. */
  async update(id: string, patch: ContactPatch, now: number): Promise<Contact | null> {
    const clean = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    try {
      const result = await this.records.modify(this.spec, this.keys.contact(id), (current) => ({ ...current, ...clean, updatedAt: now }));
      return result?.record ?? null;
    } catch (error) {
      if (error instanceof TalkbridgeError && error.code === 'API_ERR_CONFLICT') {
        throw new TalkbridgeError('API_ERR_CONFLICT', 'another contact of this organisation has this phone number');
      }
      throw error;
    }
  }
}

function blank(orgId: string, phone: string | null, now: number): Contact {
  return {
    id: newId('ctc', now),
    orgId,
    phone,
    name: null,
    email: null,
    zendeskUserId: null,
    externalId: null,
    customData: {},
    createdAt: now,
    updatedAt: now,
  };
}
