/**
 * Small operations over the session store that both call control and the Zendesk integration use:
 * open a session, move it through its lifecycle (checked by transitionSession), append timeline
 * events, stamp a ticket (compare-and-set + timeline). Clock and instance id are injected.
 */
import { newId } from '../store/new-id.js';
import type { SessionStore } from '../store/store.js';
import type { Session, SessionState, TicketMatch } from './session.js';
import { transitionSession } from './session-lifecycle.js';

export interface OpenSessionInput {
  orgId: string;
  agentId: string;
  dialledNumber: string;
  callerPhone: string | null;
  callerNational: string | null;
  anonymous: boolean;
  callId: string;
  contactId?: string | null;
}

export type SessionTransition =
  | { ok: true; session: Session }
  | { ok: false; reason: 'unknown_session' | 'invalid_transition'; detail: string; session: Session | null };

export interface SessionServiceOptions {
  sessions: SessionStore;
  instanceId: string;
  now?: () => number;
}

export class SessionService {
  private readonly sessions: SessionStore;
  private readonly instanceId: string;
  private readonly now: () => number;

  constructor(options: SessionServiceOptions) {
    this.sessions = options.sessions;
    this.instanceId = options.instanceId;
    this.now = options.now ?? Date.now;
  }

  /** Store a new `connecting` session owned by this instance and record `session.opened`. */
  async open(input: OpenSessionInput): Promise<Session> {
    const at = this.now();
    const session: Session = {
      id: newId('ses', at),
      orgId: input.orgId,
      agentId: input.agentId,
      dialledNumber: input.dialledNumber,
      // Anonymous callers never carry digits, whatever the caller passed (they must never match a ticket).
      callerPhone: input.anonymous ? null : input.callerPhone,
      callerNational: input.anonymous ? null : input.callerNational,
      anonymous: input.anonymous,
      callId: input.callId,
      state: 'connecting',
      endReason: null,
      contactId: input.contactId ?? null,
      ticketId: null,
      ticketMatch: null,
      instanceId: this.instanceId,
      createdAt: at,
      answeredAt: null,
      endedAt: null,
      updatedAt: at,
    };
    await this.sessions.create(session);
    await this.event(session.id, 'session.opened', { callId: input.callId, anonymous: input.anonymous, agentId: input.agentId });
    return session;
  }

  /**
   * Move a session to `to` if the lifecycle allows it; stamps answeredAt (→ live) / endedAt and
   * endReason (→ ended) and records `session.<to>` on the timeline.
   */
  async transition(id: string, to: SessionState, details: { endReason?: string; data?: Record<string, unknown> } = {}): Promise<SessionTransition> {
    const current = await this.sessions.get(id);
    if (!current) return { ok: false, reason: 'unknown_session', detail: `no session ${id}`, session: null };
    const step = transitionSession(current.state, to);
    if (!step.ok) return { ok: false, reason: 'invalid_transition', detail: step.reason, session: current };
    const at = this.now();
    const patch: Parameters<SessionStore['update']>[1] = { state: to };
    if (to === 'live') patch.answeredAt = at;
    if (to === 'ended') {
      patch.endedAt = at;
      patch.endReason = details.endReason ?? 'ended';
    }
    const updated = await this.sessions.update(id, patch);
    if (!updated) return { ok: false, reason: 'unknown_session', detail: `no session ${id}`, session: null };
    await this.event(id, `session.${to}`, { ...(details.endReason ? { endReason: details.endReason } : {}), ...details.data });
    return { ok: true, session: updated };
  }

  async event(sessionId: string, type: string, data: Record<string, unknown> = {}): Promise<void> {
    await this.sessions.appendEvent({ sessionId, at: this.now(), type, data });
  }

  /** Compare-and-set stamp; on success records `ticket.stamped` with how the match was made. */
  async stampTicket(sessionId: string, match: TicketMatch): Promise<boolean> {
    if (!(await this.sessions.stampTicket(sessionId, match))) return false;
    await this.event(sessionId, 'ticket.stamped', { ...match });
    return true;
  }
}
