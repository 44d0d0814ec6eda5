/** The calls this instance owns, by session id. */
import type { Call } from './call.js';

export class CallRegistry {
  private readonly bySession = new Map<string, Call>();
  /** Admitted calls whose session is still being stored (they count against capacity). */
  private pending = 0;

  reserve(): void {
    this.pending++;
  }

  release(): void {
    this.pending = Math.max(0, this.pending - 1);
  }

  /** Owned calls plus those being admitted: what capacity is measured against. */
  get load(): number {
    return this.bySession.size + this.pending;
  }

  add(call: Call): void {
    this.bySession.set(call.sessionId, call);
  }

  remove(call: Call): void {
    if (this.bySession.get(call.sessionId) === call) this.bySession.delete(call.sessionId);
  }

  get(sessionId: string): Call | null {
    return this.bySession.get(sessionId) ?? null;
  }

  get size(): number {
    return this.bySession.size;
  }

  all(): Call[] {
    return [...this.bySession.values()];
  }
}
