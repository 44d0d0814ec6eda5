/**
 * Storage interfaces. The default implementation is SQLite (src/store/sqlite, better-sqlite3 WAL);
 * scale-out uses Redis (src/store/redis). Every method is async so both fit.
 * Implementations must make each method atomic on its own (no lost updates between instances).
 */
import type { Contact, ContactPatch } from '../contacts/contact.js';
import type {
  Session,
  SessionState,
  TicketMatch,
  TimelineEvent,
  Transfer,
} from '../sessions/session.js';

/** Options of `SessionStore.update`. */
export interface SessionUpdateOptions {
  /** Only a session in one of these states is updated (compare-and-set); null otherwise. */
  ifState?: readonly SessionState[];
  /** Appended to the session's timeline in the same step, only when the update applies. */
  event?: TimelineEvent;
}

export interface SessionStore {
  /** `events`: the session's first timeline events, stored in the same step as the session. */
  create(session: Session, events?: readonly TimelineEvent[]): Promise<void>;
  get(id: string): Promise<Session | null>;
  /** Sessions of one organisation, newest first; `state` filters, `live` = every state but `ended`. */
  list(orgId: string, filter: { state?: SessionState | 'live'; limit?: number }): Promise<Session[]>;
  /**
   * Partial update of mutable fields; returns the updated session or null when unknown (or refused
   * by `options.ifState`). A lifecycle step is one such call: no read first, its event with it.
   */
  update(
    id: string,
    patch: Partial<Pick<Session, 'state' | 'endReason' | 'contactId' | 'answeredAt' | 'endedAt'>>,
    options?: SessionUpdateOptions,
  ): Promise<Session | null>;
  /**
   * Live sessions of `orgId` without a ticket whose caller matches: exact `callerPhone`, or, when
   * none match exactly, the same `callerNational`. Anonymous sessions never match. Newest first.
   */
  findTicketCandidates(
    orgId: string,
    caller: { phone: string | null; national: string | null },
  ): Promise<{ method: 'e164' | 'national'; sessions: Session[] } | null>;
  /**
   * Stamp a ticket on a session only if it has none yet (compare-and-set). Returns false when the
   * session already carries a ticket or is unknown, so two deliveries never stamp twice.
   */
  stampTicket(id: string, match: TicketMatch): Promise<boolean>;
  // NEEDED BY zendesk: ticket.status_changed / message_added are recorded on the session stamped with
  // that ticket, and a redelivered ticket.created must see its ticket is already stamped (no re-pending).
  // SQLite: an index on (org_id, ticket_id) WHERE ticket_id IS NOT NULL; Redis: a key per (org, ticket).
  /** The session of `orgId` stamped with `ticketId` (the newest if several), or null. Any state. */
  findByTicket(orgId: string, ticketId: string): Promise<Session | null>;
  appendEvent(event: TimelineEvent): Promise<void>;
  timeline(sessionId: string): Promise<TimelineEvent[]>;
}

export interface TransferStore {
  /** Throws TalkbridgeError API_ERR_CONFLICT when the id or (sessionId, idempotencyKey) exists. */
  create(transfer: Transfer): Promise<void>;
  get(id: string): Promise<Transfer | null>;
  /** Oldest first. */
  listBySession(sessionId: string): Promise<Transfer[]>;
  update(id: string, patch: Partial<Omit<Transfer, 'id' | 'sessionId' | 'orgId'>>): Promise<Transfer | null>;
  findByIdempotencyKey(sessionId: string, key: string): Promise<Transfer | null>;
}

export interface ContactStore {
  get(id: string): Promise<Contact | null>;
  /** Find the contact of `orgId` with this E.164 phone, or create it; atomic. */
  findOrCreateByPhone(orgId: string, phone: string, now: number): Promise<Contact>;
  /** Create a contact without a phone (anonymous caller). */
  createAnonymous(orgId: string, now: number): Promise<Contact>;
  /** Throws TalkbridgeError API_ERR_CONFLICT when `patch.phone` is another contact's phone. */
  update(id: string, patch: ContactPatch, now: number): Promise<Contact | null>;
}

