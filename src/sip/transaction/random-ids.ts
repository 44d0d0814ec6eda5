/**
 * Random identifiers the transaction layer hands out: branches with the RFC 3261 magic cookie
 * (§8.1.1.7: "The branch ID inserted by an element compliant with this specification MUST always
 * begin with the characters "z9hG4bK"") and To tags (§19.3: at least 32 bits of randomness).
 */
import { randomBytes } from 'node:crypto';

export function newBranch(): string {
  return `z9hG4bK${randomBytes(10).toString('hex')}`;
}

export function newTag(): string {
  return randomBytes(8).toString('hex');
}
