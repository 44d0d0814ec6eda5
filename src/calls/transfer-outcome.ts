/**
 * How the final answer to a transfer INVITE maps to the typed outcome reported to the AI agent
 * (issue 5: `answered`, `busy`, `no_answer`, `rejected` with SIP status, `failed`).
 */
import type { TransferOutcome } from '../sessions/session.js';

/** Why we sent CANCEL for the transfer INVITE, if we did. */
export type TransferCancelCause = 'ring_timeout' | 'caller_gone' | 'hangup_command' | null;

export type TransferAttemptEnd =
  | { kind: 'status'; status: number; reason: string | null; cancelled: TransferCancelCause }
  | { kind: 'error'; message: string; cancelled: TransferCancelCause };

export interface TransferVerdict {
  outcome: TransferOutcome;
  sipStatus: number | null;
  reason: string;
}

export function transferOutcome(end: TransferAttemptEnd): TransferVerdict {
  if (end.kind === 'error') {
    if (end.cancelled === 'ring_timeout') return { outcome: 'no_answer', sipStatus: null, reason: 'no answer within the ring timeout' };
    return { outcome: 'failed', sipStatus: null, reason: cancelText(end.cancelled) ?? end.message };
  }
  const { status } = end;
  if (status >= 200 && status < 300) {
    if (end.cancelled === null) return { outcome: 'answered', sipStatus: status, reason: 'answered' };
    // CANCEL/2xx race (RFC 3261 §9.1): the answer came after we gave up; the leg is released.
    return verdictForCancel(end.cancelled, status);
  }
  if (end.cancelled !== null && (status === 408 || status === 480 || status === 487)) {
    return verdictForCancel(end.cancelled, status);
  }
  if (status === 486 || status === 600) {
    return { outcome: 'busy', sipStatus: status, reason: end.reason ?? 'busy' };
  }
  if (status >= 300 && status <= 699) {
    return { outcome: 'rejected', sipStatus: status, reason: end.reason ?? `rejected with ${status}` };
  }
  return { outcome: 'failed', sipStatus: status, reason: `unexpected final status ${status}` };
}

function verdictForCancel(cause: Exclude<TransferCancelCause, null>, status: number): TransferVerdict {
  if (cause === 'ring_timeout') return { outcome: 'no_answer', sipStatus: status, reason: 'no answer within the ring timeout' };
  return { outcome: 'failed', sipStatus: status, reason: cancelText(cause) ?? 'cancelled' };
}

function cancelText(cause: TransferCancelCause): string | null {
  switch (cause) {
    case 'ring_timeout':
      return 'no answer within the ring timeout';
    case 'caller_gone':
      return 'caller hung up during the transfer';
    case 'hangup_command':
      return 'session hung up during the transfer';
    case null:
      return null;
  }
}
