/**
 * Fresh identifiers: tags (RFC 3261 §19.3: at least 32 bits of randomness), branch IDs with the
 * magic cookie (§8.1.1.7) and Call-IDs (§8.1.1.4). Random bytes come from a pooled CSPRNG read.
 */
import { randomFillSync } from 'node:crypto';
import { BRANCH_MAGIC_COOKIE } from './parse-via.js';

const POOL_SIZE = 4096;
const pool = Buffer.alloc(POOL_SIZE);
let offset = POOL_SIZE;

/** `bytes` random bytes as lowercase hex, from the pooled CSPRNG read (bytes ≤ 4096). */
export function randomHex(bytes: number): string {
  if (offset + bytes > POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  const out = pool.toString('hex', offset, offset + bytes);
  offset += bytes;
  return out;
}

/** A From/To tag: 64 random bits as hex. */
export function generateTag(): string {
  return randomHex(8);
}

/** A Via branch: `z9hG4bK` + 96 random bits, unique across space and time (RFC 3261 §8.1.1.7). */
export function generateBranch(): string {
  return BRANCH_MAGIC_COOKIE + randomHex(12);
}

/** A Call-ID: 128 random bits, optionally `@host` (RFC 3261 §8.1.1.4). */
export function generateCallId(host?: string): string {
  const id = randomHex(16);
  return host ? `${id}@${host}` : id;
}
