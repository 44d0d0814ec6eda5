/**
 * Reliable provisional responses (RFC 3262): RSeq numbering and PRACK matching on the UAS side,
 * RSeq ordering on the UAC side, RAck values. Pure bookkeeping; retransmission timing is the
 * `prackWaitSettings` schedule.
 */

/** RFC 3262 §3: the first RSeq is chosen between 1 and 2**31 - 1. */
export function initialRSeq(random: () => number = Math.random): number {
  return 1 + Math.floor(random() * (2 ** 31 - 2));
}

export interface PendingReliable {
  rseq: number;
  cseq: number;
  method: string;
}

export interface UasReliableState {
  /** RSeq the next reliable provisional gets. */
  readonly nextRSeq: number;
  /** The reliable provisional awaiting its PRACK, if any. */
  readonly pending: PendingReliable | null;
}

export function newUasReliableState(random: () => number = Math.random): UasReliableState {
  return { nextRSeq: initialRSeq(random), pending: null };
}

export type IssueResult =
  | { ok: true; rseq: number; state: UasReliableState }
  | { ok: false; reason: 'unacknowledged'; pending: PendingReliable };

/**
 * RFC 3262 §3: "the value of the RSeq in each subsequent reliable provisional response for the
 * same request MUST be greater by exactly one" and "the UAS MUST NOT send a second reliable
 * provisional response until the first is acknowledged."
 */
export function issueReliable(state: UasReliableState, cseq: number, method: string): IssueResult {
  if (state.pending) return { ok: false, reason: 'unacknowledged', pending: state.pending };
  const rseq = state.nextRSeq;
  return { ok: true, rseq, state: { nextRSeq: rseq + 1, pending: { rseq, cseq, method } } };
}

export interface RAck {
  rseq: number;
  cseq: number;
  method: string;
}

/** RFC 3262 §7.2: `RAck: response-num LWS CSeq-num LWS Method`. */
export function parseRAck(value: string): RAck | null {
  const match = /^\s*(\d{1,10})\s+(\d{1,10})\s+([A-Za-z0-9.!%*_+`'~-]+)\s*$/.exec(value);
  if (!match) return null;
  return { rseq: Number(match[1]), cseq: Number(match[2]), method: match[3]! };
}

export function rackValue(rack: RAck): string {
  return `${rack.rseq} ${rack.cseq} ${rack.method}`;
}

export type PrackMatch = { matched: true; state: UasReliableState; acknowledged: PendingReliable } | { matched: false; status: 481 };

/**
 * RFC 3262 §3: a PRACK matches when "the response number in the RAck header field … matches the
 * RSeq … and the CSeq number and method … match"; "If a PRACK request is received by the UA core
 * that does not match any unacknowledged reliable provisional response, the UAS MUST respond to
 * the PRACK with a 481 response."
 */
export function matchPrack(state: UasReliableState, rackHeader: string | undefined): PrackMatch {
  const rack = rackHeader === undefined ? null : parseRAck(rackHeader);
  const pending = state.pending;
  if (!rack || !pending) return { matched: false, status: 481 };
  if (rack.rseq !== pending.rseq || rack.cseq !== pending.cseq || rack.method !== pending.method) return { matched: false, status: 481 };
  return { matched: true, state: { ...state, pending: null }, acknowledged: pending };
}

export interface UacReliableState {
  /** RSeq of the last reliable provisional accepted for this request; null before the first. */
  readonly lastRSeq: number | null;
}

export const newUacReliableState: UacReliableState = { lastRSeq: null };

export type ReliableVerdict = 'new' | 'retransmission' | 'out-of-order';

/**
 * RFC 3262 §4: the first reliable provisional sets the sequence; "retransmissions of the
 * reliable provisional response" are discarded; a later one whose "RSeq value is not one higher
 * than the value of the sequence number … MUST NOT be acknowledged with a PRACK, and MUST NOT be
 * processed further".
 */
export function receiveReliable(state: UacReliableState, rseq: number): { verdict: ReliableVerdict; state: UacReliableState } {
  if (state.lastRSeq === null) return { verdict: 'new', state: { lastRSeq: rseq } };
  if (rseq === state.lastRSeq) return { verdict: 'retransmission', state };
  if (rseq === state.lastRSeq + 1) return { verdict: 'new', state: { lastRSeq: rseq } };
  return { verdict: 'out-of-order', state };
}
