/**
 * The session lifecycle as a pure function (session.ts documents the states):
 *
 *   connecting ──answer──▶ live ──transfer answered──▶ transferred ──▶ ended
 *        └────────────────────┴───────────────────────────────────────▲
 *
 * `connecting` and `live` may end directly (CANCEL, agent unreachable, hangup). Nothing leaves
 * `ended`, and no state goes back (a failed transfer leaves the session `live`: no transition).
 */
import type { SessionState } from './session.js';

const ALLOWED: Readonly<Record<SessionState, readonly SessionState[]>> = {
  connecting: ['live', 'ended'],
  live: ['transferred', 'ended'],
  transferred: ['ended'],
  ended: [],
};

export type TransitionResult = { ok: true; state: SessionState } | { ok: false; reason: string };

export function transitionSession(from: SessionState, to: SessionState): TransitionResult {
  if (ALLOWED[from].includes(to)) return { ok: true, state: to };
  if (from === to) return { ok: false, reason: `session is already ${from}` };
  return { ok: false, reason: `a ${from} session cannot become ${to}` };
}

export function canTransition(from: SessionState, to: SessionState): boolean {
  return ALLOWED[from].includes(to);
}

/** The states a session may be in to become `to` (a compare-and-set guard for the store update). */
export function statesBefore(to: SessionState): readonly SessionState[] {
  return BEFORE[to];
}

const before = (to: SessionState): readonly SessionState[] =>
  (Object.keys(ALLOWED) as SessionState[]).filter((from) => ALLOWED[from].includes(to));
const BEFORE: Readonly<Record<SessionState, readonly SessionState[]>> = {
  connecting: before('connecting'),
  live: before('live'),
  transferred: before('transferred'),
  ended: before('ended'),
};
