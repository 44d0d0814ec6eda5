/**
 * Phone number normalisation (DESIGN.md "Caller identity"). Pure functions over plain strings so
 * call control (SIP users) and the Zendesk integration (ticket phone fields) normalise alike.
 */
import { parsePhoneNumber } from 'awesome-phonenumber';
import { BoundedMemo } from '../bounded-memo.js';

/** A number in E.164 and its national significant number (the "same national number" match key). */
export interface NormalisedPhone {
  e164: string;
  national: string;
}

const E164_SHAPE = /^\+[1-9]\d{6,14}$/;

/**
 * True when `value` is written in E.164 and is a *possible* number for its country.
 * DEVIATION: libphonenumber's stricter "valid" would reject the fictional 555-01xx numbers used by
 * the demo and tests; possibility (right length for the country) is what we need to route and match.
 */
export function isE164(value: string): boolean {
  if (!E164_SHAPE.test(value)) return false;
  const parsed = parsePhoneNumber(value);
  return parsed.possible && parsed.number?.e164 === value;
}

/** Regions remembered: of the dialled numbers of the configuration, in practice. */
const regions = new BoundedMemo<string, string | null>(1024);

/**
 * ISO region (e.g. `US`) of an E.164 number, or null when unknown. Remembered per number: it is
 * asked for the dialled number of every call, and a parse costs tens of µs.
 */
export function regionOf(e164: string): string | null {
  return regions.get(e164, (number) => {
    const code = (parsePhoneNumber(number) as { regionCode?: string }).regionCode;
    return code && code !== 'ZZ' ? code : null;
  });
}

/**
 * Normalise a dialable string (`+1 555 0123`, `5550123`, `0044 20 7183 8750`, `%2B15550123`) to E.164,
 * reading national forms in `defaultRegion` (the dialled number's region). Null when it is not a
 * possible phone number.
 */
export function normalisePhoneNumber(input: string, defaultRegion?: string | null): NormalisedPhone | null {
  let text = safeDecode(input).trim();
  if (text === '') return null;
  // Leading "00" is the international prefix in most regions; libphonenumber only knows it per region.
  if (/^00[1-9]/.test(text)) text = `+${text.slice(2)}`;
  if (!/^\+?[\d\s().\-/]+$/.test(text) || !/\d/.test(text)) return null;
  const parsed = defaultRegion ? parsePhoneNumber(text, { regionCode: defaultRegion }) : parsePhoneNumber(text);
  if (!parsed.possible || !parsed.number) return null;
  const e164 = parsed.number.e164;
  if (!E164_SHAPE.test(e164)) return null;
  return { e164, national: parsed.number.significant };
}

/** National significant number of an E.164 number (`+442071838750` → `2071838750`), or null. */
export function nationalSignificantNumber(e164: string): string | null {
  const parsed = parsePhoneNumber(e164);
  return parsed.possible && parsed.number ? parsed.number.significant : null;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
