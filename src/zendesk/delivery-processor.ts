/**
 * What one recorded delivery means (DeliveryHandler for the worker):
 * - `ticket.created`: fetch the ticket (requester side-loaded); a phone ticket is correlated to a
 *   live session or left pending (ticket-correlator.ts);
 * - `ticket.status_changed`, `messaging_ticket.message_added`: noted on the timeline of the session
 *   stamped with that ticket, if any;
 * - the internal `talkbridge:contact.enrich` job: contact enrichment (contact-enricher.ts);
 * - anything else: ignored.
 * The connection (credentials) is re-read on every attempt, so a re-saved token takes effect.
 */
import type { Logger } from '../logger.js';
import type { Session } from '../sessions/session.js';
import type { Store, WebhookDelivery, ZendeskConnection } from '../store/store.js';
import type { ContactEnricher, EnrichmentJob } from './contact-enricher.js';
import { ignored, outcomeFromFailure, processed, type DeliveryOutcome } from './delivery-outcome.js';
import type { DeliveryHandler } from './delivery-worker.js';
import type { RecentTickets } from './recent-tickets.js';
import type { TicketCorrelator } from './ticket-correlator.js';
import { isCertainlyNotPhone, isPhoneTicket, ticketCallerNumbers, ticketIdFromSubject } from './ticket-rules.js';
import { EVENT_MESSAGE_ADDED, EVENT_TICKET_CREATED, EVENT_TICKET_STATUS_CHANGED } from './webhook-provisioner.js';
import type { ZendeskClientFactory } from './zendesk-client-factory.js';
import { eventEnvelopeSchema, messageAddedSchema, statusChangedSchema, ticketDetailSchema, type EventEnvelope } from './zendesk-event.schema.js';

/** Internal follow-up job type; never a Zendesk event type (those start with `zen:`). */
export const ENRICH_CONTACT_JOB = 'talkbridge:contact.enrich';

/** Message bodies are kept on the timeline up to this many characters. */
const MESSAGE_PREVIEW_CHARS = 500;

export interface DeliveryProcessorDeps {
  store: Pick<Store, 'sessions' | 'zendesk'>;
  clientFactory: ZendeskClientFactory;
  correlator: TicketCorrelator;
  enricher: ContactEnricher;
  /** Tickets fetched here, handed to the enrichment job that follows the stamp. */
  recentTickets?: RecentTickets;
  /** Queue contact enrichment for a stamped session (idempotent per ticket and session). */
  enqueueEnrichment: (session: Session, ticketId: string) => Promise<void>;
  logger: Logger;
  now?: () => number;
}

export class DeliveryProcessor implements DeliveryHandler {
  private readonly deps: DeliveryProcessorDeps;
  private readonly now: () => number;
  /** Envelopes the receiver decoded, for the delivery objects it handed to the worker (decode once). */
  private readonly decoded = new WeakMap<WebhookDelivery, EventEnvelope>();

  constructor(deps: DeliveryProcessorDeps) {
    this.deps = deps;
    this.now = deps.now ?? Date.now;
  }

  /** The receiver's decoding of a just-recorded delivery; deliveries read back from the record are parsed again. */
  rememberEnvelope(delivery: WebhookDelivery, envelope: EventEnvelope): void {
    this.decoded.set(delivery, envelope);
  }

  async handle(delivery: WebhookDelivery): Promise<DeliveryOutcome> {
    if (delivery.eventType === ENRICH_CONTACT_JOB) {
      const job = parseJob(delivery.body);
      if (!job) return { kind: 'failed', error: 'enrichment job body unreadable' };
      const connection = await this.connection(delivery);
      if (!connection) return { kind: 'failed', error: 'zendesk connection removed' };
      return this.deps.enricher.enrich(this.deps.clientFactory(connection), job, this.deps.recentTickets?.take(delivery.connectionId, job.ticketId) ?? null);
    }

    const envelope = this.decoded.get(delivery) ?? parseEnvelope(delivery.body);
    if (!envelope) return { kind: 'failed', error: 'recorded body is not a Zendesk event' };
    const detail = ticketDetailSchema.safeParse(envelope.detail ?? {});
    const ticketId = (detail.success ? detail.data.id : undefined) ?? ticketIdFromSubject(envelope.subject);
    switch (envelope.type) {
      case EVENT_TICKET_CREATED:
        if (!ticketId) return { kind: 'failed', error: 'ticket.created without a ticket id' };
        return this.ticketCreated(delivery, ticketId, detail.success ? (detail.data.via?.channel ?? null) : null);
      case EVENT_TICKET_STATUS_CHANGED:
      case EVENT_MESSAGE_ADDED:
        if (!ticketId) return ignored('event without a ticket id');
        return this.ticketActivity(delivery, envelope, ticketId);
      default:
        return ignored(`event type ${envelope.type} not handled`);
    }
  }

