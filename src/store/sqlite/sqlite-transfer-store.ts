import type { Database, Statement } from 'better-sqlite3';
import type { Transfer, TransferState } from '../../sessions/session.js';
import type { TransferStore } from '../store.js';
import { uniqueViolation } from './sqlite-errors.js';

interface TransferRow {
  id: string;
  session_id: string;
  org_id: string;
  destination_id: string;
  destination_type: 'sip' | 'pstn';
  target: string;
  state: TransferState;
  sip_status: number | null;
  reason: string | null;
  from_sent: string | null;
  headers_sent: string;
  idempotency_key: string | null;
  created_at: number;
  completed_at: number | null;
}

const COLUMNS: Record<string, keyof TransferRow> = {
  destinationId: 'destination_id',
  destinationType: 'destination_type',
  target: 'target',
  state: 'state',
  sipStatus: 'sip_status',
  reason: 'reason',
  fromSent: 'from_sent',
  headersSent: 'headers_sent',
  idempotencyKey: 'idempotency_key',
  createdAt: 'created_at',
  completedAt: 'completed_at',
};

export class SqliteTransferStore implements TransferStore {
  private readonly insert: Statement;
  private readonly byId: Statement<[string], TransferRow>;
  private readonly bySession: Statement<[string], TransferRow>;
  private readonly byKey: Statement<[string, string], TransferRow>;
  private readonly updates = new Map<string, Statement<unknown[], TransferRow>>();

  constructor(private readonly db: Database) {
    this.insert = db.prepare(`INSERT INTO transfers (id, session_id, org_id, destination_id, destination_type, target,
      state, sip_status, reason, from_sent, headers_sent, idempotency_key, created_at, completed_at) VALUES (@id,
      @session_id, @org_id, @destination_id, @destination_type, @target, @state, @sip_status, @reason, @from_sent,
      @headers_sent, @idempotency_key, @created_at, @completed_at)`);
    this.byId = db.prepare('SELECT * FROM transfers WHERE id = ?');
    this.bySession = db.prepare('SELECT * FROM transfers WHERE session_id = ? ORDER BY created_at, id');
    this.byKey = db.prepare('SELECT * FROM transfers WHERE session_id = ? AND idempotency_key = ?');
  }

  /** Throws TalkbridgeError API_ERR_CONFLICT when the id or (session, idempotency key) exists. */
  async create(transfer: Transfer): Promise<void> {
    try {
      this.insert.run(toRow(transfer));
    } catch (error) {
      throw uniqueViolation(error, 'transfer already exists (same id or idempotency key)');
    }
  }

  async get(id: string): Promise<Transfer | null> {
    const row = this.byId.get(id);
    return row ? fromRow(row) : null;
  }

  async listBySession(sessionId: string): Promise<Transfer[]> {
    return this.bySession.all(sessionId).map(fromRow);
  }

  async update(id: string, patch: Partial<Omit<Transfer, 'id' | 'sessionId' | 'orgId'>>): Promise<Transfer | null> {
    const sets: string[] = [];
    const values: unknown[] = [];
    const row = toRow({ ...placeholder, ...patch } as Transfer);
    for (const [key, column] of Object.entries(COLUMNS)) {
      if (key in patch) {
        sets.push(`${column} = ?`);
        values.push(row[column]);
      }
    }
    if (sets.length === 0) return this.get(id);
    const sql = `UPDATE transfers SET ${sets.join(', ')} WHERE id = ? RETURNING *`;
    let statement = this.updates.get(sql);
    if (!statement) {
      statement = this.db.prepare<unknown[], TransferRow>(sql);
      this.updates.set(sql, statement);
    }
    const updated = statement.get(...values, id);
    return updated ? fromRow(updated) : null;
  }

  async findByIdempotencyKey(sessionId: string, key: string): Promise<Transfer | null> {
    const row = this.byKey.get(sessionId, key);
    return row ? fromRow(row) : null;
  }
}

const placeholder: Transfer = {
  id: '',
  sessionId: '',
  orgId: '',
  destinationId: '',
  destinationType: 'sip',
  target: '',
  state: 'pending',
  sipStatus: null,
  reason: null,
  fromSent: null,
  headersSent: [],
  idempotencyKey: null,
  createdAt: 0,
  completedAt: null,
};

function toRow(t: Transfer): TransferRow {
  return {
    id: t.id,
    session_id: t.sessionId,
    org_id: t.orgId,
    destination_id: t.destinationId,
    destination_type: t.destinationType,
    target: t.target,
    state: t.state,
    sip_status: t.sipStatus ?? null,
    reason: t.reason ?? null,
    from_sent: t.fromSent ?? null,
    headers_sent: JSON.stringify(t.headersSent ?? []),
    idempotency_key: t.idempotencyKey ?? null,
    created_at: t.createdAt,
    completed_at: t.completedAt ?? null,
  };
}

function fromRow(r: TransferRow): Transfer {
  return {
    id: r.id,
    sessionId: r.session_id,
    orgId: r.org_id,
    destinationId: r.destination_id,
    destinationType: r.destination_type,
    target: r.target,
    state: r.state,
    sipStatus: r.sip_status,
    reason: r.reason,
    fromSent: r.from_sent,
    headersSent: JSON.parse(r.headers_sent) as Transfer['headersSent'],
    idempotencyKey: r.idempotency_key,
    createdAt: r.created_at,
    completedAt: r.completed_at,
  };
}