/** An organisation's connection to its Zendesk account (issue: Zendesk integration). */
export interface ZendeskConnection {
  /** Public id used in the webhook receiver URL `/webhooks/zendesk/{id}`. */
  id: string;
  orgId: string;
  subdomain: string;
  email: string;
  /** API token, encrypted at rest by the store's secret box; plain in memory only. */
  apiToken: string;
  webhookId: string | null;
  /** Webhook signing secret, encrypted at rest. */
  signingSecret: string | null;
  state: 'connected' | 'error';
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
}

export type DeliveryStatus = 'pending' | 'processed' | 'ignored' | 'failed';

/** One webhook delivery, recorded before the 200 so processing can be retried from it. */
export interface WebhookDelivery {
  /** Zendesk event id (or invocation id when absent): the dedupe key, unique per connection. */
  id: string;
  connectionId: string;
  orgId: string;
  eventType: string;
  receivedAt: number;
  /** Raw JSON body as received. */
  body: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: number | null;
  lastError: string | null;
  processedAt: number | null;
}

/** A phone-channel ticket that matched no live session yet; waits for the INVITE (correlation). */
export interface PendingTicket {
  orgId: string;
  ticketId: string;
  callerPhone: string | null;
  callerNational: string | null;
  receivedAt: number;
  expiresAt: number;
}

export interface ZendeskStore {
  /** Upsert by id; one connection per organisation (saving a new id replaces the org's previous one). */
  saveConnection(connection: ZendeskConnection): Promise<void>;
  getConnection(id: string): Promise<ZendeskConnection | null>;
  getConnectionByOrg(orgId: string): Promise<ZendeskConnection | null>;
  deleteConnection(id: string): Promise<void>;
  /** Insert a delivery unless one with the same (connectionId, id) exists; returns false on a duplicate. */
  recordDelivery(delivery: WebhookDelivery): Promise<boolean>;
  updateDelivery(
    connectionId: string,
    id: string,
    patch: Partial<Pick<WebhookDelivery, 'status' | 'attempts' | 'nextAttemptAt' | 'lastError' | 'processedAt'>>,
  ): Promise<void>;
  /** Deliveries still to process (`pending`, or `failed` with nextAttemptAt ≤ now), oldest first. */
  dueDeliveries(now: number, limit: number): Promise<WebhookDelivery[]>;
  addPendingTicket(ticket: PendingTicket): Promise<void>;
  /**
   * Take (remove and return) the oldest unexpired pending ticket of `orgId` whose caller matches
   * (exact E.164 first, else national); atomic, so concurrent takers never get the same ticket.
   */
  takePendingTicket(
    orgId: string,
    caller: { phone: string | null; national: string | null },
    now: number,
  ): Promise<{ ticket: PendingTicket; method: 'e164' | 'national' } | null>;
  purgeExpiredPendingTickets(now: number): Promise<number>;
  /**
   * Retention: delete up to `limit` deliveries that are settled for good, oldest first, among those
   * received before `receivedBefore`. Settled = `processed`, `ignored`, or `failed` with no retry
   * scheduled (nextAttemptAt null: given up). A `pending` delivery or a `failed` one awaiting its
   * retry is never deleted, however old. Each call is one bounded, atomic batch; call again until
   * `done`. Once deleted, the same delivery id can be recorded again (dedupe lasts as long as the row).
   */
  purgeSettledDeliveries(receivedBefore: number, limit: number): Promise<PurgeBatch>;
}

/** One bounded batch of a retention purge. */
export interface PurgeBatch {
  /** Records deleted by this batch. */
  deleted: number;
  /** Nothing is left to delete at this cutoff (as far as this batch could tell): the run may stop. */
  done: boolean;
}

export interface IdempotencyStore {
  /** Atomically claim `key` for `scope`; returns the value stored by an earlier claim, if any. */
  claim(scope: string, key: string, value: string, ttlMs: number, now: number): Promise<string | null>;
  /**
   * Delete up to `limit` claims that expired before `expiredBefore`. An expired claim is already
   * claimable again, so this changes no answer of `claim`; it only frees the space. One bounded,
   * atomic batch per call; call again until `done`.
   */
  purgeExpired(expiredBefore: number, limit: number): Promise<PurgeBatch>;
}

/** Everything persistent, behind one handle with one close(). */
export interface Store {
  sessions: SessionStore;
  transfers: TransferStore;
  contacts: ContactStore;
  zendesk: ZendeskStore;
  idempotency: IdempotencyStore;
  close(): Promise<void>;
}
