import type { Database, Statement } from 'better-sqlite3';
import type { Session, SessionState, TicketMatch, TimelineEvent } from '../../sessions/session.js';
import type { SessionStore, SessionUpdateOptions } from '../store.js';
import { uniqueViolation } from './sqlite-errors.js';

/** A timeline row as written (data already JSON). */
export interface TimelineRow {
  sessionId: string;
  at: number;
  type: string;
  data: string;
}

type SessionPatch = Partial<Pick<Session, 'state' | 'endReason' | 'contactId' | 'answeredAt' | 'endedAt'>>;

export interface SessionRow {
  id: string;
  org_id: string;
  agent_id: string;
  dialled_number: string;
  caller_phone: string | null;
  caller_national: string | null;
  anonymous: number;
  call_id: string;
  state: SessionState;
  end_reason: string | null;
  contact_id: string | null;
  ticket_id: string | null;
  ticket_match: string | null;
  instance_id: string;
  created_at: number;
  answered_at: number | null;
  ended_at: number | null;
  updated_at: number;
}

/** Session fields `update` may change → their columns. */
const UPDATE_COLUMNS = {
  state: 'state',
  endReason: 'end_reason',
  contactId: 'contact_id',
  answeredAt: 'answered_at',
  endedAt: 'ended_at',
} as const;

const CANDIDATE_FILTER = `org_id = ? AND ticket_id IS NULL AND state <> 'ended' AND anonymous = 0`;
const NEWEST_FIRST = 'ORDER BY created_at DESC, id DESC';

export class SqliteSessionStore implements SessionStore {
  private readonly insert: Statement;
  private readonly byId: Statement<[string], SessionRow>;
  private readonly byOrg: Statement<[string, number], SessionRow>;
  private readonly byOrgLive: Statement<[string, number], SessionRow>;
  private readonly byOrgState: Statement<[string, string, number], SessionRow>;
  private readonly byPhone: Statement<[string, string], SessionRow>;
  private readonly byNational: Statement<[string, string], SessionRow>;
  private readonly stamp: Statement;
  private readonly byTicket: Statement<[string, string], SessionRow>;
  private readonly insertEvent: Statement;
  private readonly events: Statement<[string], { session_id: string; at: number; type: string; data: string }>;

  private readonly updates = new Map<string, Statement<unknown[], SessionRow>>();
  /** Session + first event, and update + event: each pair commits together or not at all. */
  private readonly createTx: (row: SessionRow, events: readonly TimelineRow[]) => void;
  private readonly updateTx: (statement: Statement<unknown[], SessionRow>, values: unknown[], event: TimelineRow | null) => SessionRow | undefined;

  constructor(
    private readonly db: Database,
    private readonly now: () => number,
  ) {
    this.insert = db.prepare(`INSERT INTO sessions (id, org_id, agent_id, dialled_number, caller_phone, caller_national,
      anonymous, call_id, state, end_reason, contact_id, ticket_id, ticket_match, instance_id, created_at, answered_at,
      ended_at, updated_at) VALUES (@id, @org_id, @agent_id, @dialled_number, @caller_phone, @caller_national, @anonymous,
      @call_id, @state, @end_reason, @contact_id, @ticket_id, @ticket_match, @instance_id, @created_at, @answered_at,
      @ended_at, @updated_at)`);
    this.byId = db.prepare('SELECT * FROM sessions WHERE id = ?');
    this.byOrg = db.prepare(`SELECT * FROM sessions WHERE org_id = ? ${NEWEST_FIRST} LIMIT ?`);
    this.byOrgLive = db.prepare(`SELECT * FROM sessions WHERE org_id = ? AND state <> 'ended' ${NEWEST_FIRST} LIMIT ?`);
    this.byOrgState = db.prepare(`SELECT * FROM sessions WHERE org_id = ? AND state = ? ${NEWEST_FIRST} LIMIT ?`);
    this.byPhone = db.prepare(`SELECT * FROM sessions WHERE ${CANDIDATE_FILTER} AND caller_phone = ? ${NEWEST_FIRST}`);
    this.byNational = db.prepare(`SELECT * FROM sessions WHERE ${CANDIDATE_FILTER} AND caller_national = ? ${NEWEST_FIRST}`);
    // Compare-and-set: only a session without a ticket is stamped.
    this.stamp = db.prepare(
      'UPDATE sessions SET ticket_id = ?, ticket_match = ?, updated_at = ? WHERE id = ? AND ticket_id IS NULL',
    );
    this.byTicket = db.prepare(`SELECT * FROM sessions WHERE org_id = ? AND ticket_id = ? ${NEWEST_FIRST} LIMIT 1`);
    this.insertEvent = db.prepare('INSERT INTO timeline (session_id, at, type, data) VALUES (?, ?, ?, ?)');
    this.events = db.prepare('SELECT session_id, at, type, data FROM timeline WHERE session_id = ? ORDER BY seq');
    this.createTx = db.transaction((row: SessionRow, events: readonly TimelineRow[]) => {
      this.insert.run(row);
      for (const event of events) this.appendEventRow(event);
    });
    this.updateTx = db.transaction((statement: Statement<unknown[], SessionRow>, values: unknown[], event: TimelineRow | null) => {
      const row = statement.get(...values);
      if (row && event) this.appendEventRow(event);
      return row;
    });
  }

  async create(session: Session, events: readonly TimelineEvent[] = []): Promise<void> {
    this.createRow(sessionRow(session), events.map(timelineRow));
  }

