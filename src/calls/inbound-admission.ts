/**
 * Whether an inbound INVITE is taken, and if not, the final response the carrier gets (issue 5
 * "Inbound calls"): source not allowed → 403; unknown number → 404; over capacity or over the
 * carrier's call rate → 503 with Retry-After (RFC 3261 §21.5.4, §20.33).
 */
import type { CarrierConfig } from '../config/config.schema.js';
import type { NumberRoute } from '../config/tenant-directory.js';

export interface InboundFacts {
  /** Address the INVITE came from (the carrier's signalling address). */
  sourceAddress: string;
  /** User part of the Request-URI (the dialled number as the carrier wrote it). */
  dialledUser: string;
}

export interface AdmissionLimits {
  liveCalls: number;
  maxConcurrentCalls: number;
  retryAfterSeconds: number;
  /** Takes a token of the carrier's inbound call rate; false when the carrier is over its rate. */
  takeCarrierToken: (carrier: CarrierConfig) => boolean;
}

/** The two lookups admission needs (TenantDirectory + DialledNumberIndex in production). */
export interface AdmissionDirectory {
  carrierForSource(address: string): CarrierConfig | null;
  route(dialledUser: string): NumberRoute | null;
}

export type Admission =
  | { ok: true; carrier: CarrierConfig; route: NumberRoute }
  | { ok: false; status: 403 | 404 | 503; reason: string; retryAfterSeconds: number | null };

export function admitInbound(facts: InboundFacts, directory: AdmissionDirectory, limits: AdmissionLimits): Admission {
  const carrier = directory.carrierForSource(facts.sourceAddress);
  if (!carrier) return refuse(403, 'source address is not an allowed carrier');
  const route = directory.route(facts.dialledUser);
  if (!route) return refuse(404, 'number not configured');
  if (limits.liveCalls >= limits.maxConcurrentCalls) {
    return { ok: false, status: 503, reason: 'over capacity', retryAfterSeconds: limits.retryAfterSeconds };
  }
  if (!limits.takeCarrierToken(carrier)) {
    return { ok: false, status: 503, reason: 'carrier call rate exceeded', retryAfterSeconds: 1 };
  }
  return { ok: true, carrier, route };
}

function refuse(status: 403 | 404, reason: string): Admission {
  return { ok: false, status, reason, retryAfterSeconds: null };
}
