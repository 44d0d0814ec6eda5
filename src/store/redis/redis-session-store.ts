import type { Redis } from 'ioredis';
import { TalkbridgeError } from '../../errors.js';
import type { Session, SessionState, TicketMatch, TimelineEvent } from '../../sessions/session.js';
import type { SessionStore, SessionUpdateOptions } from '../store.js';
import type { RedisKeys } from './redis-keys.js';
import type { RecordSpec, RedisRecords } from './redis-records.js';

/**
 * Sessions: hash per session; sorted sets (score createdAt, ties by id) for all / live / per-state
 * lists, for ticket candidates (live, no ticket, not anonymous) by E.164 and by national number,
 * and by stamped ticket. Redis orders equal scores by member, so "newest first" is createdAt desc,
 * id desc, as in SQLite.
 */
export class RedisSessionStore implements SessionStore {
  private readonly spec: RecordSpec<Session>;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly records: RedisRecords,
    private readonly now: () => number,
  ) {
    this.spec = {
      key: (s) => keys.session(s.id),
      member: (s) => s.id,
      claims: () => [],
      indexes: (s) => {
        const out: [string, number][] = [
          [keys.orgSessions(s.orgId), s.createdAt],
          [keys.orgStateSessions(s.orgId, s.state), s.createdAt],
        ];
        if (s.state !== 'ended') {
          out.push([keys.orgLiveSessions(s.orgId), s.createdAt]);
          if (s.ticketId === null && !s.anonymous) {
            if (s.callerPhone) out.push([keys.candidatesByPhone(s.orgId, s.callerPhone), s.createdAt]);
            if (s.callerNational) out.push([keys.candidatesByNational(s.orgId, s.callerNational), s.createdAt]);
          }
        }
        if (s.ticketId !== null) out.push([keys.sessionsByTicket(s.orgId, s.ticketId), s.createdAt]);
        return out;
      },
    };
  }

  async create(session: Session, events: readonly TimelineEvent[] = []): Promise<void> {
    if ((await this.records.create(this.spec, session)) !== 'ok') {
      throw new TalkbridgeError('API_ERR_CONFLICT', `session ${session.id} already exists`);
    }
    // One RPUSH for the session's first events: the inbound call waits for this before dialling the agent.
    if (events.length > 0) await this.redis.rpush(this.keys.timeline(session.id), ...events.map((event) => JSON.stringify(event)));
  }

  async get(id: string): Promise<Session | null> {
    return (await this.records.read<Session>(this.keys.session(id)))?.record ?? null;
  }

  async list(orgId: string, filter: { state?: SessionState | 'live'; limit?: number }): Promise<Session[]> {
    const key =
      filter.state === undefined
        ? this.keys.orgSessions(orgId)
        : filter.state === 'live'
          ? this.keys.orgLiveSessions(orgId)
          : this.keys.orgStateSessions(orgId, filter.state);
    return this.sessionsOf(key, filter.limit ?? 100);
  }

  async update(
    id: string,
    patch: Partial<Pick<Session, 'state' | 'endReason' | 'contactId' | 'answeredAt' | 'endedAt'>>,
    options: SessionUpdateOptions = {},
  ): Promise<Session | null> {
    const allowed = ['state', 'endReason', 'contactId', 'answeredAt', 'endedAt'] as const;
    const clean = Object.fromEntries(allowed.filter((k) => k in patch).map((k) => [k, patch[k] ?? null]));
    const { ifState, event } = options;
    const result = await this.records.modify(this.spec, this.keys.session(id), (current) =>
      ifState && !ifState.includes(current.state) ? null : { ...current, ...clean, updatedAt: this.now() },
    );
    // Unchanged only when `ifState` refused the update.
    if (!result?.changed) return null;
    if (event) await this.appendEvent(event);
    return result.record;
  }

  async findTicketCandidates(
    orgId: string,
    caller: { phone: string | null; national: string | null },
  ): Promise<{ method: 'e164' | 'national'; sessions: Session[] } | null> {
    if (caller.phone) {
      const exact = await this.sessionsOf(this.keys.candidatesByPhone(orgId, caller.phone), -1);
      if (exact.length > 0) return { method: 'e164', sessions: exact };
    }
    if (caller.national) {
      const national = await this.sessionsOf(this.keys.candidatesByNational(orgId, caller.national), -1);
      if (national.length > 0) return { method: 'national', sessions: national };
    }
    return null;
  }

  async stampTicket(id: string, match: TicketMatch): Promise<boolean> {
    const result = await this.records.modify(this.spec, this.keys.session(id), (current) =>
      current.ticketId !== null ? null : { ...current, ticketId: match.ticketId, ticketMatch: match, updatedAt: this.now() },
    );
    return result?.changed === true;
  }

  async findByTicket(orgId: string, ticketId: string): Promise<Session | null> {
    return (await this.sessionsOf(this.keys.sessionsByTicket(orgId, ticketId), 1))[0] ?? null;
  }

  async appendEvent(event: TimelineEvent): Promise<void> {
    await this.redis.rpush(this.keys.timeline(event.sessionId), JSON.stringify(event));
  }

  async timeline(sessionId: string): Promise<TimelineEvent[]> {
    const items = await this.redis.lrange(this.keys.timeline(sessionId), 0, -1);
    return items.map((item) => JSON.parse(item) as TimelineEvent);
  }

  /** Newest first; `limit` -1 = all. */
  private async sessionsOf(indexKey: string, limit: number): Promise<Session[]> {
    const ids = await this.redis.zrevrange(indexKey, 0, limit < 0 ? -1 : limit - 1);
    return this.records.readMany<Session>(ids.map((id) => this.keys.session(id)));
  }
}
