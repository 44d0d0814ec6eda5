/**
 * Contact enrichment after a stamp (seed "Contact enrichment"): driven by the ticket id (ticket →
 * requester → organization), user fields as-is and organization fields prefixed `org_` in
 * custom_data; failures retried without touching the call.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ticketCreatedEvent } from '../helpers/zendesk-events.js';
import { CALLER, ORG_ID, ZendeskHarness } from '../helpers/zendesk-harness.js';
import type { StandinTicket } from '../helpers/zendesk-standin-account.js';

let h: ZendeskHarness;
beforeEach(async () => {
  h = await ZendeskHarness.start();
  await h.connect();
});
afterEach(async () => {
  await h.close();
});

function knownCaller(): { ticket: StandinTicket; userId: number; orgId: number } {
  const org = h.account.addOrganization({ name: 'Analytical Engines Ltd', external_id: 'org-77', organization_fields: { tier: 'gold', region: 'emea' } });
  const user = h.account.addUser({
    name: 'Ada Lovelace',
    email: 'ada@example.com',
    phone: CALLER,
    external_id: 'crm-4711',
    organization_id: org.id,
    user_fields: { plan: 'enterprise', nps: 9 },
  });
  const { ticket } = h.account.addInboundCall(CALLER);
  return { ticket, userId: user.id, orgId: org.id };
}

describe('contact enrichment', () => {
  it('fills name, email, phone, Zendesk user id and external id; user fields and org_ fields into custom_data', async () => {
    const contact = await h.store.contacts.findOrCreateByPhone(ORG_ID, CALLER, h.clock.now());
    await h.store.contacts.update(contact.id, { customData: { source: 'ivr' } }, h.clock.now());
    const session = await h.openSession({ contactId: contact.id });
    const { ticket, userId, orgId } = knownCaller();
    await h.standin.emit(h.account, ticketCreatedEvent(h.account, ticket));
    await h.idle();

    const enriched = await h.store.contacts.get(contact.id);
    expect(enriched).toMatchObject({
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      phone: CALLER,
      zendeskUserId: String(userId),
      externalId: 'crm-4711',
      customData: { source: 'ivr', plan: 'enterprise', nps: 9, org_tier: 'gold', org_region: 'emea' },
    });
    const event = (await h.store.sessions.timeline(session.id)).find((e) => e.type === 'contact.enriched');
    expect(event?.data).toMatchObject({ contactId: contact.id, ticketId: String(ticket.id), zendeskUserId: String(userId), zendeskOrganizationId: String(orgId) });
    // By id only: ticket (fetched once, correlation hands it to enrichment), the full user (side-loads
    // may lack user_fields), the organization. No search.
    const paths = h.standin.requests.filter((r) => r.method === 'GET' && !r.path.includes('webhooks') && !r.path.endsWith('/me')).map((r) => r.path);
    expect(paths).toEqual([`/api/v2/tickets/${ticket.id}`, `/api/v2/users/${userId}`, `/api/v2/organizations/${orgId}`]);
  });

  it('creates the caller contact when call control has not linked one yet', async () => {
    const session = await h.openSession({ contactId: null });
    const { ticket } = knownCaller();
    await h.standin.emit(h.account, ticketCreatedEvent(h.account, ticket));
    await h.idle();
    const stored = await h.store.sessions.get(session.id);
    expect(stored?.contactId).toBeTruthy();
    expect((await h.store.contacts.get(stored!.contactId!))?.name).toBe('Ada Lovelace');
  });

  it('keeps the number as the only identity of an unknown caller (Talk names them with the number)', async () => {
    const session = await h.openSession();
    const { ticket } = h.account.addInboundCall(CALLER);
    await h.standin.emit(h.account, ticketCreatedEvent(h.account, ticket));
    await h.idle();
    const contact = await h.store.contacts.get((await h.store.sessions.get(session.id))!.contactId!);
    expect(contact).toMatchObject({ name: null, phone: CALLER, zendeskUserId: String(ticket.requester_id) });
  });

  it('retries a failed fetch later; the session is stamped meanwhile and the contact enriched in the end', async () => {
    const session = await h.openSession();
    const { ticket, userId } = knownCaller();
    h.standin.fault({ path: `/api/v2/users/${userId}`, status: 500, times: Infinity });
    await h.standin.emit(h.account, ticketCreatedEvent(h.account, ticket));
    await h.idle();

    expect(await h.store.sessions.get(session.id)).toMatchObject({ ticketId: String(ticket.id), state: 'live' });
    const job = h.settled.find((s) => s.delivery.eventType === 'talkbridge:contact.enrich');
    expect(job).toMatchObject({ outcome: { kind: 'retry' }, final: false });

    h.standin.clearFaults();
    h.clock.advance(h.settings.delivery.backoff.maxMs);
    expect(await h.integration.worker.runDue()).toBe(1);
    await h.idle();
    const contact = await h.store.contacts.get((await h.store.sessions.get(session.id))!.contactId!);
    expect(contact?.name).toBe('Ada Lovelace');
    // The ticket correlation fetched served the first attempt only; the retry read it afresh.
    expect(h.standin.requestsTo('GET', `/api/v2/tickets/${ticket.id}`)).toHaveLength(2);
  });

  it('gives up after the configured attempts and notes it on the timeline, call untouched', async () => {
    const session = await h.openSession();
    const { ticket, userId } = knownCaller();
    h.standin.fault({ path: `/api/v2/users/${userId}`, status: 500, times: Infinity });
    await h.standin.emit(h.account, ticketCreatedEvent(h.account, ticket));
    await h.idle();
    for (let i = 1; i < h.settings.delivery.maxAttempts; i += 1) {
      h.clock.advance(h.settings.delivery.backoff.maxMs);
      await h.integration.worker.runDue();
      await h.idle();
    }
    const timeline = await h.store.sessions.timeline(session.id);
    expect(timeline.map((e) => e.type)).toEqual(['ticket.stamped', 'contact.enrichment_failed']);
    expect(h.settled.at(-1)).toMatchObject({ final: true, outcome: { kind: 'retry' } });
    expect(await h.store.sessions.get(session.id)).toMatchObject({ state: 'live', ticketId: String(ticket.id) });
  });

  it('enriches without the organization when it no longer exists', async () => {
    const session = await h.openSession();
    const { ticket, orgId } = knownCaller();
    h.account.organizations.delete(orgId);
    await h.standin.emit(h.account, ticketCreatedEvent(h.account, ticket));
    await h.idle();
    const contact = await h.store.contacts.get((await h.store.sessions.get(session.id))!.contactId!);
    expect(contact?.customData).toEqual({ plan: 'enterprise', nps: 9 });
  });
});
