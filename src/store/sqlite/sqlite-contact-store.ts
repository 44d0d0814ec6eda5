import type { Database, Statement } from 'better-sqlite3';
import type { Contact, ContactPatch } from '../../contacts/contact.js';
import { newId } from '../new-id.js';
import type { ContactStore } from '../store.js';
import { uniqueViolation } from './sqlite-errors.js';

interface ContactRow {
  id: string;
  org_id: string;
  phone: string | null;
  name: string | null;
  email: string | null;
  zendesk_user_id: string | null;
  external_id: string | null;
  custom_data: string;
  created_at: number;
  updated_at: number;
}

export class SqliteContactStore implements ContactStore {
  private readonly insert: Statement;
  private readonly byId: Statement<[string], ContactRow>;
  private readonly byPhone: Statement<[string, string], ContactRow>;
  private readonly write: Statement;

  constructor(private readonly db: Database) {
    // OR IGNORE: a concurrent insert of the same (org, phone) leaves the first contact in place.
    this.insert = db.prepare(`INSERT OR IGNORE INTO contacts (id, org_id, phone, name, email, zendesk_user_id, external_id,
      custom_data, created_at, updated_at) VALUES (?, ?, ?, NULL, NULL, NULL, NULL, '{}', ?, ?)`);
    this.byId = db.prepare('SELECT * FROM contacts WHERE id = ?');
    this.byPhone = db.prepare('SELECT * FROM contacts WHERE org_id = ? AND phone = ?');
    this.write = db.prepare(`UPDATE contacts SET phone = @phone, name = @name, email = @email,
      zendesk_user_id = @zendesk_user_id, external_id = @external_id, custom_data = @custom_data,
      updated_at = @updated_at WHERE id = @id`);
  }

  async get(id: string): Promise<Contact | null> {
    const row = this.byId.get(id);
    return row ? fromRow(row) : null;
  }

  /** The contact of `orgId` with this phone, or null (synchronous: the write-behind store reads it in place). */
  findByPhone(orgId: string, phone: string): Contact | null {
    const row = this.byPhone.get(orgId, phone);
    return row ? fromRow(row) : null;
  }

  async findOrCreateByPhone(orgId: string, phone: string, now: number): Promise<Contact> {
    const existing = this.findByPhone(orgId, phone);
    if (existing) return existing;
    this.insert.run(newId('ctc', now), orgId, phone, now, now);
    return fromRow(this.byPhone.get(orgId, phone) as ContactRow);
  }

  async createAnonymous(orgId: string, now: number): Promise<Contact> {
    const id = newId('ctc', now);
    this.insert.run(id, orgId, null, now, now);
    return fromRow(this.byId.get(id) as ContactRow);
  }

  /** Throws TalkbridgeError API_ERR_CONFLICT when `phone` is already another contact's. */
  async update(id: string, patch: ContactPatch, now: number): Promise<Contact | null> {
    return this.db.transaction(() => {
      const row = this.byId.get(id);
      if (!row) return null;
      const next: Contact = { ...fromRow(row), ...definedOnly(patch), updatedAt: now };
      try {
        this.write.run(toRow(next));
      } catch (error) {
        throw uniqueViolation(error, 'another contact of this organisation has this phone number');
      }
      return next;
    })();
  }
}

/** Keys present with `undefined` are treated as absent ("absent keys are left untouched"). */
export function definedOnly(patch: ContactPatch): ContactPatch {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as ContactPatch;
}

function toRow(c: Contact): ContactRow {
  return {
    id: c.id,
    org_id: c.orgId,
    phone: c.phone,
    name: c.name,
    email: c.email,
    zendesk_user_id: c.zendeskUserId,
    external_id: c.externalId,
    custom_data: JSON.stringify(c.customData),
    created_at: c.createdAt,
    updated_at: c.updatedAt,
  };
}

function fromRow(r: ContactRow): Contact {
  return {
    id: r.id,
    orgId: r.org_id,
    phone: r.phone,
    name: r.name,
    email: r.email,
    zendeskUserId: r.zendesk_user_id,
    externalId: r.external_id,
    customData: JSON.parse(r.custom_data) as Record<string, unknown>,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
