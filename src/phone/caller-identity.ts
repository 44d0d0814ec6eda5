/**
 * Who is calling (DESIGN.md "Caller identity"): P-Asserted-Identity only from a trusted carrier,
 * else the From user; E.164 with the dialled number's region as default; anonymity rules.
 * Inputs are plain strings (URIs or user parts) so no SIP types leak into this module.
 */
import { normalisePhoneNumber, regionOf } from './phone-number.js';

export interface CallerIdentityInput {
  /** From URI or its user part (`sip:+15550123@carrier`, `+15550123`, `anonymous`). */
  from: string | null;
  /** P-Asserted-Identity URI or user part, when present (`tel:+15550123`, `<sip:…>`). */
  pai: string | null;
  /** The Privacy header value(s), when present (RFC 3323/3325: `id`, `header;user`…). */
  privacy: string | null;
  /** Whether the carrier the INVITE came from is trusted to assert identity (RFC 3325 §9.1). */
  trustPai: boolean;
  /** The OpenCX number that was dialled, E.164: its region reads national caller numbers. */
  dialledNumber: string;
}

export interface CallerIdentity {
  /** E.164, null when anonymous or not a phone number. */
  phone: string | null;
  national: string | null;
  anonymous: boolean;
  /** Which header the identity was taken from. */
  source: 'pai' | 'from';
}

const ANONYMOUS_USERS = new Set(['anonymous', 'restricted', 'unavailable', 'unknown', 'private', 'withheld']);

/** True for an empty user or one of the well-known "no caller id" users (case-insensitive). */
export function isAnonymousUser(user: string | null | undefined): boolean {
  if (user === null || user === undefined) return true;
  const trimmed = user.trim().toLowerCase();
  return trimmed === '' || ANONYMOUS_USERS.has(trimmed);
}

/** RFC 3323 §4.2: `Privacy: id` (alone or among other values) asks to withhold the identity. */
export function privacyRequestsId(privacy: string | null | undefined): boolean {
  if (!privacy) return false;
  return privacy
    .split(/[;,]/)
    .map((v) => v.trim().toLowerCase())
    .includes('id');
}

/**
 * User part of a SIP/SIPS/TEL URI or name-addr (`"Bob" <sip:+1555@h;user=phone>` → `+1555`,
 * `tel:+1555;npdi` → `+1555`). A bare user is returned as is (without parameters).
 */
export function userOf(value: string): string {
  let text = value.trim();
  const angle = /<([^>]*)>/.exec(text);
  if (angle?.[1] !== undefined) text = angle[1].trim();
  const scheme = /^(sips?|tel):/i.exec(text);
  if (scheme) {
    text = text.slice(scheme[0].length);
    if (scheme[1]?.toLowerCase() !== 'tel') {
      const at = text.lastIndexOf('@');
      text = at >= 0 ? text.slice(0, at) : '';
    }
  }
  const semi = text.indexOf(';');
  return semi >= 0 ? text.slice(0, semi) : text;
}

export function resolveCallerIdentity(input: CallerIdentityInput): CallerIdentity {
  // RFC 3325 §9.1: PAI from an untrusted source is ignored entirely.
  const usePai = input.trustPai && input.pai !== null && input.pai.trim() !== '';
  const source: CallerIdentity['source'] = usePai ? 'pai' : 'from';
  const raw = usePai ? input.pai : input.from;
  const user = raw === null ? null : userOf(raw);
  if (privacyRequestsId(input.privacy) || isAnonymousUser(user)) {
    return { phone: null, national: null, anonymous: true, source };
  }
  const normalised = normalisePhoneNumber(user ?? '', regionOf(input.dialledNumber));
  return {
    phone: normalised?.e164 ?? null,
    national: normalised?.national ?? null,
    anonymous: false,
    source,
  };
}
