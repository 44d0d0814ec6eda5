/**
 * Tickets fetched while correlating, kept briefly for the enrichment job that follows the stamp, so
 * enrichment does not fetch the same ticket again milliseconds later (one Zendesk API call per phone
 * ticket saved, out of four). Taken once; a retried or late job (after a restart, past `ttlMs`)
 * fetches the ticket as before. In memory only: the durable record stays the job itself.
 */
import type { ZendeskTicketWithUsers } from './zendesk-api.schema.js';

export interface RecentTicketsOptions {
  ttlMs?: number;
  maxEntries?: number;
  now?: () => number;
}

export class RecentTickets {
  private readonly entries = new Map<string, { ticket: ZendeskTicketWithUsers; at: number }>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: RecentTicketsOptions = {}) {
    this.ttlMs = options.ttlMs ?? 30_000;
    this.maxEntries = options.maxEntries ?? 256;
    this.now = options.now ?? Date.now;
  }

  put(connectionId: string, ticketId: string, ticket: ZendeskTicketWithUsers): void {
    const key = keyOf(connectionId, ticketId);
    this.entries.delete(key);
    this.entries.set(key, { ticket, at: this.now() });
    // Oldest first (insertion order): drop what expired, and the oldest past the bound.
    for (const [k, e] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.now() - e.at < this.ttlMs) break;
      this.entries.delete(k);
    }
  }

  /** The ticket fetched within `ttlMs`, removed from the cache; null otherwise. */
  take(connectionId: string, ticketId: string): ZendeskTicketWithUsers | null {
    const key = keyOf(connectionId, ticketId);
    const entry = this.entries.get(key);
    if (!entry) return null;
    this.entries.delete(key);
    return this.now() - entry.at < this.ttlMs ? entry.ticket : null;
  }

  get size(): number {
    return this.entries.size;
  }
}

function keyOf(connectionId: string, ticketId: string): string {
  return `${connectionId}\u0000${ticketId}`;
}
