/**
 * Dialog state (RFC 3261 §12) as immutable data plus pure constructors. The drachtio dialog id
 * is `<Call-ID>;from-tag=<From tag of the dialog-creating request>` (drachtio-protocol.md §6):
 * the caller's tag for a UAS dialog, our own tag for a UAC dialog.
 */
import { getHeader, headerValues, ownString, parseCSeq, parseNameAddr } from '../message/index.js';
import type { SipRequest, SipResponse } from '../message/sip-message.js';

export type DialogRole = 'uac' | 'uas';
export type DialogPhase = 'early' | 'confirmed' | 'terminated';
/** What created the dialog: INVITE (session) or SUBSCRIBE/REFER (subscription, RFC 6665). */
export type DialogUsage = 'invite' | 'subscribe';

export interface DialogState {
  /** drachtio dialog id. */
  readonly id: string;
  readonly role: DialogRole;
  readonly usage: DialogUsage;
  readonly phase: DialogPhase;
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
  /** Header value for From of requests we send in the dialog (local URI + local tag, display name kept). */
  readonly localParty: string;
  /** Header value for To of requests we send in the dialog (remote URI + remote tag). */
  readonly remoteParty: string;
  /** RFC 3261 §12.1: null = "empty". */
  readonly localSeq: number | null;
  readonly remoteSeq: number | null;
  /** URI from the peer's Contact (§12.1.1 / §12.1.2). */
  readonly remoteTarget: string;
  /** Route header values in the order they are to be sent (§12.1: reversed for the UAC). */
  readonly routeSet: readonly string[];
  /** Our Contact header value as sent in the dialog-creating message. */
  readonly localContact: string;
  /** §12.1.1: Request-URI was SIPS and it arrived over TLS. */
  readonly secure: boolean;
}

/** The drachtio dialog id. */
export function dialogId(callId: string, fromTag: string): string {
  return `${callId};from-tag=${fromTag}`;
}

/** Error for messages that cannot create a dialog (caller bug or peer error); a value, not thrown. */
export interface DialogError {
  code: 'DIALOG_ERR_NO_TAG' | 'DIALOG_ERR_NO_CONTACT' | 'DIALOG_ERR_NO_CALL_ID' | 'DIALOG_ERR_BAD_CSEQ';
  reason: string;
}

export type DialogResult = { ok: true; dialog: DialogState } | { ok: false; error: DialogError };

const fail = (code: DialogError['code'], reason: string): DialogResult => ({ ok: false, error: { code, reason } });

function tagOf(value: string | undefined): string | null {
  if (value === undefined) return null;
  try {
    return parseNameAddr(value).tag;
  } catch {
    return null;
  }
}

/** URI of the first Contact, or null when missing or unparseable. */
export function contactUri(message: SipRequest | SipResponse): string | null {
  const contact = headerValues(message, 'Contact')[0];
  if (contact === undefined || contact.trim() === '*') return null;
  try {
    return parseNameAddr(contact).uri;
  } catch {
    return null;
  }
}

function cseqNumber(message: SipRequest | SipResponse): number | null {
  const value = getHeader(message, 'CSeq');
  if (value === undefined) return null;
  try {
    return parseCSeq(value).seq;
  } catch {
    return null;
  }
}

function usageOf(method: string): DialogUsage {
  return method === 'INVITE' ? 'invite' : 'subscribe';
}

/**
 * UAS dialog from the request and the response we send (2xx, or a reliable 1xx for an early
 * dialog). RFC 3261 §12.1.1: route set = Record-Route of the request in order; remote target =
 * Contact of the request; remote seq = request CSeq; local seq empty; remote tag = From tag;
 * local tag = To tag of the response; remote URI = From, local URI = To.
 */
export function createUasDialog(
  request: SipRequest,
  response: SipResponse,
  options: { localContact: string; secure?: boolean; remoteTargetFallback?: string },
): DialogResult {
  const callId = getHeader(request, 'Call-ID');
  if (!callId) return fail('DIALOG_ERR_NO_CALL_ID', 'request has no Call-ID');
  const from = getHeader(request, 'From');
  const to = getHeader(response, 'To');
  const remoteTag = tagOf(from);
  const localTag = tagOf(to);
  if (!remoteTag) return fail('DIALOG_ERR_NO_TAG', 'request From has no tag');
  if (!localTag || to === undefined || from === undefined) return fail('DIALOG_ERR_NO_TAG', 'response To has no tag');
  const remoteSeq = cseqNumber(request);
  if (remoteSeq === null) return fail('DIALOG_ERR_BAD_CSEQ', 'request has no valid CSeq');
  // DEVIATION: an INVITE without Contact is passed to the application (drachtio-protocol.md §8.13);
  // if it is answered anyway, in-dialog requests go to the fallback (the request's source).
  const remoteTarget = contactUri(request) ?? options.remoteTargetFallback;
  if (remoteTarget === undefined) return fail('DIALOG_ERR_NO_CONTACT', 'request has no Contact');
  // Dialog state lives as long as the call: own copies, not slices of the messages (own-string.ts).
  const ownCallId = ownString(callId);
  const ownRemoteTag = ownString(remoteTag);
  return {
    ok: true,
    dialog: {
      id: ownString(dialogId(ownCallId, ownRemoteTag)),
      role: 'uas',
      usage: usageOf(request.method),
      phase: response.status >= 200 ? 'confirmed' : 'early',
      callId: ownCallId,
      localTag: ownString(localTag),
      remoteTag: ownRemoteTag,
      localParty: ownString(to),
      remoteParty: ownString(from),
      localSeq: null,
      remoteSeq,
      remoteTarget: ownString(remoteTarget),
      routeSet: headerValues(request, 'Record-Route').map(ownString),
      localContact: ownString(options.localContact),
      secure: options.secure ?? false,
    },
  };
}

