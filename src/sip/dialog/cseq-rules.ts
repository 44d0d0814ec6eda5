/**
 * CSeq rules inside a dialog (RFC 3261 §12.2.1.1 for requests we send, §12.2.2 for requests
 * we receive).
 */
import type { DialogState } from './dialog-state.js';

/** RFC 3261 §8.1.1.5: the initial sequence number "MUST be less than 2**31". */
export const MAX_INITIAL_CSEQ = 2 ** 31 - 1;

/** A random initial CSeq; `random` in [0,1) is injected for tests. */
export function initialCSeq(random: () => number = Math.random): number {
  return 1 + Math.floor(random() * (MAX_INITIAL_CSEQ / 2));
}

/**
 * §12.2.1.1: "the local sequence number MUST be incremented by one, and this value MUST be
 * used in the CSeq"; "If the local sequence number is empty, an initial value MUST be chosen
 * using the guidelines of Section 8.1.1.5."
 */
export function nextLocalCSeq(dialog: DialogState, random: () => number = Math.random): { seq: number; dialog: DialogState } {
  const seq = dialog.localSeq === null ? initialCSeq(random) : dialog.localSeq + 1;
  return { seq, dialog: { ...dialog, localSeq: seq } };
}

/**
 * The application supplied its own CSeq for an in-dialog request (srf's digest retry sends
 * `<n+1>`, drachtio-protocol.md §7.3): use it and remember it, never moving backwards.
 */
export function useLocalCSeq(dialog: DialogState, seq: number): DialogState {
  return dialog.localSeq !== null && seq <= dialog.localSeq ? dialog : { ...dialog, localSeq: seq };
}

export type RemoteCSeqVerdict =
  | { accept: true; dialog: DialogState }
  | { accept: false; status: 500; reason: 'Server Internal Error'; detail: string };

/**
 * §12.2.2: "If the remote sequence number is empty, it MUST be set to the value of the sequence
 * number in the CSeq header field value in the request. If the remote sequence number was not
 * empty, but the sequence number of the request is lower than the remote sequence number, the
 * request is out of order and MUST be rejected with a 500 (Server Internal Error) response."
 * ACK and CANCEL carry the CSeq number of the request they refer to and are not checked.
 */
export function acceptRemoteCSeq(dialog: DialogState, method: string, seq: number): RemoteCSeqVerdict {
  if (method === 'ACK' || method === 'CANCEL') return { accept: true, dialog };
  if (dialog.remoteSeq !== null && seq < dialog.remoteSeq) {
    return { accept: false, status: 500, reason: 'Server Internal Error', detail: `CSeq ${seq} lower than ${dialog.remoteSeq}` };
  }
  if (dialog.remoteSeq === seq) return { accept: true, dialog };
  return { accept: true, dialog: { ...dialog, remoteSeq: seq } };
}
