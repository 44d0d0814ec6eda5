/**
 * At most one INVITE transaction per dialog in each direction (RFC 3261 §14): 491 glare, 500 with
 * Retry-After for overlapping incoming INVITEs, and when we may send a re-INVITE ourselves.
 */

export interface InviteActivity {
  /** We sent an INVITE on this dialog and have no final response yet. */
  readonly outgoing: boolean;
  /** An INVITE we received is not answered with a final response yet (its CSeq number). */
  readonly incomingUnanswered: number | null;
  /** We sent a 2xx to an INVITE and the ACK has not arrived yet. */
  readonly awaitingAck: boolean;
}

export const idleInviteActivity: InviteActivity = { outgoing: false, incomingUnanswered: null, awaitingAck: false };

export type IncomingInviteVerdict =
  | { accept: true }
  | { accept: false; status: 491; reason: 'Request Pending' }
  | { accept: false; status: 500; reason: 'Server Internal Error'; retryAfter: number };

/**
 * §14.2: "A UAS that receives a second INVITE before it sends the final response to a first
 * INVITE with a lower CSeq sequence number on the same dialog MUST return a 500 (Server Internal
 * Error) response to the second INVITE and MUST include a Retry-After header field with a
 * randomly chosen value of between 0 and 10 seconds. A UAS that receives an INVITE on a dialog
 * while an INVITE it had sent on that dialog is in progress MUST return a 491 (Request Pending)
 * response to the received INVITE."
 */
export function checkIncomingInvite(activity: InviteActivity, random: () => number = Math.random): IncomingInviteVerdict {
  if (activity.outgoing) return { accept: false, status: 491, reason: 'Request Pending' };
  if (activity.incomingUnanswered !== null) {
    return { accept: false, status: 500, reason: 'Server Internal Error', retryAfter: Math.floor(random() * 11) };
  }
  // DEVIATION: RFC 3261 is silent once the 2xx is sent; drachtio-server answers a re-INVITE that
  // arrives before the ACK of the previous INVITE with 491 (drachtio-protocol.md §8.13).
  if (activity.awaitingAck) return { accept: false, status: 491, reason: 'Request Pending' };
  return { accept: true };
}

/**
 * §14.1: "a UAC MUST NOT initiate a new INVITE transaction within a dialog while another INVITE
 * transaction is in progress in either direction." The caller queues the re-INVITE until this
 * becomes true (an unACKed 2xx counts as in progress: the peer's INVITE transaction is not over).
 */
export function canSendInvite(activity: InviteActivity): boolean {
  return !activity.outgoing && activity.incomingUnanswered === null && !activity.awaitingAck;
}
