/**
 * Contact enrichment, driven by the ticket id and never by a phone search (seed "Contact
 * enrichment"): ticket → requester (full user, for its user fields) → organization; the session's
 * contact gets the patch from contact-patch.ts. It runs as a queued job after the stamp, so a slow or
 * failing Zendesk never blocks or breaks the call; failures are retried by the delivery worker.
 */
import { TalkbridgeError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Contact } from '../contacts/contact.js';
import type { Session } from '../sessions/session.js';
import type { Store } from '../store/store.js';
import { contactPatchFromZendesk, prefixOrganizationFields } from './contact-patch.js';
import { ignored, outcomeFromFailure, processed, type DeliveryOutcome } from './delivery-outcome.js';
import type { ZendeskOrganization, ZendeskTicketWithUsers } from './zendesk-api.schema.js';
import type { ZendeskClient, ZendeskResult } from './zendesk-client.js';

export interface EnrichmentJob {
  sessionId: string;
  ticketId: string;
}

export interface ContactEnricherDeps {
  store: Pick<Store, 'sessions' | 'contacts'>;
  defaultRegion?: (orgId: string) => string | null;
  logger: Logger;
  now?: () => number;
}

export class ContactEnricher {
  private readonly store: Pick<Store, 'sessions' | 'contacts'>;
  private readonly defaultRegion: (orgId: string) => string | null;
  private readonly logger: Logger;
  private readonly now: () => number;

  constructor(deps: ContactEnricherDeps) {
    this.store = deps.store;
    this.defaultRegion = deps.defaultRegion ?? (() => null);
    this.logger = deps.logger.child({ component: 'zendesk-enricher' });
    this.now = deps.now ?? Date.now;
  }

  /** `fetched`: the ticket as correlation fetched it moments ago (RecentTickets), if at hand. */
  async enrich(client: ZendeskClient, job: EnrichmentJob, fetched: ZendeskTicketWithUsers | null = null): Promise<DeliveryOutcome> {
    const session = await this.store.sessions.get(job.sessionId);
    if (!session) return ignored('session no longer exists');

    const ticket: ZendeskResult<ZendeskTicketWithUsers> = fetched ? { ok: true, value: fetched } : await client.getTicket(job.ticketId);
    if (!ticket.ok) return outcomeFromFailure('fetching the ticket', ticket.failure);
    const requesterId = ticket.value.ticket.requester_id;
    if (requesterId === null) return ignored('ticket has no requester');

    const user = await client.getUser(requesterId);
    if (!user.ok) return outcomeFromFailure('fetching the requester', user.failure);

    let organization: ZendeskOrganization | null = null;
    const organizationId = user.value.organization_id ?? ticket.value.ticket.organization_id;
    if (organizationId !== null) {
      const org = await client.getOrganization(organizationId);
      if (org.ok) organization = org.value;
      else if (org.failure.kind !== 'not_found') return outcomeFromFailure('fetching the organization', org.failure);
    }

    const contact = await this.contactOf(session);
    if (!contact) return ignored('session has no contact and no caller number');
    const { patch, requesterPhoneKept } = contactPatchFromZendesk(contact, user.value, organization, this.defaultRegion(session.orgId));
    const now = this.now();
    let updated: Contact | null;
    try {
      updated = await this.store.contacts.update(contact.id, patch, now);
    } catch (error) {
      // Another contact already owns that phone: enrich everything else.
      if (!(error instanceof TalkbridgeError && error.code === 'API_ERR_CONFLICT') || patch.phone === undefined) throw error;
      const { phone: _phone, ...rest } = patch;
      updated = await this.store.contacts.update(contact.id, rest, now);
    }
    if (!updated) return ignored('contact no longer exists');

    const customDataKeys = [...Object.keys(user.value.user_fields), ...Object.keys(prefixOrganizationFields(organization?.organization_fields ?? {}))];
    await this.store.sessions.appendEvent({
      sessionId: session.id,
      at: now,
      type: 'contact.enriched',
      data: {
        contactId: contact.id,
        ticketId: job.ticketId,
        zendeskUserId: user.value.id,
        zendeskOrganizationId: organization?.id ?? null,
        fields: Object.keys(patch).filter((k) => k !== 'customData'),
        customDataKeys,
        ...(requesterPhoneKept ? { requesterPhone: requesterPhoneKept } : {}),
      },
    });
    this.logger.info({ sessionId: session.id, contactId: contact.id, ticketId: job.ticketId }, 'contact enriched from zendesk');
    return processed(`contact ${contact.id} enriched`);
  }

  /** Record on the timeline that enrichment was given up (the call itself is unaffected). */
  async gaveUp(job: EnrichmentJob, error: string): Promise<void> {
    await this.store.sessions.appendEvent({
      sessionId: job.sessionId,
      at: this.now(),
      type: 'contact.enrichment_failed',
      data: { ticketId: job.ticketId, error },
    });
  }

  /** The session's contact; when call control has not linked one yet, the caller's contact (atomic find-or-create). */
  private async contactOf(session: Session): Promise<Contact | null> {
    if (session.contactId) return this.store.contacts.get(session.contactId);
    if (!session.callerPhone) return null;
    const contact = await this.store.contacts.findOrCreateByPhone(session.orgId, session.callerPhone, this.now());
    await this.store.sessions.update(session.id, { contactId: contact.id });
    return contact;
  }
}
