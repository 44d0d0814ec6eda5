/**
 * The session, contact and transfer stores as the application sees them (openSqliteStore): their
 * writes go through the write-behind batch (sqlite-write-behind.ts); every other method first
 * flushes the batch if it holds a write of its area, then runs at once, so it sees every write
 * issued before it. A deferred write captures its arguments when it is issued (rows built, timeline
 * data serialised, records copied): a caller changing an object afterwards changes nothing stored.
 */
import type { Contact, ContactPatch } from '../../contacts/contact.js';
import type { Session, SessionState, TicketMatch, TimelineEvent, Transfer } from '../../sessions/session.js';
import type { ContactStore, SessionStore, SessionUpdateOptions, TransferStore } from '../store.js';
import type { SqliteContactStore } from './sqlite-contact-store.js';
import { sessionRow, timelineRow, type SqliteSessionStore } from './sqlite-session-store.js';
import type { SqliteTransferStore } from './sqlite-transfer-store.js';
import type { SqliteWriteBehind, WriteArea } from './sqlite-write-behind.js';

const SESSION_AND_TIMELINE: readonly WriteArea[] = ['sessions', 'timeline'];

export class WriteBehindSessionStore implements SessionStore {
  constructor(
    private readonly inner: SqliteSessionStore,
    private readonly writes: SqliteWriteBehind,
    private readonly now: () => number,
  ) {}

  create(session: Session, events: readonly TimelineEvent[] = []): Promise<void> {
    const row = sessionRow(session);
    const rows = events.map(timelineRow);
    return this.writes.defer(rows.length > 0 ? SESSION_AND_TIMELINE : 'sessions', () => this.inner.createRow(row, rows));
  }

  update(id: string, patch: Parameters<SessionStore['update']>[1], options: SessionUpdateOptions = {}): Promise<Session | null> {
    const copy = { ...patch };
    const event = options.event ? timelineRow(options.event) : null;
    const ifState = options.ifState ? [...options.ifState] : null;
    const at = this.now();
    return this.writes.defer(event ? SESSION_AND_TIMELINE : 'sessions', () => this.inner.updateRow(id, copy, ifState, event, at));
  }

  appendEvent(event: TimelineEvent): Promise<void> {
    const row = timelineRow(event);
    return this.writes.defer('timeline', () => this.inner.appendEventRow(row));
  }

  get(id: string): Promise<Session | null> {
    this.writes.flushFor('sessions');
    return this.inner.get(id);
  }

  list(orgId: string, filter: { state?: SessionState | 'live'; limit?: number }): Promise<Session[]> {
    this.writes.flushFor('sessions');
    return this.inner.list(orgId, filter);
  }

  findTicketCandidates(orgId: string, caller: { phone: string | null; national: string | null }): ReturnType<SessionStore['findTicketCandidates']> {
    this.writes.flushFor('sessions');
    return this.inner.findTicketCandidates(orgId, caller);
  }

  /** Compare-and-set at once (after the writes issued before it): its caller acts on the answer. */
  stampTicket(id: string, match: TicketMatch): Promise<boolean> {
    this.writes.flushFor('sessions');
    return this.inner.stampTicket(id, match);
  }

  findByTicket(orgId: string, ticketId: string): Promise<Session | null> {
    this.writes.flushFor('sessions');
    return this.inner.findByTicket(orgId, ticketId);
  }

  timeline(sessionId: string): Promise<TimelineEvent[]> {
    this.writes.flushFor('timeline');
    return this.inner.timeline(sessionId);
  }
}

export class WriteBehindContactStore implements ContactStore {
  constructor(
    private readonly inner: SqliteContactStore,
    private readonly writes: SqliteWriteBehind,
  ) {}

  /**
   * A known contact is read at once when no contact write is queued (every call of a known caller);
   * otherwise the find-or-create runs inside the batch, as atomic as before.
   */
  findOrCreateByPhone(orgId: string, phone: string, now: number): Promise<Contact> {
    if (!this.writes.has('contacts')) {
      const known = this.inner.findByPhone(orgId, phone);
      if (known) return Promise.resolve(known);
    }
    return this.writes.defer('contacts', () => this.inner.findOrCreateByPhone(orgId, phone, now));
  }

  createAnonymous(orgId: string, now: number): Promise<Contact> {
    return this.writes.defer('contacts', () => this.inner.createAnonymous(orgId, now));
  }

  update(id: string, patch: ContactPatch, now: number): Promise<Contact | null> {
    const copy = structuredClone(patch);
    return this.writes.defer('contacts', () => this.inner.update(id, copy, now));
  }

  get(id: string): Promise<Contact | null> {
    this.writes.flushFor('contacts');
    return this.inner.get(id);
  }
}

export class WriteBehindTransferStore implements TransferStore {
  constructor(
    private readonly inner: SqliteTransferStore,
    private readonly writes: SqliteWriteBehind,
  ) {}

  create(transfer: Transfer): Promise<void> {
    const copy = structuredClone(transfer);
    return this.writes.defer('transfers', () => this.inner.create(copy));
  }

  update(id: string, patch: Parameters<TransferStore['update']>[1]): Promise<Transfer | null> {
    const copy = structuredClone(patch);
    return this.writes.defer('transfers', () => this.inner.update(id, copy));
  }

  get(id: string): Promise<Transfer | null> {
    this.writes.flushFor('transfers');
    return this.inner.get(id);
  }

  listBySession(sessionId: string): Promise<Transfer[]> {
    this.writes.flushFor('transfers');
    return this.inner.listBySession(sessionId);
  }

  findByIdempotencyKey(sessionId: string, key: string): Promise<Transfer | null> {
    this.writes.flushFor('transfers');
    return this.inner.findByIdempotencyKey(sessionId, key);
  }
}
