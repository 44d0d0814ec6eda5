/**
 * Organisation API keys are stored hashed in the config (`sha256:<64 hex>`). `hashApiKey` is what an
 * operator runs to produce the config value (`talkbridge hash-key <key>` in the CLI).
 * Keys are high-entropy random strings, so an unsalted SHA-256 is adequate (no password stretching).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const API_KEY_HASH_PATTERN = /^sha256:[0-9a-f]{64}$/;

export function hashApiKey(key: string): string {
  return `sha256:${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}

/** A fresh random API key (`tbk_` + 32 random bytes base64url) for operators. */
export function generateApiKey(): string {
  return `tbk_${randomBytes(32).toString('base64url')}`;
}

/**
 * Constant-time lookup: hashes the presented key once and compares it against every stored hash
 * without an early exit, so timing reveals neither which hash matched nor how much of it did.
 */
export function findApiKeyOwner<T>(presented: string, entries: readonly { hash: string; owner: T }[]): T | null {
  const digest = Buffer.from(hashApiKey(presented), 'utf8');
  let found: T | null = null;
  for (const entry of entries) {
    const candidate = Buffer.from(entry.hash, 'utf8');
    const equal = candidate.length === digest.length && timingSafeEqual(candidate, digest);
    if (equal && found === null) found = entry.owner;
  }
  return found;
}
