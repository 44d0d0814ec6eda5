/**
 * The response context of a stateful proxy (RFC 3261 §16.7 step 6): which final response goes
 * upstream once every branch is done. Pure.
 */
import type { SipResponse } from '../message/sip-message.js';

/**
 * §16.7 step 6: "The proxy MUST choose from the 6xx class responses if any exist in the context.
 * If no 6xx class responses are present, the proxy SHOULD choose from the lowest response class
 * stored in the response context." Ties go to the first one stored. Null when nothing is stored
 * (the caller then sends 408: "If no final response has been received, the proxy MUST send a 408").
 */
export function bestResponse(stored: readonly SipResponse[]): SipResponse | null {
  let best: SipResponse | null = null;
  for (const response of stored) {
    if (response.status < 300) continue;
    if (best === null) {
      best = response;
      continue;
    }
    const bestClass = Math.floor(best.status / 100);
    const klass = Math.floor(response.status / 100);
    if (bestClass === 6) continue;
    if (klass === 6 || klass < bestClass) best = response;
  }
  return best;
}

/**
 * §16.7 step 6: "A proxy which receives a 503 (Service Unavailable) response SHOULD NOT forward it
 * upstream ... If the only response that was received is a 503, the proxy SHOULD generate a 500
 * response and forward that upstream." (The 503 is about the next hop, not about this proxy.)
 */
export function upstreamStatus(response: SipResponse): { status: number; reason: string } {
  return response.status === 503 ? { status: 500, reason: 'Server Internal Error' } : { status: response.status, reason: response.reason };
}

/** `2s`, `1500ms` or `1500` (milliseconds) as drachtio-srf passes proxy timeouts; null when empty or invalid. */
export function parseProxyTimeout(token: string): number | null {
  const match = /^\s*(\d+)\s*(ms|s)?\s*$/i.exec(token);
  if (!match) return null;
  const value = Number(match[1]);
  return match[2]?.toLowerCase() === 's' ? value * 1000 : value;
}
