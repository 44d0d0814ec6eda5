/**
 * Ticket ↔ session correlation (seed "Receiving inbound calls"; DESIGN.md "Correlation"): a phone
 * ticket's caller digits → the most recent live session of the organisation without a ticket whose
 * caller matches (exact E.164, else national number; anonymous sessions never match) → ticket id
 * stamped with compare-and-set. A ticket with no session yet waits as pending and is taken when the
 * session opens (`matchPendingTicketForSession`, wired to SessionEvents.onOpened).
 *
 * Both sides publish first and check second (the session is stored before `opened`; the pending
 * ticket is stored before the re-check), so a ticket and an INVITE arriving together still meet.
 */
import type { Logger } from '../logger.js';
import type { SessionEvents } from '../sessions/session-events.js';
import type { Session, TicketMatch } from '../sessions/session.js';
import type { Store } from '../store/store.js';
import { ticketCallerDigits, type CallerDigits } from './ticket-rules.js';

const E164_SHAPE = /^\+[1-9]\d{6,14}$/;

export type CorrelationOutcome =
  | { kind: 'stamped'; sessionId: string; match: TicketMatch }
  | { kind: 'pending'; expiresAt: number }
  | { kind: 'no_caller' };

export interface TicketCorrelatorDeps {
  store: Pick<Store, 'sessions' | 'zendesk'>;
  events: SessionEvents;
  /** How long an unmatched phone ticket waits for its session. */
  pendingTicketWindowMs: number;
  /** After a successful stamp (queues contact enrichment). May throw on a store failure. */
  onStamped: (session: Session, match: TicketMatch) => Promise<void>;
  /** Region used to read national-form ticket numbers, e.g. from the organisation's own numbers. */
  defaultRegion?: (orgId: string) => string | null;
  logger: Logger;
  now?: () => number;
}

export class TicketCorrelator {
  private readonly deps: TicketCorrelatorDeps;
  private readonly now: () => number;
  private readonly logger: Logger;

  constructor(deps: TicketCorrelatorDeps) {
    this.deps = deps;
    this.now = deps.now ?? Date.now;
    this.logger = deps.logger.child({ component: 'zendesk-correlator' });
  }

  /** Subscribe `matchPendingTicketForSession` to session openings; returns the unsubscribe function. */
  attach(events: SessionEvents): () => void {
    return events.onOpened(this.matchPendingTicketForSession);
  }

  /** Match a phone ticket whose caller numbers are `rawNumbers` (best source first). */
  async correlate(orgId: string, ticketId: string, rawNumbers: string[]): Promise<CorrelationOutcome> {
    // Talk writes the caller in E.164 (zendesk.md §6) and sessions keep theirs normalised to E.164,
    // so sessions whose number equals the ticket's as written are exactly what the normalised E.164
    // lookup below finds first (normalising an E.164 result gives it back). Trying that first keeps a
    // libphonenumber parse off the way to the stamp; anything else takes the full path.
    const written = rawNumbers[0];
    if (written !== undefined && E164_SHAPE.test(written)) {
      const stamped = await this.stampNewest(orgId, { phone: written, national: null }, ticketId, false);
      if (stamped) return stamped;
    }

    const region = this.deps.defaultRegion?.(orgId) ?? null;
    const callers = dedupe(rawNumbers.map((raw) => ticketCallerDigits(raw, region)).filter((d): d is CallerDigits => d !== null));
    const primary = callers[0];
    if (!primary) return { kind: 'no_caller' };

    for (const caller of callers) {
      const stamped = await this.stampNewest(orgId, caller, ticketId, false);
      if (stamped) return stamped;
    }

    const now = this.now();
    const expiresAt = now + this.deps.pendingTicketWindowMs;
    await this.deps.store.zendesk.addPendingTicket({
      orgId,
      ticketId,
      callerPhone: primary.phone,
      callerNational: primary.national,
      receivedAt: now,
      expiresAt,
    });
    // Re-check: a session stored after our search but before the pending ticket was visible to it.
    const late = await this.deps.store.sessions.findTicketCandidates(orgId, primary);
    const newest = late?.sessions[0];
    if (late && newest) {
      const match = await this.takePendingFor(newest, late.sessions.length);
      if (match?.ticketId === ticketId) return { kind: 'stamped', sessionId: newest.id, match };
    }
    this.logger.info({ orgId, ticketId, expiresAt }, 'phone ticket waits for its call');
    return { kind: 'pending', expiresAt };
  }

  /**
   * Called when a session opens: take the oldest unexpired pending ticket of the same caller and
   * stamp it. Never throws (it runs on the call path); returns the match made, if any.
   */
  readonly matchPendingTicketForSession = async (session: Session): Promise<TicketMatch | null> => {
    if (session.anonymous || session.state === 'ended' || (!session.callerPhone && !session.callerNational)) return null;
    try {
      return await this.takePendingFor(session, null);
    } catch (error) {
      this.logger.error({ err: error, sessionId: session.id, orgId: session.orgId }, 'matching a pending ticket failed');
      return null;
    }
  };

  private async takePendingFor(session: Session, candidates: number | null): Promise<TicketMatch | null> {
    const caller = { phone: session.callerPhone, national: session.callerNational };
    const taken = await this.deps.store.zendesk.takePendingTicket(session.orgId, caller, this.now());
    if (!taken) return null;
    const count = candidates ?? (await this.deps.store.sessions.findTicketCandidates(session.orgId, caller))?.sessions.length ?? 1;
    const match: TicketMatch = { ticketId: taken.ticket.ticketId, method: taken.method, candidates: count, ticketFirst: true, matchedAt: this.now() };
    if (await this.stamp(session, match)) return match;
    // The session got a ticket meanwhile: the ticket keeps waiting for the next call from that number.
    await this.deps.store.zendesk.addPendingTicket(taken.ticket);
    return null;
  }

  /** Most recent candidate first; a candidate stamped concurrently by another ticket is skipped. */
  private async stampNewest(orgId: string, caller: CallerDigits, ticketId: string, ticketFirst: boolean): Promise<CorrelationOutcome | null> {
    const found = await this.deps.store.sessions.findTicketCandidates(orgId, caller);
    if (!found) return null;
    for (const session of found.sessions) {
      const match: TicketMatch = { ticketId, method: found.method, candidates: found.sessions.length, ticketFirst, matchedAt: this.now() };
      if (await this.stamp(session, match)) return { kind: 'stamped', sessionId: session.id, match };
    }
    return null;
  }

  private async stamp(session: Session, match: TicketMatch): Promise<boolean> {
    if (!(await this.deps.store.sessions.stampTicket(session.id, match))) return false;
    await this.deps.store.sessions.appendEvent({
      sessionId: session.id,
      at: match.matchedAt,
      type: 'ticket.stamped',
      data: { ticketId: match.ticketId, method: match.method, candidates: match.candidates, ticketFirst: match.ticketFirst },
    });
    this.logger.info({ sessionId: session.id, orgId: session.orgId, ...match }, 'zendesk ticket stamped on session');
    this.deps.events.ticketStamped(session.id, match);
    await this.deps.onStamped(session, match);
    return true;
  }
}

function dedupe(list: CallerDigits[]): CallerDigits[] {
  const seen = new Set<string>();
  return list.filter((d) => {
    const key = `${d.phone ?? ''}|${d.national ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
