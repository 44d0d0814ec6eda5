/** One client per credentials and settings: reused across deliveries, rebuilt when either changes. */
import { Agent } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { createZendeskClientFactory } from '../../src/zendesk/zendesk-client-factory.js';
import { resolveZendeskSettings } from '../../src/zendesk/zendesk-settings.js';

const dispatcher = new Agent();
afterAll(() => dispatcher.close());

describe('Zendesk client factory', () => {
  it('reuses the client for the same credentials and builds a new one when the token or a setting changes', () => {
    const settings = resolveZendeskSettings({ apiBaseUrl: 'http://127.0.0.1:9/{subdomain}' });
    const factory = createZendeskClientFactory({ settings, dispatcher, logger: createLogger({ level: 'silent' }) });
    const credentials = { subdomain: 'acme', email: 'a@acme.test', apiToken: 't1' };
    const first = factory(credentials);
    expect(factory({ ...credentials })).toBe(first);
    expect(factory({ ...credentials, apiToken: 't2' })).not.toBe(first);
    expect(factory({ ...credentials, subdomain: 'other' })).not.toBe(first);
    settings.requestTimeoutMs = 50;
    const shorter = factory(credentials);
    expect(shorter).not.toBe(first);
    expect(factory(credentials)).toBe(shorter);
  });
});
