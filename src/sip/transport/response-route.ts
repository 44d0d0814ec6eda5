/**
 * Where a response goes: RFC 3261 §18.2.2 with the RFC 3581 §4 `rport` rule. Pure.
 */
import type { Via } from '../message/index.js';
import type { SipAddress } from '../message/sip-message.js';
import type { RequestOrigin } from './transport.js';

/** RFC 3261 §19.1.2: default port for sip: over UDP and TCP. */
export const DEFAULT_SIP_PORT = 5060;

export type ResponseRoute =
  /** Reliable: the connection the request came on if still open, else a new one to `fallback`. */
  | { transport: 'tcp'; connectionId: string | null; fallback: SipAddress }
  /** Unreliable: this address, from the socket the request arrived on (RFC 3581 §4 symmetry). */
  | { transport: 'udp'; target: SipAddress };

export function routeResponse(via: Via, origin: RequestOrigin): ResponseRoute {
  const sentByPort = via.port ?? DEFAULT_SIP_PORT;
  const received = paramValue(via, 'received');
  // DEVIATION: a request that arrived on a TCP connection is answered on it even if its Via says
  // UDP (a client that moved a large request to TCP without fixing its Via); the connection is the
  // only path known to work.
  if (via.transport === 'TCP' || origin.source.transport === 'tcp') {
    // RFC 3261 §18.2.2: reliable transport → the existing connection if still open; otherwise open a
    // connection to `received` (else the sent-by host), port of sent-by or the default.
    return {
      transport: 'tcp',
      connectionId: origin.connectionId,
      fallback: { transport: 'tcp', address: received ?? via.host, port: sentByPort },
    };
  }
  // RFC 3261 §18.2.2: `maddr` → that address, sent-by port or 5060.
  const maddr = paramValue(via, 'maddr');
  if (maddr) return { transport: 'udp', target: { transport: 'udp', address: maddr, port: sentByPort } };
  // RFC 3581 §4: received + rport (with a value) → received address, rport port.
  // RFC 3261 §18.2.2: received alone → received address, sent-by port or 5060.
  // Otherwise → sent-by host (RFC 3263 §5 resolution left to the socket), sent-by port or 5060.
  const rport = portValue(paramValue(via, 'rport'));
  return {
    transport: 'udp',
    target: { transport: 'udp', address: received ?? via.host, port: rport ?? sentByPort },
  };
}

function paramValue(via: Via, name: string): string | null {
  const value = via.params[name];
  if (value === undefined || value === null || value === '') return null;
  // RFC 5118 §4.5: IPv6 in `received`/`maddr` has no brackets; tolerate peers that add them.
  return value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value;
}

function portValue(text: string | null): number | null {
  if (text === null || !/^\d{1,5}$/.test(text)) return null;
  const port = Number(text);
  return port > 0 && port <= 65535 ? port : null;
}
