import type { Database, Statement } from 'better-sqlite3';
import type { SecretBox } from '../secret-box.js';
import type { DeliveryStatus, PendingTicket, PurgeBatch, WebhookDelivery, ZendeskConnection, ZendeskStore } from '../store.js';
import { SETTLED_DELIVERY } from './sqlite-migrations.js';

interface ConnectionRow {
  id: string;
  org_id: string;
  subdomain: string;
  email: string;
  api_token: string;
  webhook_id: string | null;
  signing_secret: string | null;
  state: 'connected' | 'error';
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

interface DeliveryRow {
  connection_id: string;
  id: string;
  org_id: string;
  event_type: string;
  received_at: number;
  body: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: number | null;
  last_error: string | null;
  processed_at: number | null;
}

interface PendingRow {
  org_id: string;
  ticket_id: string;
  caller_phone: string | null;
  caller_national: string | null;
  received_at: number;
  expires_at: number;
}

const DELIVERY_COLUMNS: Record<string, keyof DeliveryRow> = {
  status: 'status',
  attempts: 'attempts',
  nextAttemptAt: 'next_attempt_at',
  lastError: 'last_error',
  processedAt: 'processed_at',
};

const MAX_DECRYPTED = 1024;

/** AAD binding an encrypted secret to its connection and field (see SecretBox). */
export function secretContext(connectionId: string, field: 'apiToken' | 'signingSecret'): string {
  return `zendesk_connection:${connectionId}:${field}`;
}

export class SqliteZendeskStore implements ZendeskStore {
  private readonly upsertConnection: (row: ConnectionRow) => void;
  private readonly connectionById: Statement<[string], ConnectionRow>;
  private readonly connectionByOrg: Statement<[string], ConnectionRow>;
  private readonly removeConnection: Statement;
  private readonly insertDelivery: Statement;
  private readonly due: Statement<[number, number], DeliveryRow>;
  private readonly insertPending: Statement;
  private readonly pendingByPhone: Statement<[string, string, number], PendingRow>;
  private readonly pendingByNational: Statement<[string, string, number], PendingRow>;
  private readonly removePending: Statement;
  private readonly purgePending: Statement;
  private readonly purgeSettled: Statement<[number, number]>;
  private readonly takeTx: (
    orgId: string,
    caller: { phone: string | null; national: string | null },
    now: number,
  ) => { ticket: PendingTicket; method: 'e164' | 'national' } | null;
  private readonly deliveryUpdates = new Map<string, Statement>();
  /**
   * Decrypted secrets by (context, ciphertext). The row is still read on every call, so a re-saved
   * secret takes effect at once; only the AES-GCM work (and its garbage) of decrypting the same
   * ciphertext again, several times per webhook delivery, is saved.
   */
  private readonly decrypted = new Map<string, string>();

