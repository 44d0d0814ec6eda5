/**
 * Random identifiers the transaction layer hands out: branches with the RFC 3261 magic cookie
 * (§8.1.1.7: "The branch ID inserted by an element compliant with this specification MUST always
 * begin with the characters "z9hG4bK"") and To tags (§19.3: at least 32 bits of randomness).
 * Both come from the message layer's pooled CSPRNG read (one randomFillSync per 4 KiB) rather
 * than a randomBytes() call each: every INVITE answered needs a tag, and randomBytes per call
 * showed up in the engine's profile under load.
 */
import { randomHex } from '../message/generate-ids.js';

export function newBranch(): string {
  return `z9hG4bK${randomHex(10)}`;
}

export function newTag(): string {
  return randomHex(8);
}
