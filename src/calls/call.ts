/**
 * A call owned by this instance (STYLE.md word `Call`): its legs, its state and the transfer in
 * progress. Plain state only; the services in this folder act on it.
 */
import type { Session } from '../sessions/session.js';
import type { CallLog } from './call-log.js';
import type { CallLeg } from './call-leg.js';
import { nextCallState, type CallEvent, type CallState } from './call-state.js';
import type { SentRequest } from './srf-port.js';
import type { TransferCancelCause } from './transfer-outcome.js';

/** The transfer currently running on a call (one at a time). */
export interface ActiveTransfer {
  id: string;
  /** The INVITE to the destination once sent, so it can be cancelled. */
  invite: SentRequest | null;
  /** Set when we decided to give up; the INVITE is cancelled once it is out. */
  cancelled: TransferCancelCause;
  /** Resolves when the transfer has an outcome. */
  done: Promise<void>;
  /** Set by the runner: told when someone gives up on the transfer. */
  onCancelled: (() => void) | null;
  /**
   * Called by the runner once the INVITE is handed to srf (or the transfer will not dial right
   * away): the transfer record is written after that, so no store write delays the INVITE.
   */
  dispatched: () => void;
}

/** Give up on a transfer (ring timeout, caller gone, hangup): CANCEL its INVITE, tell the runner. */
export function cancelTransfer(active: ActiveTransfer, cause: Exclude<TransferCancelCause, null>): void {
  if (active.cancelled !== null) return;
  active.cancelled = cause;
  try {
    active.invite?.cancel();
  } catch {
    // Finished meanwhile.
  }
  active.onCancelled?.();
}

export class Call {
  state: CallState = 'connecting';
  caller: CallLeg | null = null;
  agent: CallLeg | null = null;
  destination: CallLeg | null = null;
  transfer: ActiveTransfer | null = null;
  /** The INVITE to the AI agent while it is unanswered (cancelled on hangup / answer timeout). */
  agentInvite: SentRequest | null = null;
  /** Why the call is ending, decided by whoever ended it first. */
  endReason: string | null = null;
  /** A re-INVITE we sent to this leg is outstanding (RFC 3261 §14.1: answer 491 to theirs). */
  readonly reinviting = new Set<CallLeg>();

  constructor(
    readonly session: Session,
    readonly log: CallLog,
  ) {}

  get sessionId(): string {
    return this.session.id;
  }

  /** The leg media and in-dialog requests from `leg` are relayed to. */
  peerOf(leg: CallLeg): CallLeg | null {
    if (leg === this.caller) return this.destination ?? this.agent;
    if (leg === this.agent || leg === this.destination) {
      // Only the leg currently bridged with the caller talks to it.
      return (this.destination ?? this.agent) === leg ? this.caller : null;
    }
    return null;
  }

  /** Apply a state event; false when it does not apply in the current state. */
  apply(event: CallEvent): boolean {
    const next = nextCallState(this.state, event);
    if (next === null) return false;
    this.state = next;
    return true;
  }
}
