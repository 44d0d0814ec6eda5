/**
 * The Zendesk integration assembled from its parts, for the composition root (main.ts) and the
 * tests: connection service (HTTP + CLI), webhook receiver, delivery processor and worker,
 * correlator, enricher, retention purger. Nothing runs until `start()`: it begins polling
 * deliveries, purging what retention allows, and listens for session openings; `stop()` undoes
 * all three and waits for work in progress.
 */
import type { Registry } from 'prom-client';
import type { Dispatcher } from 'undici';
import type { Logger } from '../logger.js';
import { regionOf } from '../phone/index.js';
import type { SessionEvents } from '../sessions/session-events.js';
import type { Session } from '../sessions/session.js';
import type { Store } from '../store/store.js';
import { ContactEnricher } from './contact-enricher.js';
import { DeliveryProcessor } from './delivery-processor.js';
import { DeliveryWorker } from './delivery-worker.js';
import { RecentTickets } from './recent-tickets.js';
import { RetentionPurger } from './retention-purger.js';
import { TicketCorrelator } from './ticket-correlator.js';
import type { Timers } from './timers.js';
import { WebhookReceiver } from './webhook-receiver.js';
import { createZendeskClientFactory, type ZendeskClientFactory } from './zendesk-client-factory.js';
import { ZendeskConnectionService } from './zendesk-connection-service.js';
import type { ZendeskSettings } from './zendesk-settings.js';

export interface ZendeskIntegrationDeps {
  store: Store;
  events: SessionEvents;
  settings: ZendeskSettings;
  /** undici dispatcher for Zendesk API calls (an Agent in production; tests point it at the stand-in). */
  dispatcher: Dispatcher;
  logger: Logger;
  /** The organisation's own numbers give the region for national-form ticket numbers. */
  organisationNumbers?: (orgId: string) => readonly string[];
  now?: () => number;
  /** Client backoff sleeps (tests observe Retry-After without waiting). */
  sleep?: (ms: number) => Promise<void>;
  timers?: Timers;
  random?: () => number;
  /** Prometheus registry for the integration's metrics (retention purge counts). */
  metrics?: Registry;
}

export interface ZendeskIntegration {
  connections: ZendeskConnectionService;
  receiver: WebhookReceiver;
  worker: DeliveryWorker;
  purger: RetentionPurger;
  processor: DeliveryProcessor;
  correlator: TicketCorrelator;
  enricher: ContactEnricher;
  clientFactory: ZendeskClientFactory;
  start(): void;
  stop(): Promise<void>;
}

export function createZendeskIntegration(deps: ZendeskIntegrationDeps): ZendeskIntegration {
  const { store, settings, logger } = deps;
  const now = deps.now ?? Date.now;
  // Asked on every correlation and enrichment; parsing the number each time is libphonenumber work.
  const regions = new Map<string, string | null>();
  const defaultRegion = (orgId: string): string | null => {
    const first = deps.organisationNumbers?.(orgId)[0];
    if (!first) return null;
    let region = regions.get(first);
    if (region === undefined) {
      region = regionOf(first);
      regions.set(first, region);
    }
    return region;
  };
  const clientFactory = createZendeskClientFactory({
    settings,
    dispatcher: deps.dispatcher,
    logger,
    now,
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
  });

  // The worker is created below; these closures run only once deliveries flow.
  const enqueueEnrichment = async (session: Session, ticketId: string): Promise<void> => {
    const connection = await store.zendesk.getConnectionByOrg(session.orgId);
    if (!connection) return;
    await worker.enqueue(DeliveryProcessor.enrichmentJob(connection.id, session, ticketId));
  };
  const correlator = new TicketCorrelator({
    store,
    events: deps.events,
    pendingTicketWindowMs: settings.pendingTicketWindowMs,
    onStamped: (session, match) => enqueueEnrichment(session, match.ticketId),
    defaultRegion,
    logger,
    now,
  });
  const enricher = new ContactEnricher({ store, defaultRegion, logger, now });
  const recentTickets = new RecentTickets({ now });
  const processor = new DeliveryProcessor({ store, clientFactory, correlator, enricher, recentTickets, enqueueEnrichment, logger, now });
  const worker = new DeliveryWorker({
    store,
    handler: processor,
    settings: settings.delivery,
    logger,
    now,
    ...(deps.timers ? { timers: deps.timers } : {}),
    ...(deps.random ? { random: deps.random } : {}),
  });
  const purger = new RetentionPurger({
    store,
    settings: settings.retention,
    logger,
    now,
    ...(deps.timers ? { timers: deps.timers } : {}),
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
  });
  const receiver = new WebhookReceiver({
    store: store.zendesk,
    onRecorded: (delivery, envelope) => {
      processor.rememberEnvelope(delivery, envelope);
      worker.kick(delivery);
    },
    signatureWindowMs: settings.signatureWindowMs,
    logger,
    now,
  });
  const connections = new ZendeskConnectionService({ store: store.zendesk, clientFactory, settings, logger, now });

  let detach: (() => void) | null = null;
  return {
    connections,
    receiver,
    worker,
    purger,
    processor,
    correlator,
    enricher,
    clientFactory,
    start(): void {
      detach ??= correlator.attach(deps.events);
      worker.start();
      purger.start();
    },
    async stop(): Promise<void> {
      detach?.();
      detach = null;
      await Promise.all([worker.stop(), purger.close()]);
    },
  };
}
