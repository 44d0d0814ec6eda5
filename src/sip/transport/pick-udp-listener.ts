/**
 * Which UDP socket a message leaves from. A response leaves from the socket its request arrived on
 * (RFC 3581 §4: symmetric response routing through NATs); a request from the socket its top Via
 * advertises, else one of the destination's address family and scope (loopback or not).
 */
import { isIP } from 'node:net';
import type { SipAddress, SipMessage } from '../message/sip-message.js';
import type { Listener } from './bind-listener.js';
import { readTopVia } from './top-via.js';

export type UdpListener = Extract<Listener, { transport: 'udp' }>;

export function pickUdpListener(
  listeners: readonly Listener[],
  address: string,
  local: SipAddress | undefined,
  message: SipMessage,
): UdpListener | undefined {
  const family = familyOf(address);
  const candidates = listeners.filter((l): l is UdpListener => l.transport === 'udp' && familyOf(l.local.address) === family);
  if (candidates.length <= 1) return candidates[0];
  if (local) {
    const same = candidates.find((l) => l.local.port === local.port && l.local.address === local.address);
    if (same) return same;
  }
  if (message.kind === 'request') {
    const via = readTopVia(message);
    const advertised = via && candidates.find((l) => l.local.port === via.port && (isWildcard(l.local.address) || l.local.address === via.host));
    if (advertised) return advertised;
  }
  const loopback = isLoopback(address);
  return candidates.find((l) => isWildcard(l.local.address) || isLoopback(l.local.address) === loopback) ?? candidates[0];
}

/** 6 for an IPv6 literal, else 4 (a host name is resolved as IPv4 by a udp4 socket). */
export function familyOf(address: string): 4 | 6 {
  return isIP(address) === 6 ? 6 : 4;
}

function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}

function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === '::1';
}
