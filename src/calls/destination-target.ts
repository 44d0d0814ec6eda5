/**
 * Where a transfer INVITE goes: a SIP destination's URI as configured; a PSTN destination through
 * its carrier's trunk, with the E.164 number as the Request-URI user (seed: "the call will route
 * through your carrier as a normal outbound").
 */
import type { CarrierConfig, DestinationConfig } from '../config/config.schema.js';

export type DestinationTarget =
  | { ok: true; requestUri: string; carrierId: string | null }
  | { ok: false; reason: string };

export function destinationTarget(destination: DestinationConfig, trunkCarrier: CarrierConfig | null): DestinationTarget {
  if (destination.type === 'sip') return { ok: true, requestUri: destination.uri, carrierId: null };
  if (!trunkCarrier?.trunk) return { ok: false, reason: 'no carrier trunk for PSTN destinations' };
  const m = /^(sips?):(?:[^@]*@)?(.+)$/i.exec(trunkCarrier.trunk);
  if (!m) return { ok: false, reason: `carrier ${trunkCarrier.id} trunk is not a SIP URI` };
  return { ok: true, requestUri: `${m[1]}:${destination.number}@${m[2]}`, carrierId: trunkCarrier.id };
}