  /** `create` from rows built beforehand (the write-behind store builds them when the write is issued). */
  createRow(row: SessionRow, events: readonly TimelineRow[]): void {
    try {
      if (events.length > 0) this.createTx(row, events);
      else this.insert.run(row);
    } catch (error) {
      throw uniqueViolation(error, `session ${row.id} already exists`);
    }
  }

  async get(id: string): Promise<Session | null> {
    const row = this.byId.get(id);
    return row ? fromRow(row) : null;
  }

  async list(orgId: string, filter: { state?: SessionState | 'live'; limit?: number }): Promise<Session[]> {
    const limit = filter.limit ?? 100;
    const rows =
      filter.state === undefined
        ? this.byOrg.all(orgId, limit)
        : filter.state === 'live'
          ? this.byOrgLive.all(orgId, limit)
          : this.byOrgState.all(orgId, filter.state, limit);
    return rows.map(fromRow);
  }

  async update(id: string, patch: SessionPatch, options: SessionUpdateOptions = {}): Promise<Session | null> {
    return this.updateRow(id, patch, options.ifState ?? null, options.event ? timelineRow(options.event) : null, this.now());
  }

  /** `update` with the event row and `updated_at` decided beforehand (when the write was issued). */
  updateRow(id: string, patch: SessionPatch, ifState: readonly SessionState[] | null, event: TimelineRow | null, updatedAt: number): Session | null {
    const sets: string[] = [];
    const values: unknown[] = [];
    for (const key of Object.keys(UPDATE_COLUMNS) as (keyof typeof UPDATE_COLUMNS)[]) {
      if (key in patch) {
        sets.push(`${UPDATE_COLUMNS[key]} = ?`);
        values.push(patch[key] ?? null);
      }
    }
    sets.push('updated_at = ?');
    values.push(updatedAt, id);
    let guard = '';
    if (ifState) {
      guard = ` AND state IN (${ifState.map(() => '?').join(', ') || 'NULL'})`;
      values.push(...ifState);
    }
    // The column list comes from the fixed map, never from input; one statement per shape.
    const sql = `UPDATE sessions SET ${sets.join(', ')} WHERE id = ?${guard} RETURNING *`;
    let statement = this.updates.get(sql);
    if (!statement) {
      statement = this.db.prepare<unknown[], SessionRow>(sql);
      this.updates.set(sql, statement);
    }
    const row = event ? this.updateTx(statement, values, event) : statement.get(...values);
    return row ? fromRow(row) : null;
  }

  async findTicketCandidates(
    orgId: string,
    caller: { phone: string | null; national: string | null },
  ): Promise<{ method: 'e164' | 'national'; sessions: Session[] } | null> {
    if (caller.phone) {
      const exact = this.byPhone.all(orgId, caller.phone);
      if (exact.length > 0) return { method: 'e164', sessions: exact.map(fromRow) };
    }
    if (caller.national) {
      const national = this.byNational.all(orgId, caller.national);
      if (national.length > 0) return { method: 'national', sessions: national.map(fromRow) };
    }
    return null;
  }

  async stampTicket(id: string, match: TicketMatch): Promise<boolean> {
    return this.stamp.run(match.ticketId, JSON.stringify(match), this.now(), id).changes === 1;
  }

  async findByTicket(orgId: string, ticketId: string): Promise<Session | null> {
    const row = this.byTicket.get(orgId, ticketId);
    return row ? fromRow(row) : null;
  }

  async appendEvent(event: TimelineEvent): Promise<void> {
    this.appendEventRow(timelineRow(event));
  }

  appendEventRow(row: TimelineRow): void {
    this.insertEvent.run(row.sessionId, row.at, row.type, row.data);
  }

  async timeline(sessionId: string): Promise<TimelineEvent[]> {
    return this.events.all(sessionId).map((r) => ({
      sessionId: r.session_id,
      at: r.at,
      type: r.type,
      data: JSON.parse(r.data) as Record<string, unknown>,
    }));
  }
}

export function timelineRow(event: TimelineEvent): TimelineRow {
  return { sessionId: event.sessionId, at: event.at, type: event.type, data: JSON.stringify(event.data) };
}

export function sessionRow(s: Session): SessionRow {
  return {
    id: s.id,
    org_id: s.orgId,
    agent_id: s.agentId,
    dialled_number: s.dialledNumber,
    caller_phone: s.callerPhone,
    caller_national: s.callerNational,
    anonymous: s.anonymous ? 1 : 0,
    call_id: s.callId,
    state: s.state,
    end_reason: s.endReason,
    contact_id: s.contactId,
    ticket_id: s.ticketId,
    ticket_match: s.ticketMatch ? JSON.stringify(s.ticketMatch) : null,
    instance_id: s.instanceId,
    created_at: s.createdAt,
    answered_at: s.answeredAt,
    ended_at: s.endedAt,
    updated_at: s.updatedAt,
  };
}

function fromRow(r: SessionRow): Session {
  return {
    id: r.id,
    orgId: r.org_id,
    agentId: r.agent_id,
    dialledNumber: r.dialled_number,
    callerPhone: r.caller_phone,
    callerNational: r.caller_national,
    anonymous: r.anonymous === 1,
    callId: r.call_id,
    state: r.state,
    endReason: r.end_reason,
    contactId: r.contact_id,
    ticketId: r.ticket_id,
    ticketMatch: r.ticket_match ? (JSON.parse(r.ticket_match) as TicketMatch) : null,
    instanceId: r.instance_id,
    createdAt: r.created_at,
    answeredAt: r.answered_at,
    endedAt: r.ended_at,
    updatedAt: r.updated_at,
  };
}
