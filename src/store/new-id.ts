/**
 * Ids like `ses_01j9z3k5q8…`: a prefix naming the kind, then a ULID-style body (48-bit millisecond
 * time + 80 random bits, Crockford base32, lowercase). Time-ordered, so ids sort by creation, and
 * safe in SIP header values and URL paths.
 */
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

export type IdPrefix = 'ses' | 'ctc' | 'trf' | 'zdc' | (string & {});

export function newId(prefix: IdPrefix, now: number = Date.now()): string {
  let time = '';
  let t = Math.max(0, Math.floor(now));
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const random = randomBytes(10);
  let bits = 0;
  let value = 0;
  let body = '';
  for (const byte of random) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      body += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return `${prefix}_${time}${body}`;
}

export const ID_BODY_PATTERN = /^[a-z]+_[0-9a-hjkmnp-tv-z]{26}$/;
