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

export function createZendeskClientFactory(deps: ZendeskClientFactoryDeps): ZendeskClientFactory {
  const { settings } = deps;
  return (credentials) =>
    new ZendeskClient({
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
