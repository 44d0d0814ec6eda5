/**
 * Phone session: the stored record of one inbound call (DESIGN.md "What happens on a call").
 * Call control (src/calls) creates and drives it; the Zendesk integration (src/zendesk) stamps the
 * ticket on it. The two never call each other: they meet here, through the store.
 */

/**
 * Lifecycle: `connecting` (INVITE accepted, AI leg being set up) → `live` (caller talking to the
 * AI agent) → `transferred` (caller bridged to a transfer destination) → `ended`.
 * `connecting` may go straight to `ended` (CANCEL, agent unreachable).
 */
export type SessionState = 'connecting' | 'live' | 'transferred' | 'ended';

export const LIVE_SESSION_STATES: readonly SessionState[] = ['connecting', 'live', 'transferred'];

export function isLiveState(state: SessionState): boolean {
  return state !== 'ended';
}

/** How a ticket was matched to this session (recorded for troubleshooting, seed §Troubleshooting). */
export interface TicketMatch {
  ticketId: string;
  /** `e164`: exact E.164 equality; `national`: same national significant number. */
  method: 'e164' | 'national';
  /** Live sessions without a ticket that matched the caller digits when the choice was made. */
  candidates: number;
  /** Whether the ticket arrived before the session opened and waited for it. */
  ticketFirst: boolean;
  matchedAt: number;
}

export interface Session {
  id: string;
  orgId: string;
  agentId: string;
  /** The OpenCX number the carrier delivered the call to, E.164. */
  dialledNumber: string;
  /** Caller number in E.164, null when anonymous or not a phone number. */
  callerPhone: string | null;
  /** National significant number of the caller, for the "same national number" match. */
  callerNational: string | null;
  anonymous: boolean;
  /** SIP Call-ID of the carrier leg. */
  callId: string;
  state: SessionState;
  /** Why the session ended (`caller_hangup`, `agent_hangup`, `agent_unreachable`, …). */
  endReason: string | null;
  contactId: string | null;
  ticketId: string | null;
  ticketMatch: TicketMatch | null;
  /** Instance that owns the call legs (scale-out: commands are routed to it). */
  instanceId: string;
  createdAt: number;
  answeredAt: number | null;
  endedAt: number | null;
  updatedAt: number;
}

/** One entry of a session's timeline (call events, ticket events, transfer steps). */
export interface TimelineEvent {
  sessionId: string;
  at: number;
  /** Dotted event name: `call.answered`, `ticket.stamped`, `ticket.status_changed`, `transfer.started` … */
  type: string;
  data: Record<string, unknown>;
}

export type TransferOutcome = 'answered' | 'busy' | 'no_answer' | 'rejected' | 'failed';

const OUTCOMES: ReadonlySet<string> = new Set<TransferOutcome>(['answered', 'busy', 'no_answer', 'rejected', 'failed']);

/** Whether a transfer in `state` is over (one of the outcomes): it changes no more. */
export function isTransferOutcome(state: TransferState): state is TransferOutcome {
  return OUTCOMES.has(state);
}

/**
 * `pending` (accepted), `waiting_ticket` (holding for the Zendesk ticket), `dialing` (INVITE sent),
 * then one of the outcomes.
 */
export type TransferState = 'pending' | 'waiting_ticket' | 'dialing' | TransferOutcome;

export interface Transfer {
  id: string;
  sessionId: string;
  orgId: string;
  destinationId: string;
  destinationType: 'sip' | 'pstn';
  /** Request-URI the INVITE went to. */
  target: string;
  state: TransferState;
  /** Final SIP status when the destination answered with one. */
  sipStatus: number | null;
  /** Human-readable reason for a non-answered outcome. */
  reason: string | null;
  /** From header value sent on the INVITE. */
  fromSent: string | null;
  /** Exactly the custom headers sent, in order, names as written on the wire. */
  headersSent: { name: string; value: string }[];
  idempotencyKey: string | null;
  createdAt: number;
  completedAt: number | null;
}
