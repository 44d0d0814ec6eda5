/**
 * Call state as a pure transition table (STYLE.md habit 2). The stored session state follows it:
 * `connecting` (INVITE accepted, AI leg being set up) → `live` (caller with the AI agent) →
 * `transferred` (caller with the transfer destination) → `ended`.
 */
import type { SessionState } from '../sessions/session.js';

export type CallState = SessionState;

export type CallEvent = 'agent_answered' | 'transfer_answered' | 'ended';

/** Next state, or null when the event is not allowed in `state` (the caller ignores it). */
export function nextCallState(state: CallState, event: CallEvent): CallState | null {
  switch (state) {
    case 'connecting':
      return event === 'agent_answered' ? 'live' : event === 'ended' ? 'ended' : null;
    case 'live':
      return event === 'transfer_answered' ? 'transferred' : event === 'ended' ? 'ended' : null;
    case 'transferred':
      return event === 'ended' ? 'ended' : null;
    case 'ended':
      return null;
  }
}
