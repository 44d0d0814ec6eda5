/**
 * CONTRACT between the transport layer and the layers above it (transaction, stack).
 * Calls go down (`SipTransport`), callbacks come up (`TransportUser`).
 */
import type { SipParseError } from '../message/index.js';
import type { SipAddress, SipMessage, SipResponse } from '../message/sip-message.js';

export interface ListenSpec {
  transport: 'udp' | 'tcp';
  /** IPv4 or IPv6 literal (no brackets). */
  address: string;
  /** 0 picks a free port; read the real one from `listening()`. */
  port: number;
}

export interface InboundMessage {
  message: SipMessage;
  source: SipAddress;
  /** The listener address and port it arrived on. */
  local: SipAddress;
  /** TCP connection it arrived on (responses reuse it, RFC 3261 §18.2.2); null for UDP. */
  connectionId: string | null;
  /** Size on the wire in bytes. */
  size: number;
}

export interface MalformedInbound {
  error: SipParseError;
  source: SipAddress;
  local: SipAddress;
  connectionId: string | null;
}

export interface SendTarget extends SipAddress {
  /** Prefer this open TCP connection (responses, in-dialog requests to a TCP peer). */
  connectionId?: string | null;
  /**
   * The transport was chosen explicitly (a `transport=udp` URI parameter, configuration): a large
   * UDP request is not moved to TCP (RFC 3261 §18.1.1). A Request-URI `transport=udp` counts too.
   */
  forceTransport?: boolean;
}

/** Where a request came from, for `sendResponse` (an `InboundMessage` fits). */
export interface RequestOrigin {
  source: SipAddress;
  connectionId: string | null;
  /** The listener it arrived on: a UDP response leaves from that socket (RFC 3581 §4). */
  local?: SipAddress;
}

export interface SentInfo {
  /** What was actually used (a large UDP request may have gone over TCP, RFC 3261 §18.1.1). */
  transport: SipAddress['transport'];
  destination: SipAddress;
  local: SipAddress;
  bytes: number;
  /** The exact bytes sent (the drachtio layer echoes them to the application). */
  wire: Buffer;
  /**
   * The message as sent: the input itself, or a copy whose top Via says `SIP/2.0/TCP` (and with a
   * Content-Length) when a large UDP request went over TCP. Keep this one for CANCEL/ACK building.
   * Always set by TransportLayer (optional so fakes of SipTransport may omit it).
   */
  message?: SipMessage;
  /** The TCP connection used; null for UDP. (Optional so fakes of SipTransport may omit it.) */
  connectionId?: string | null;
}

export interface TransportUser {
  receive(inbound: InboundMessage): void;
  /** Bytes that did not parse; the stack answers 400/513 when it can, otherwise drops and counts. */
  malformed(inbound: MalformedInbound): void;
  /**
   * Optional: a TCP connection closed (peer, idle timeout, framing error, limit). Transactions that
   * counted on it can fail over (RFC 3261 §17.1.4, §18.4) or fall back to a new connection.
   */
  connectionClosed?(connectionId: string, remote: SipAddress): void;
}

export interface SipTransport {
  /** Send a request (or a response to an explicit address). Rejects with a transport error. */
  send(message: SipMessage, target: SendTarget): Promise<SentInfo>;
  /** Send a response where RFC 3261 §18.2.2 / RFC 3581 say (top Via received/rport, same connection). */
  sendResponse(response: SipResponse, request: RequestOrigin): Promise<SentInfo>;
  /** Addresses actually bound, in listen order. */
  listening(): SipAddress[];
  close(): Promise<void>;
}
