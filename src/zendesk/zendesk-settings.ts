/**
 * Tunables of the Zendesk integration. main.ts maps the `zendesk` section of the config onto this;
 * every field has a default so tests only set what they exercise.
 */
import type { BackoffPolicy } from './backoff.js';

export interface ZendeskSettings {
  /** Account API base; `{subdomain}` is replaced. Tests point it at the stand-in. */
  apiBaseUrl: string;
  /** This deployment's public base URL; the webhook endpoint is `<publicBaseUrl>/webhooks/zendesk/<connectionId>`. */
  publicBaseUrl: string;
  /** Client: per-attempt timeout, attempts per call, backoff, longest Retry-After waited inline. */
  requestTimeoutMs: number;
  maxAttempts: number;
  backoff: BackoffPolicy;
  maxRetryAfterMs: number;
  /** Webhook timestamps further than this from now (either way) are rejected. */
  signatureWindowMs: number;
  /** How long a phone ticket with no live session waits for the INVITE. */
  pendingTicketWindowMs: number;
  /** Delivery processing: attempts before giving up, backoff between them, polling of due retries. */
  delivery: {
    maxAttempts: number;
    backoff: BackoffPolicy;
    pollIntervalMs: number;
    batchSize: number;
    /** A delivery claimed by one instance is not taken by another for this long. */
    leaseMs: number;
  };
  /** Retention (retention-purger.ts): what is deleted when, and how much per statement. */
  retention: {
    /** Settled deliveries received longer ago than this are deleted (they dedupe redeliveries until then). */
    deliveryRetentionMs: number;
    purgeIntervalMs: number;
    /** Rows deleted per statement at most; the purger yields to the event loop between batches. */
    purgeBatchSize: number;
  };
}

export const DEFAULT_ZENDESK_SETTINGS: ZendeskSettings = {
  apiBaseUrl: 'https://{subdomain}.zendesk.com',
  publicBaseUrl: 'http://127.0.0.1:8080',
  requestTimeoutMs: 10_000,
  maxAttempts: 3,
  backoff: { baseMs: 250, maxMs: 5_000 },
  maxRetryAfterMs: 30_000,
  signatureWindowMs: 5 * 60_000,
  pendingTicketWindowMs: 60_000,
  delivery: {
    maxAttempts: 8,
    backoff: { baseMs: 1_000, maxMs: 5 * 60_000 },
    pollIntervalMs: 1_000,
    batchSize: 50,
    leaseMs: 60_000,
  },
  retention: {
    deliveryRetentionMs: 72 * 3_600_000,
    purgeIntervalMs: 15 * 60_000,
    purgeBatchSize: 500,
  },
};

export type ZendeskSettingsInput = Partial<Omit<ZendeskSettings, 'delivery' | 'retention'>> & {
  delivery?: Partial<ZendeskSettings['delivery']>;
  retention?: Partial<ZendeskSettings['retention']>;
};

export function resolveZendeskSettings(input: ZendeskSettingsInput = {}): ZendeskSettings {
  return {
    ...DEFAULT_ZENDESK_SETTINGS,
    ...input,
    delivery: { ...DEFAULT_ZENDESK_SETTINGS.delivery, ...input.delivery },
    retention: { ...DEFAULT_ZENDESK_SETTINGS.retention, ...input.retention },
  };
}

export function accountBaseUrl(settings: Pick<ZendeskSettings, 'apiBaseUrl'>, subdomain: string): string {
  return settings.apiBaseUrl.replaceAll('{subdomain}', subdomain);
}

export function webhookEndpoint(settings: Pick<ZendeskSettings, 'publicBaseUrl'>, connectionId: string): string {
  return `${settings.publicBaseUrl.replace(/\/+$/, '')}/webhooks/zendesk/${encodeURIComponent(connectionId)}`;
}

/** The `zendesk` and `http` config sections (src/config) mapped onto the settings. */
export function zendeskSettingsFromConfig(config: {
  http: { publicBaseUrl: string };
  zendesk: {
    signatureWindowSeconds: number;
    ticketMatchWindowSeconds: number;
    requestTimeoutMs: number;
    retry: { maxAttempts: number; baseDelayMs: number; maxDelayMs: number };
    deliveryRetentionHours: number;
    purgeIntervalMinutes: number;
    apiBaseUrl?: string | undefined;
  };
}): ZendeskSettings {
  const z = config.zendesk;
  return resolveZendeskSettings({
    ...(z.apiBaseUrl ? { apiBaseUrl: z.apiBaseUrl } : {}),
    publicBaseUrl: config.http.publicBaseUrl,
    requestTimeoutMs: z.requestTimeoutMs,
    signatureWindowMs: z.signatureWindowSeconds * 1000,
    pendingTicketWindowMs: z.ticketMatchWindowSeconds * 1000,
    // `retry` governs the durable retries of deliveries; inline client retries keep their defaults.
    delivery: { maxAttempts: z.retry.maxAttempts, backoff: { baseMs: z.retry.baseDelayMs, maxMs: z.retry.maxDelayMs } },
    retention: { deliveryRetentionMs: Math.round(z.deliveryRetentionHours * 3_600_000), purgeIntervalMs: Math.round(z.purgeIntervalMinutes * 60_000) },
  });
}