  constructor(
    private readonly db: Database,
    private readonly box: SecretBox,
  ) {
    const removeOtherOfOrg = db.prepare('DELETE FROM zendesk_connections WHERE org_id = ? AND id <> ?');
    const upsert = db.prepare(`INSERT INTO zendesk_connections (id, org_id, subdomain, email, api_token, webhook_id,
      signing_secret, state, last_error, created_at, updated_at) VALUES (@id, @org_id, @subdomain, @email, @api_token,
      @webhook_id, @signing_secret, @state, @last_error, @created_at, @updated_at)
      ON CONFLICT (id) DO UPDATE SET org_id = excluded.org_id, subdomain = excluded.subdomain, email = excluded.email,
      api_token = excluded.api_token, webhook_id = excluded.webhook_id, signing_secret = excluded.signing_secret,
      state = excluded.state, last_error = excluded.last_error, created_at = excluded.created_at,
      updated_at = excluded.updated_at`);
    // One connection per organisation: saving one with a new id replaces the previous one.
    this.upsertConnection = db.transaction((row: ConnectionRow) => {
      removeOtherOfOrg.run(row.org_id, row.id);
      upsert.run(row);
    });
    this.connectionById = db.prepare('SELECT * FROM zendesk_connections WHERE id = ?');
    this.connectionByOrg = db.prepare('SELECT * FROM zendesk_connections WHERE org_id = ?');
    this.removeConnection = db.prepare('DELETE FROM zendesk_connections WHERE id = ?');
    this.insertDelivery = db.prepare(`INSERT OR IGNORE INTO webhook_deliveries (connection_id, id, org_id, event_type,
      received_at, body, status, attempts, next_attempt_at, last_error, processed_at) VALUES (@connection_id, @id,
      @org_id, @event_type, @received_at, @body, @status, @attempts, @next_attempt_at, @last_error, @processed_at)`);
    this.due = db.prepare(`SELECT * FROM (
        SELECT * FROM webhook_deliveries WHERE status = 'pending'
        UNION ALL
        SELECT * FROM webhook_deliveries WHERE status = 'failed' AND next_attempt_at <= ?
      ) ORDER BY received_at, connection_id, id LIMIT ?`);
    this.insertPending = db.prepare(`INSERT INTO pending_tickets (org_id, ticket_id, caller_phone, caller_national,
      received_at, expires_at) VALUES (@org_id, @ticket_id, @caller_phone, @caller_national, @received_at, @expires_at)
      ON CONFLICT (org_id, ticket_id) DO UPDATE SET caller_phone = excluded.caller_phone,
      caller_national = excluded.caller_national, received_at = excluded.received_at, expires_at = excluded.expires_at`);
    // Oldest waiting ticket first: the first call from a number takes the first ticket for it.
    this.pendingByPhone = db.prepare(
      'SELECT * FROM pending_tickets WHERE org_id = ? AND caller_phone = ? AND expires_at > ? ORDER BY received_at, ticket_id LIMIT 1',
    );
    this.pendingByNational = db.prepare(
      'SELECT * FROM pending_tickets WHERE org_id = ? AND caller_national = ? AND expires_at > ? ORDER BY received_at, ticket_id LIMIT 1',
    );
    this.removePending = db.prepare('DELETE FROM pending_tickets WHERE org_id = ? AND ticket_id = ?');
    this.purgePending = db.prepare('DELETE FROM pending_tickets WHERE expires_at <= ?');
    // The rowid subquery bounds the batch (DELETE … LIMIT exists only behind a compile-time option).
    this.purgeSettled = db.prepare(`DELETE FROM webhook_deliveries WHERE rowid IN (
        SELECT rowid FROM webhook_deliveries WHERE ${SETTLED_DELIVERY} AND received_at < ? ORDER BY received_at LIMIT ?
      )`);
    this.takeTx = db.transaction((orgId: string, caller: { phone: string | null; national: string | null }, now: number) => {
      let method: 'e164' | 'national' = 'e164';
      let row = caller.phone ? this.pendingByPhone.get(orgId, caller.phone, now) : undefined;
      if (!row && caller.national) {
        method = 'national';
        row = this.pendingByNational.get(orgId, caller.national, now);
      }
      if (!row) return null;
      this.removePending.run(row.org_id, row.ticket_id);
      return { ticket: pendingFromRow(row), method };
    }).immediate;
  }

  async saveConnection(c: ZendeskConnection): Promise<void> {
    this.upsertConnection({
      id: c.id,
      org_id: c.orgId,
      subdomain: c.subdomain,
      email: c.email,
      api_token: this.box.encrypt(c.apiToken, secretContext(c.id, 'apiToken')),
      webhook_id: c.webhookId,
      signing_secret: c.signingSecret === null ? null : this.box.encrypt(c.signingSecret, secretContext(c.id, 'signingSecret')),
      state: c.state,
      last_error: c.lastError,
      created_at: c.createdAt,
      updated_at: c.updatedAt,
    });
  }

  async getConnection(id: string): Promise<ZendeskConnection | null> {
    const row = this.connectionById.get(id);
    return row ? this.connectionFromRow(row) : null;
  }

  async getConnectionByOrg(orgId: string): Promise<ZendeskConnection | null> {
    const row = this.connectionByOrg.get(orgId);
    return row ? this.connectionFromRow(row) : null;
  }

  async deleteConnection(id: string): Promise<void> {
    this.removeConnection.run(id);
  }

