/**
 * Waits, bounded, for the Zendesk ticket to be stamped on a session before a transfer dials
 * (issue 5: "If a Zendesk ticket for the caller is expected but not stamped yet, the transfer waits
 * a bounded, configurable time for it"). Woken by the ticket-stamped notification when the
 * integration provides one; otherwise (or additionally) it re-reads the session at a short interval.
 */
import type { Session } from '../sessions/session.js';
import type { SessionStore, ZendeskStore } from '../store/store.js';
import type { CallClock } from './call-clock.js';
import type { SessionEvents } from '../sessions/session-events.js';

export interface TicketWaitPolicy {
  /** Longest wait for the ticket. */
  waitMs: number;
  /** How long after the session opened a ticket can still be matched (correlation window). */
  matchWindowMs: number;
  /** Re-read interval when no notification arrives. */
  pollMs: number;
}

export class TicketWaiter {
  constructor(
    private readonly sessions: Pick<SessionStore, 'get'>,
    private readonly zendesk: Pick<ZendeskStore, 'getConnectionByOrg'>,
    private readonly events: Partial<Pick<SessionEvents, 'onTicketStamped'>>,
    private readonly clock: CallClock,
    private readonly policy: TicketWaitPolicy,
  ) {}

  /**
   * Whether a ticket is worth waiting for: the organisation has a Zendesk connection, the caller is
   * known (anonymous callers are never matched) and the correlation window is still open.
   */
  async expected(session: Session): Promise<boolean> {
    if (session.ticketId !== null || session.anonymous || session.callerPhone === null) return false;
    if (this.policy.waitMs <= 0) return false;
    if (this.clock.now() - session.createdAt > this.policy.matchWindowMs) return false;
    const connection = await this.zendesk.getConnectionByOrg(session.orgId);
    return connection !== null && connection.state === 'connected';
  }

  /** The session once a ticket is on it, or as it is when the wait runs out or `abort` says so. */
  wait(session: Session, abort: () => boolean): Promise<Session> {
    return new Promise<Session>((resolve) => {
      let settled = false;
      let latest = session;
      let pollTimer: unknown = null;
      const finish = (): void => {
        if (settled) return;
        settled = true;
        this.clock.clearTimeout(deadline);
        if (pollTimer !== null) this.clock.clearTimeout(pollTimer);
        unsubscribe();
        resolve(latest);
      };
      const check = async (): Promise<void> => {
        if (settled) return;
        if (abort()) return finish();
        const fresh = await this.sessions.get(session.id).catch(() => null);
        if (fresh) latest = fresh;
        if (latest.ticketId !== null || latest.state === 'ended') return finish();
        if (settled) return;
        if (pollTimer !== null) this.clock.clearTimeout(pollTimer);
        pollTimer = this.clock.setTimeout(() => void check(), this.policy.pollMs);
      };
      const deadline = this.clock.setTimeout(finish, this.policy.waitMs);
      const unsubscribe =
        this.events.onTicketStamped?.((sessionId) => {
          if (sessionId === session.id) void check();
        }) ?? (() => undefined);
      void check();
    });
  }
}