  async gaveUp(delivery: WebhookDelivery, error: string): Promise<void> {
    if (delivery.eventType !== ENRICH_CONTACT_JOB) return;
    const job = parseJob(delivery.body);
    if (job) await this.deps.enricher.gaveUp(job, error);
  }

  /** Queue enrichment after a stamp; the job id makes a repeat a no-op. */
  static enrichmentJob(connectionId: string, session: Session, ticketId: string): { id: string; connectionId: string; orgId: string; eventType: string; body: string } {
    const job: EnrichmentJob = { sessionId: session.id, ticketId };
    return { id: `enrich:${ticketId}:${session.id}`, connectionId, orgId: session.orgId, eventType: ENRICH_CONTACT_JOB, body: JSON.stringify(job) };
  }

  private async ticketCreated(delivery: WebhookDelivery, ticketId: string, eventChannel: string | null): Promise<DeliveryOutcome> {
    if (isCertainlyNotPhone(eventChannel)) return ignored(`not a phone ticket (channel ${eventChannel})`);
    const { store, correlator } = this.deps;
    // A redelivery after a partial success: the ticket is already on a session; never re-pend it.
    const stamped = await store.sessions.findByTicket(delivery.orgId, ticketId);
    if (stamped) {
      await this.deps.enqueueEnrichment(stamped, ticketId);
      return processed(`ticket ${ticketId} already stamped on session ${stamped.id}`);
    }

    const connection = await this.connection(delivery);
    if (!connection) return { kind: 'failed', error: 'zendesk connection removed' };
    const fetched = await this.deps.clientFactory(connection).getTicket(ticketId);
    if (!fetched.ok) return outcomeFromFailure('fetching the ticket', fetched.failure);
    if (!isPhoneTicket(fetched.value.ticket)) return ignored(`ticket ${ticketId} is not an inbound phone ticket (via ${fetched.value.ticket.via?.channel ?? 'unknown'})`);
    // Before correlating: the stamp queues (and starts) the enrichment job that will take it.
    this.deps.recentTickets?.put(delivery.connectionId, ticketId, fetched.value);

    const outcome = await correlator.correlate(delivery.orgId, ticketId, ticketCallerNumbers(fetched.value));
    switch (outcome.kind) {
      case 'stamped':
        return processed(`ticket ${ticketId} stamped on session ${outcome.sessionId} (${outcome.match.method}, ${outcome.match.candidates} candidate(s))`);
      case 'pending':
        return processed(`ticket ${ticketId} waits for its call until ${new Date(outcome.expiresAt).toISOString()}`);
      case 'no_caller':
        return ignored(`ticket ${ticketId} carries no caller number`);
    }
  }

  private async ticketActivity(delivery: WebhookDelivery, envelope: EventEnvelope, ticketId: string): Promise<DeliveryOutcome> {
    const session = await this.deps.store.sessions.findByTicket(delivery.orgId, ticketId);
    if (!session) return ignored(`ticket ${ticketId} is not stamped on any session`);
    const base = { ticketId, eventId: delivery.id, eventTime: envelope.time ?? null };
    let type: string;
    let data: Record<string, unknown>;
    if (envelope.type === EVENT_TICKET_STATUS_CHANGED) {
      const event = statusChangedSchema.safeParse(envelope.event ?? {});
      type = 'ticket.status_changed';
      data = { ...base, previous: event.success ? (event.data.previous ?? null) : null, current: event.success ? (event.data.current ?? null) : null };
    } else {
      const event = messageAddedSchema.safeParse(envelope.event ?? {});
      const e = event.success ? event.data : {};
      type = 'ticket.message_added';
      data = {
        ...base,
        messageId: e.message?.id ?? null,
        conversationId: e.conversation_id ?? null,
        actorType: e.actor?.type ?? null,
        actorName: e.actor?.name ?? null,
        body: e.message?.body ? e.message.body.slice(0, MESSAGE_PREVIEW_CHARS) : null,
      };
    }
    await this.deps.store.sessions.appendEvent({ sessionId: session.id, at: this.now(), type, data });
    return processed(`${type} recorded on session ${session.id}`);
  }

  private connection(delivery: WebhookDelivery): Promise<ZendeskConnection | null> {
    return this.deps.store.zendesk.getConnection(delivery.connectionId);
  }
}

function parseEnvelope(body: string): EventEnvelope | null {
  try {
    const parsed = eventEnvelopeSchema.safeParse(JSON.parse(body));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function parseJob(body: string): EnrichmentJob | null {
  try {
    const job = JSON.parse(body) as Partial<EnrichmentJob>;
    return typeof job.sessionId === 'string' && typeof job.ticketId === 'string' ? { sessionId: job.sessionId, ticketId: job.ticketId } : null;
  } catch {
    return null;
  }
}
