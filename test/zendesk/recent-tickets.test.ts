/** The ticket correlation fetched, kept briefly for the enrichment job: taken once, expires, bounded. */
import { describe, expect, it } from 'vitest';
import { RecentTickets } from '../../src/zendesk/recent-tickets.js';
import type { ZendeskTicketWithUsers } from '../../src/zendesk/zendesk-api.schema.js';

const ticket = (id: string): ZendeskTicketWithUsers => ({ ticket: { id }, users: [] }) as unknown as ZendeskTicketWithUsers;

describe('RecentTickets', () => {
  it('hands a ticket out once, per connection', () => {
    const recent = new RecentTickets();
    recent.put('zdc_1', '42', ticket('42'));
    expect(recent.take('zdc_2', '42')).toBeNull();
    expect(recent.take('zdc_1', '42')?.ticket.id).toBe('42');
    expect(recent.take('zdc_1', '42')).toBeNull();
  });

  it('forgets a ticket after the time to live', () => {
    let now = 1_000;
    const recent = new RecentTickets({ ttlMs: 100, now: () => now });
    recent.put('zdc_1', '1', ticket('1'));
    now += 100;
    expect(recent.take('zdc_1', '1')).toBeNull();
    recent.put('zdc_1', '2', ticket('2'));
    now += 150;
    // Expired entries are dropped when another arrives.
    recent.put('zdc_1', '3', ticket('3'));
    expect(recent.size).toBe(1);
  });

  it('keeps at most maxEntries, dropping the oldest', () => {
    const recent = new RecentTickets({ maxEntries: 2 });
    for (const id of ['1', '2', '3']) recent.put('zdc_1', id, ticket(id));
    expect(recent.size).toBe(2);
    expect(recent.take('zdc_1', '1')).toBeNull();
    expect(recent.take('zdc_1', '3')?.ticket.id).toBe('3');
  });
});
