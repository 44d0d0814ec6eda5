/**
 * Transport error codes (`TRANSPORT_ERR_*`), each defined once. Every send failure rejects with a
 * `TransportError`; the layers above map any of them to 503 (RFC 3261 §8.1.3.1: a transport error
 * is treated as a 503 Service Unavailable).
 */
import type { SipAddress } from '../message/sip-message.js';

export const TRANSPORT_ERROR_CODES = {
  /** A listen address could not be bound (EADDRINUSE, not an IP literal …). */
  TRANSPORT_ERR_LISTEN: 'cannot listen',
  /** TCP connect refused, unreachable or reset before it was established. */
  TRANSPORT_ERR_CONNECT: 'connection failed',
  /** TCP connect did not complete within `connectTimeoutMs`. */
  TRANSPORT_ERR_CONNECT_TIMEOUT: 'connection timed out',
  /** The connection closed before (or while) the bytes were written, or the transport is closed. */
  TRANSPORT_ERR_CLOSED: 'connection closed',
  /** The maximum number of TCP connections is reached. */
  TRANSPORT_ERR_LIMIT: 'connection limit reached',
  /** No listener of the needed transport and address family to send from. */
  TRANSPORT_ERR_NO_LISTENER: 'no listener for this transport and address family',
  /** The socket refused the bytes (EMSGSIZE, EHOSTUNREACH on UDP …). */
  TRANSPORT_ERR_SEND: 'send failed',
  /** The top Via or the target does not say where to send (no Via, unsupported transport). */
  TRANSPORT_ERR_NO_ROUTE: 'no route for this message',
} as const;

export type TransportErrorCode = keyof typeof TRANSPORT_ERROR_CODES;

export class TransportError extends Error {
  readonly code: TransportErrorCode;
  /** Where the message was going. */
  readonly target: SipAddress | null;

  constructor(code: TransportErrorCode, target: SipAddress | null, detail?: string, options?: { cause?: unknown }) {
    const where = target ? ` (${target.transport} ${formatHostPort(target.address, target.port)})` : '';
    super(`${TRANSPORT_ERROR_CODES[code]}${where}${detail ? `: ${detail}` : ''}`, options);
    this.name = 'TransportError';
    this.code = code;
    this.target = target;
  }
}

export function isTransportError(error: unknown): error is TransportError {
  return error instanceof TransportError;
}

/** `host:port`, IPv6 in brackets (RFC 3986 §3.2.2) — for messages and map keys only. */
export function formatHostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}
