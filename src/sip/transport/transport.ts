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
}

export interface SentInfo {
  /** What was actually used (a large UDP request may have gone over TCP, RFC 3261 §18.1.1). */
  transport: SipAddress['transport'];
  destination: SipAddress;
  local: SipAddress;
  bytes: number;
  /** The exact bytes sent (the drachtio layer echoes them to the application). */
  wire: Buffer;
}

export interface TransportUser {
  receive(inbound: InboundMessage): void;
  /** Bytes that did not parse; the stack answers 400/513 when it can, otherwise drops and counts. */
  malformed(inbound: MalformedInbound): void;
}

export interface SipTransport {
  /** Send a request (or a response to an explicit address). Rejects with a transport error. */
  send(message: SipMessage, target: SendTarget): Promise<SentInfo>;
  /** Send a response where RFC 3261 §18.2.2 / RFC 3581 say (top Via received/rport, same connection). */
  sendResponse(response: SipResponse, request: { source: SipAddress; connectionId: string | null }): Promise<SentInfo>;
  /** Addresses actually bound, in listen order. */
  listening(): SipAddress[];
  close(): Promise<void>;
}
