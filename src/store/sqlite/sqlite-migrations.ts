/**
 * Schema migrations, tracked in `PRAGMA user_version`: migration N brings the schema from version
 * N-1 to N. Append only; never edit a migration that has shipped.
 */
import type { Database } from 'better-sqlite3';
import { TalkbridgeError } from '../../errors.js';

export const MIGRATIONS: readonly string[] = [
  // 1: sessions, timeline, transfers, contacts, Zendesk connections/deliveries/pending tickets, idempotency.
  `
  CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL,
    agent_id TEXT NOT NULL,
    dialled_number TEXT NOT NULL,
    caller_phone TEXT,
    caller_national TEXT,
    anonymous INTEGER NOT NULL,
    call_id TEXT NOT NULL,
    state TEXT NOT NULL,
    end_reason TEXT,
    contact_id TEXT,
    ticket_id TEXT,
    ticket_match TEXT,
    instance_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    answered_at INTEGER,
    ended_at INTEGER,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX sessions_org_created ON sessions (org_id, created_at DESC, id DESC);
  CREATE INDEX sessions_org_state_created ON sessions (org_id, state, created_at DESC, id DESC);
  -- Ticket correlation looks only at live, unticketed, non-anonymous sessions: partial indexes keep
  -- that lookup a few index probes however many sessions exist.
  CREATE INDEX sessions_candidates_e164 ON sessions (org_id, caller_phone, created_at DESC, id DESC)
    WHERE ticket_id IS NULL AND state <> 'ended' AND anonymous = 0;
  CREATE INDEX sessions_candidates_national ON sessions (org_id, caller_national, created_at DESC, id DESC)
    WHERE ticket_id IS NULL AND state <> 'ended' AND anonymous = 0;

  CREATE INDEX sessions_ticket ON sessions (org_id, ticket_id, created_at DESC, id DESC) WHERE ticket_id IS NOT NULL;

  CREATE TABLE timeline (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    type TEXT NOT NULL,
    data TEXT NOT NULL
  );
  CREATE INDEX timeline_session ON timeline (session_id, seq);

  CREATE TABLE transfers (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL,
    org_id TEXT NOT NULL,
    destination_id TEXT NOT NULL,
    destination_type TEXT NOT NULL,
    target TEXT NOT NULL,
    state TEXT NOT NULL,
    sip_status INTEGER,
    reason TEXT,
    from_sent TEXT,
    headers_sent TEXT NOT NULL,
    idempotency_key TEXT,
    created_at INTEGER NOT NULL,
    completed_at INTEGER
  );
  CREATE INDEX transfers_session ON transfers (session_id, created_at, id);
  CREATE UNIQUE INDEX transfers_idempotency ON transfers (session_id, idempotency_key) WHERE idempotency_key IS NOT NULL;

  CREATE TABLE contacts (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL,
    phone TEXT,
    name TEXT,
    email TEXT,
    zendesk_user_id TEXT,
    external_id TEXT,
    custom_data TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE UNIQUE INDEX contacts_org_phone ON contacts (org_id, phone) WHERE phone IS NOT NULL;

  CREATE TABLE zendesk_connections (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL UNIQUE,
    subdomain TEXT NOT NULL,
    email TEXT NOT NULL,
    api_token TEXT NOT NULL,
    webhook_id TEXT,
    signing_secret TEXT,
    state TEXT NOT NULL,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );

  CREATE TABLE webhook_deliveries (
    connection_id TEXT NOT NULL,
    id TEXT NOT NULL,
    org_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at INTEGER,
    last_error TEXT,
    processed_at INTEGER,
    PRIMARY KEY (connection_id, id)
  );
  CREATE INDEX deliveries_pending ON webhook_deliveries (received_at) WHERE status = 'pending';
  CREATE INDEX deliveries_failed ON webhook_deliveries (next_attempt_at) WHERE status = 'failed';

  CREATE TABLE pending_tickets (
    org_id TEXT NOT NULL,
    ticket_id TEXT NOT NULL,
    caller_phone TEXT,
    caller_national TEXT,
    received_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (org_id, ticket_id)
  );
  CREATE INDEX pending_tickets_e164 ON pending_tickets (org_id, caller_phone, received_at);
  CREATE INDEX pending_tickets_national ON pending_tickets (org_id, caller_national, received_at);
  CREATE INDEX pending_tickets_expiry ON pending_tickets (expires_at);

  CREATE TABLE idempotency (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
  );
  `,
  // 2: retention (zendesk.deliveryRetentionHours). The purge deletes settled deliveries oldest first
  // and expired claims, a bounded batch per statement; these indexes hold exactly the rows it may
  // delete, so each batch is a range scan of what it deletes, however many pending rows there are.
  // The purge's WHERE repeats the partial index's condition word for word (SQLite only uses a
  // partial index when the query's WHERE contains that condition): see SETTLED_DELIVERY below.
  `
  CREATE INDEX deliveries_settled ON webhook_deliveries (received_at)
    WHERE status IN ('processed', 'ignored') OR (status = 'failed' AND next_attempt_at IS NULL);
  CREATE INDEX idempotency_expiry ON idempotency (expires_at);
  `,
];

/** The condition of the `deliveries_settled` index (migration 2), for queries that must use it. */
export const SETTLED_DELIVERY = "(status IN ('processed', 'ignored') OR (status = 'failed' AND next_attempt_at IS NULL))";

/** Apply every migration above the database's user_version, each in its own transaction. */
export function migrate(db: Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new TalkbridgeError(
      'STORE_ERR_UNAVAILABLE',
      `database schema version ${current} is newer than this build knows (${MIGRATIONS.length}); upgrade talkbridge`,
    );
  }
  for (let version = current + 1; version <= MIGRATIONS.length; version++) {
    const sql = MIGRATIONS[version - 1] as string;
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${version}`);
    })();
  }
}
