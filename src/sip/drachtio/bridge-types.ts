/**
 * State the drachtio bridge keeps per transaction and per dialog. The application never sees
 * these objects; it sees transaction ids and dialog ids (drachtio-protocol.md §6).
 */
import type { RetransmitRunner } from '../dialog/retransmit-runner.js';
import type { DialogState } from '../dialog/dialog-state.js';
import type { InviteActivity } from '../dialog/invite-concurrency.js';
import type { UacReliableState, UasReliableState } from '../dialog/reliable-provisional.js';
import type { SipAddress, SipRequest } from '../message/sip-message.js';
import type { ClientTransaction } from '../transaction/client-transaction.js';
import type { ServerTransaction } from '../transaction/server-transaction.js';
import type { SendTarget } from '../transport/transport.js';
import type { ApplicationConnection } from './application-connection.js';

/** A dialog the server tracks for an application (UAS: network called; UAC: the app called out). */
export interface DialogEntry {
  dialog: DialogState;
  /** Owning application; null once it disconnected (in-dialog requests then get 481, §15). */
  app: ApplicationConnection | null;
  /** Listener the dialog's messages use, and the TCP connection to reuse. */
  local: SipAddress;
  connectionId: string | null;
  /** The peer the dialog-creating message came from / went to. */
  peer: SipAddress;
  activity: InviteActivity;
  /** UAS: a 2xx to INVITE being retransmitted until its ACK (RFC 3261 §13.3.1.4). */
  ackWait: { runner: RetransmitRunner; txnId: string } | null;
  /** UAC: a 2xx to our INVITE arrived; the application's ACK has not been sent yet. */
  awaitingAppAck: { cseq: number } | null;
  /** UAC: the last ACK sent, re-sent when the 2xx is retransmitted (§13.2.2.4); dropped after 64×T1 (ack-retention.ts). */
  lastAck: LastAck | null;
  /** Application re-INVITEs waiting for the INVITE in progress to finish (§14.1). */
  queue: (() => void)[];
  /** CDR state of an INVITE dialog (drachtio-protocol.md §5.5): one start, then one stop. */
  cdr: 'none' | 'started' | 'stopped';
  /** UAC: hang up right after the application's ACK (a 2xx the application cannot use). */
  hangUpAfterAck: string | null;
  /** Timer that removes a dialog kept only for a digest retry (BYE challenged with 401/407). */
  linger: unknown;
}

/** The ACK a UAC dialog sent for a 2xx, kept while that 2xx can still be retransmitted. */
export interface LastAck {
  request: SipRequest;
  target: SendTarget;
  cseq: number;
}

/** A request the server proxies (drachtio-protocol.md §5.3): what a CANCEL from upstream needs. */
export interface ProxyHandle {
  /** RFC 3261 §16.10: cancel the pending branches. */
  cancel(): void;
  /** Shutdown: stop the timers, report nothing. */
  close(): void;
}

/** A request from the network that the application answers through its transaction id. */
export interface InboundTxn {
  readonly id: string;
  readonly app: ApplicationConnection;
  readonly transaction: ServerTransaction;
  readonly request: SipRequest;
  /** Dialog id reported with the responses' echoes ('' for out-of-dialog non-INVITE/SUBSCRIBE). */
  dialogId: string;
  /** Dialog the request belongs to (in-dialog) or created (1xx with tag / 2xx). */
  entry: DialogEntry | null;
  /** To tag used on every response of this transaction. */
  toTag: string | null;
  provisionalSent: boolean;
  finalSent: boolean;
  cancelled: boolean;
  /** RFC 3262 bookkeeping for reliable provisionals (INVITE only). */
  reliable: UasReliableState | null;
  prackWait: RetransmitRunner | null;
  /** Pending-request timer: the app must answer within 64 s (drachtio-protocol.md §8.15). */
  timeout: unknown;
}

/** A request the application sent; network responses are forwarded under its transaction id. */
export interface OutboundTxn {
  readonly id: string;
  readonly app: ApplicationConnection;
  request: SipRequest;
  transaction: ClientTransaction | null;
  target: SendTarget;
  local: SipAddress;
  /** Dialog id reported with every response ('' for out-of-dialog non-INVITE/SUBSCRIBE). */
  dialogId: string;
  /** The dialog an in-dialog request was sent in. */
  entry: DialogEntry | null;
  /** A new INVITE/SUBSCRIBE that creates a dialog. */
  createsDialog: boolean;
  provisional: boolean;
  final: boolean;
  cancelled: boolean;
  /** CANCEL built before any provisional arrived: sent on the first one (RFC 3261 §9.1). */
  pendingCancel: SipRequest | null;
  uacReliable: UacReliableState;
  /** Responses that arrived before the echo went out are held so srf knows the transaction id. */
  echoed: boolean;
  held: Buffer[];
}