  async recordDelivery(d: WebhookDelivery): Promise<boolean> {
    const result = this.insertDelivery.run({
      connection_id: d.connectionId,
      id: d.id,
      org_id: d.orgId,
      event_type: d.eventType,
      received_at: d.receivedAt,
      body: d.body,
      status: d.status,
      attempts: d.attempts,
      next_attempt_at: d.nextAttemptAt,
      last_error: d.lastError,
      processed_at: d.processedAt,
    });
    return result.changes === 1;
  }

  async updateDelivery(
    connectionId: string,
    id: string,
    patch: Partial<Pick<WebhookDelivery, 'status' | 'attempts' | 'nextAttemptAt' | 'lastError' | 'processedAt'>>,
  ): Promise<void> {
    const sets: string[] = [];
    const values: unknown[] = [];
    for (const [key, column] of Object.entries(DELIVERY_COLUMNS)) {
      if (key in patch) {
        sets.push(`${column} = ?`);
        values.push((patch as Record<string, unknown>)[key] ?? null);
      }
    }
    if (sets.length === 0) return;
    const sql = `UPDATE webhook_deliveries SET ${sets.join(', ')} WHERE connection_id = ? AND id = ?`;
    let statement = this.deliveryUpdates.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.deliveryUpdates.set(sql, statement);
    }
    statement.run(...values, connectionId, id);
  }

  async dueDeliveries(now: number, limit: number): Promise<WebhookDelivery[]> {
    return this.due.all(now, limit).map((r) => ({
      id: r.id,
      connectionId: r.connection_id,
      orgId: r.org_id,
      eventType: r.event_type,
      receivedAt: r.received_at,
      body: r.body,
      status: r.status,
      attempts: r.attempts,
      nextAttemptAt: r.next_attempt_at,
      lastError: r.last_error,
      processedAt: r.processed_at,
    }));
  }

  async addPendingTicket(t: PendingTicket): Promise<void> {
    this.insertPending.run({
      org_id: t.orgId,
      ticket_id: t.ticketId,
      caller_phone: t.callerPhone,
      caller_national: t.callerNational,
      received_at: t.receivedAt,
      expires_at: t.expiresAt,
    });
  }

  async takePendingTicket(
    orgId: string,
    caller: { phone: string | null; national: string | null },
    now: number,
  ): Promise<{ ticket: PendingTicket; method: 'e164' | 'national' } | null> {
    return this.takeTx(orgId, caller, now);
  }

  async purgeExpiredPendingTickets(now: number): Promise<number> {
    return this.purgePending.run(now).changes;
  }

  async purgeSettledDeliveries(receivedBefore: number, limit: number): Promise<PurgeBatch> {
    const deleted = this.purgeSettled.run(receivedBefore, limit).changes;
    return { deleted, done: deleted < limit };
  }

  private decrypt(sealed: string, context: string): string {
    const key = `${context}\u0000${sealed}`;
    let plain = this.decrypted.get(key);
    if (plain === undefined) {
      plain = this.box.decrypt(sealed, context);
      // Bounded: a few entries per connection; re-saved secrets leave stale ones behind.
      if (this.decrypted.size >= MAX_DECRYPTED) this.decrypted.clear();
      this.decrypted.set(key, plain);
    }
    return plain;
  }

  private connectionFromRow(r: ConnectionRow): ZendeskConnection {
    return {
      id: r.id,
      orgId: r.org_id,
      subdomain: r.subdomain,
      email: r.email,
      apiToken: this.decrypt(r.api_token, secretContext(r.id, 'apiToken')),
      webhookId: r.webhook_id,
      signingSecret: r.signing_secret === null ? null : this.decrypt(r.signing_secret, secretContext(r.id, 'signingSecret')),
      state: r.state,
      lastError: r.last_error,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
  }
}

function pendingFromRow(r: PendingRow): PendingTicket {
  return {
    orgId: r.org_id,
    ticketId: r.ticket_id,
    callerPhone: r.caller_phone,
    callerNational: r.caller_national,
    receivedAt: r.received_at,
    expiresAt: r.expires_at,
  };
}
