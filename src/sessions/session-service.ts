/**
 * Small operations over the session store that both call control and the Zendesk integration use:
 * open a session, move it through its lifecycle (checked by transitionSession), append timeline
 * events, stamp a ticket (compare-and-set + timeline). Clock and instance id are injected.
 */
import { newId } from '../store/new-id.js';
import type { SessionStore } from '../store/store.js';
import type { Session, SessionState, TicketMatch, TimelineEvent } from './session.js';
import { statesBefore, transitionSession } from './session-lifecycle.js';

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

  /**
   * Store a new `connecting` session owned by this instance with `session.opened` — and the events
   * `alsoRecord` names for it (they may quote its id) — in the same step.
   */
  async open(input: OpenSessionInput, alsoRecord?: (session: Session) => { type: string; data: Record<string, unknown> }[]): Promise<Session> {
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
    const opened = { callId: input.callId, anonymous: input.anonymous, agentId: input.agentId };
    const events: TimelineEvent[] = [{ sessionId: session.id, at, type: 'session.opened', data: opened }];
    for (const { type, data } of alsoRecord?.(session) ?? []) events.push({ sessionId: session.id, at, type, data });
    await this.sessions.create(session, events);
    return session;
  }

  /**
   * Move a session to `to` if the lifecycle allows it; stamps answeredAt (→ live) / endedAt and
   * endReason (→ ended) and records `session.<to>` on the timeline. The step is one compare-and-set
   * update carrying its event (the state must be one the lifecycle allows to become `to`); the
   * session is read only to explain a refusal.
   */
  async transition(id: string, to: SessionState, details: { endReason?: string; data?: Record<string, unknown> } = {}): Promise<SessionTransition> {
    const at = this.now();
    const patch: Parameters<SessionStore['update']>[1] = { state: to };
    if (to === 'live') patch.answeredAt = at;
    if (to === 'ended') {
      patch.endedAt = at;
      patch.endReason = details.endReason ?? 'ended';
    }
    const data = { ...(details.endReason ? { endReason: details.endReason } : {}), ...details.data };
    const updated = await this.sessions.update(id, patch, { ifState: statesBefore(to), event: { sessionId: id, at, type: `session.${to}`, data } });
    return updated ? { ok: true, session: updated } : this.refusal(id, to);
  }

  async event(sessionId: string, type: string, data: Record<string, unknown> = {}): Promise<void> {
    await this.sessions.appendEvent({ sessionId, at: this.now(), type, data });
  }

  private async refusal(id: string, to: SessionState): Promise<SessionTransition> {
    const current = await this.sessions.get(id);
    if (!current) return { ok: false, reason: 'unknown_session', detail: `no session ${id}`, session: null };
    const step = transitionSession(current.state, to);
    // step.ok: another writer moved the session between our update and this read.
    return { ok: false, reason: 'invalid_transition', detail: step.ok ? `the session changed meanwhile (now ${current.state})` : step.reason, session: current };
  }

  /** Compare-and-set stamp; on success records `ticket.stamped` with how the match was made. */
  async stampTicket(sessionId: string, match: TicketMatch): Promise<boolean> {
    if (!(await this.sessions.stampTicket(sessionId, match))) return false;
    await this.event(sessionId, 'ticket.stamped', { ...match });
    return true;
  }
}
