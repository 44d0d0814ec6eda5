/** The processor decodes a delivery once: the receiver's envelope is used for the object it recorded. */
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import type { Store, WebhookDelivery } from '../../src/store/store.js';
import type { ContactEnricher } from '../../src/zendesk/contact-enricher.js';
import { DeliveryProcessor } from '../../src/zendesk/delivery-processor.js';
import type { TicketCorrelator } from '../../src/zendesk/ticket-correlator.js';
import { EVENT_TICKET_STATUS_CHANGED } from '../../src/zendesk/webhook-provisioner.js';
import type { ZendeskClientFactory } from '../../src/zendesk/zendesk-client-factory.js';

function processor(): DeliveryProcessor {
  const store = { sessions: { findByTicket: async () => null }, zendesk: {} } as unknown as Pick<Store, 'sessions' | 'zendesk'>;
  return new DeliveryProcessor({
    store,
    clientFactory: (() => {
      throw new Error('no client needed');
    }) as ZendeskClientFactory,
    correlator: {} as TicketCorrelator,
    enricher: {} as ContactEnricher,
    enqueueEnrichment: async () => undefined,
    logger: createLogger({ level: 'silent' }),
  });
}

function delivery(body: string): WebhookDelivery {
  return {
    id: 'evt-1', connectionId: 'zdc_1', orgId: 'org-a', eventType: EVENT_TICKET_STATUS_CHANGED, receivedAt: 1, body,
    status: 'pending', attempts: 0, nextAttemptAt: null, lastError: null, processedAt: null,
  };
}

describe('DeliveryProcessor decoding', () => {
  it('uses the envelope the receiver decoded for the delivery it recorded', async () => {
    const p = processor();
    // The stored body is not read again: even an unreadable one does not matter for this object.
    const recorded = delivery('not json');
    p.rememberEnvelope(recorded, { type: EVENT_TICKET_STATUS_CHANGED, subject: 'zen:ticket:42' });
    expect(await p.handle(recorded)).toEqual({ kind: 'ignored', reason: 'ticket 42 is not stamped on any session' });
  });

  it('parses the recorded body for a delivery read back from the store', async () => {
    const p = processor();
    expect(await p.handle(delivery('not json'))).toEqual({ kind: 'failed', error: 'recorded body is not a Zendesk event' });
    const body = JSON.stringify({ type: EVENT_TICKET_STATUS_CHANGED, id: 'evt-1', subject: 'zen:ticket:7' });
    expect(await p.handle(delivery(body))).toEqual({ kind: 'ignored', reason: 'ticket 7 is not stamped on any session' });
  });
});