/**
 * UAC dialog from the request we sent and a response with a To tag (2xx, or 1xx → early).
 * RFC 3261 §12.1.2: route set = Record-Route of the response in reverse order; remote target
 * = Contact of the response; local seq = request CSeq; remote seq empty; local tag = From tag;
 * remote tag = To tag of the response.
 */
export function createUacDialog(
  request: SipRequest,
  response: SipResponse,
  options: { localContact: string; secure?: boolean },
): DialogResult {
  const callId = getHeader(request, 'Call-ID');
  if (!callId) return fail('DIALOG_ERR_NO_CALL_ID', 'request has no Call-ID');
  const from = getHeader(request, 'From');
  const to = getHeader(response, 'To');
  const localTag = tagOf(from);
  const remoteTag = tagOf(to);
  if (!localTag || from === undefined) return fail('DIALOG_ERR_NO_TAG', 'request From has no tag');
  // DEVIATION: a 2xx without To tag (broken peer, issue 4) still makes a dialog with an empty
  // remote tag (RFC 2543 §12.1.2 backwards compatibility: "the remote tag MUST be set to null").
  if (to === undefined) return fail('DIALOG_ERR_NO_TAG', 'response has no To');
  const localSeq = cseqNumber(request);
  if (localSeq === null) return fail('DIALOG_ERR_BAD_CSEQ', 'request has no valid CSeq');
  // A 2xx without Contact (broken peer): keep addressing the original Request-URI.
  const remoteTarget = contactUri(response) ?? request.uri;
  const ownCallId = ownString(callId);
  const ownLocalTag = ownString(localTag);
  return {
    ok: true,
    dialog: {
      id: ownString(dialogId(ownCallId, ownLocalTag)),
      role: 'uac',
      usage: usageOf(request.method),
      phase: response.status >= 200 ? 'confirmed' : 'early',
      callId: ownCallId,
      localTag: ownLocalTag,
      remoteTag: ownString(remoteTag ?? ''),
      localParty: ownString(from),
      remoteParty: ownString(to),
      localSeq,
      remoteSeq: null,
      remoteTarget: ownString(remoteTarget),
      routeSet: headerValues(response, 'Record-Route').reverse().map(ownString),
      localContact: ownString(getHeader(request, 'Contact') ?? ''),
      secure: options.secure ?? false,
    },
  };
}

/**
 * UAC: a 2xx arrived for an early dialog. RFC 3261 §13.2.2.4: "the dialog MUST be transitioned
 * to the confirmed state, and the route set for the dialog MUST be recomputed based on the 2xx
 * response using the procedures of Section 12.2.1.2" (and the remote target taken from it).
 */
export function confirmUacDialog(dialog: DialogState, response: SipResponse): DialogState {
  const to = getHeader(response, 'To');
  return {
    ...dialog,
    phase: 'confirmed',
    remoteTag: ownString(tagOf(to) ?? dialog.remoteTag),
    remoteParty: ownString(to ?? dialog.remoteParty),
    remoteTarget: ownString(contactUri(response) ?? dialog.remoteTarget),
    routeSet: headerValues(response, 'Record-Route').reverse().map(ownString),
  };
}

/** UAS early dialog confirmed by the 2xx we send (§13.3.1.4): the route set is kept. */
export function confirmUasDialog(dialog: DialogState): DialogState {
  return { ...dialog, phase: 'confirmed' };
}

/**
 * Target refresh (RFC 3261 §12.2.1.2 / §12.2.2): a re-INVITE or UPDATE (RFC 3311 §5.1) replaces
 * the remote target with the Contact of the 2xx received (UAC side) or of the request answered
 * with 2xx (UAS side). Route set is not changed (§12.2: "the route set ... MUST NOT be updated").
 */
export function refreshRemoteTarget(dialog: DialogState, message: SipRequest | SipResponse): DialogState {
  const uri = contactUri(message);
  return uri === null || uri === dialog.remoteTarget ? dialog : { ...dialog, remoteTarget: ownString(uri) };
}

/** Methods whose 2xx refreshes the target (RFC 3261 §12.2, RFC 3311, RFC 6665 §4.1.2.4 SUBSCRIBE/NOTIFY). */
export function isTargetRefresh(method: string): boolean {
  return method === 'INVITE' || method === 'UPDATE' || method === 'SUBSCRIBE' || method === 'NOTIFY';
}

export function terminateDialog(dialog: DialogState): DialogState {
  return dialog.phase === 'terminated' ? dialog : { ...dialog, phase: 'terminated' };
}
