/** Builds a ZendeskClient per connection from the shared settings, dispatcher and logger. */
import type { Dispatcher } from 'undici';
import type { Logger } from '../logger.js';
import { ZendeskClient, type ZendeskCredentials } from './zendesk-client.js';
import { accountBaseUrl, type ZendeskSettings } from './zendesk-settings.js';

export type ZendeskClientFactory = (credentials: ZendeskCredentials) => ZendeskClient;

export interface ZendeskClientFactoryDeps {
  settings: ZendeskSettings;
  dispatcher: Dispatcher;
  logger: Logger;
  /** Injected in tests to observe backoff without waiting. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** Distinct credentials kept at once; past this the cache starts over (re-saved tokens leave stale keys). */
const MAX_CACHED_CLIENTS = 256;

export function createZendeskClientFactory(deps: ZendeskClientFactoryDeps): ZendeskClientFactory {
  const { settings } = deps;
  // One client per credentials: a client is stateless between calls, and building one (with its
  // child logger) on every delivery and enrichment attempt was per-delivery garbage.
  const clients = new Map<string, ZendeskClient>();
  return (credentials) => {
    // The settings are tunable at run time (tests shorten timeouts): they are part of the key too.
    const { requestTimeoutMs, maxAttempts, maxRetryAfterMs, backoff } = settings;
    const key = [accountBaseUrl(settings, credentials.subdomain), credentials.email, credentials.apiToken, requestTimeoutMs, maxAttempts, maxRetryAfterMs, backoff.baseMs, backoff.maxMs].join('\u0000');
    let client = clients.get(key);
    if (!client) {
      if (clients.size >= MAX_CACHED_CLIENTS) clients.clear();
      client = build(credentials);
      clients.set(key, client);
    }
    return client;
  };

  function build(credentials: ZendeskCredentials): ZendeskClient {
    return new ZendeskClient({
      baseUrl: accountBaseUrl(settings, credentials.subdomain),
      credentials,
      dispatcher: deps.dispatcher,
      logger: deps.logger,
      timeoutMs: settings.requestTimeoutMs,
      maxAttempts: settings.maxAttempts,
      backoff: settings.backoff,
      maxRetryAfterMs: settings.maxRetryAfterMs,
      ...(deps.sleep ? { sleep: deps.sleep } : {}),
      ...(deps.now ? { now: deps.now } : {}),
    });
  }
}
