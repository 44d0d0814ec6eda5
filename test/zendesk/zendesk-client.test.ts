/** The REST client against the stand-in: auth, retries, Retry-After, timeouts, validation, logging. */
import { PassThrough } from 'node:stream';
import { Agent } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { ZendeskClient } from '../../src/zendesk/zendesk-client.js';
import { ZendeskStandin } from '../helpers/zendesk-standin.js';
import type { StandinAccount } from '../helpers/zendesk-standin-account.js';

const TOKEN = 'secret-api-token-0123456789';
let standin: ZendeskStandin;
let account: StandinAccount;
const agent = new Agent();
let logLines: string[] = [];
let sleeps: number[] = [];

function client(overrides: { apiToken?: string; subdomain?: string; timeoutMs?: number; maxAttempts?: number } = {}): ZendeskClient {
  const stream = new PassThrough();
  stream.on('data', (c: Buffer) => logLines.push(...c.toString().split('\n').filter(Boolean)));
  const subdomain = overrides.subdomain ?? 'acme';
  return new ZendeskClient({
    baseUrl: standin.apiBaseUrl.replace('{subdomain}', subdomain),
    credentials: { subdomain, email: 'admin@acme.example', apiToken: overrides.apiToken ?? TOKEN },
    dispatcher: agent,
    logger: createLogger({ level: 'debug', destination: stream }),
    timeoutMs: overrides.timeoutMs ?? 2_000,
    maxAttempts: overrides.maxAttempts ?? 3,
    backoff: { baseMs: 100, maxMs: 1_000 },
    maxRetryAfterMs: 30_000,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 1,
  });
}

beforeAll(async () => {
  standin = await ZendeskStandin.start();
  account = standin.addAccount('acme');
  account.addAgent('admin@acme.example', TOKEN, 'admin', 'Ada Admin');
});
afterEach(() => {
  standin.clearFaults();
  standin.requests.length = 0;
  logLines = [];
  sleeps = [];
});
afterAll(async () => {
  await standin.close();
  await agent.close();
});

describe('ZendeskClient', () => {
  it('authenticates with email/token:apitoken basic auth (zendesk.md §4.6)', async () => {
    const me = await client().getMe();
    expect(me).toMatchObject({ ok: true, value: { name: 'Ada Admin', role: 'admin' } });
    const header = standin.requests[0]!.headers['authorization'] as string;
    expect(Buffer.from(header.replace('Basic ', ''), 'base64').toString()).toBe(`admin@acme.example/token:${TOKEN}`);
  });

  it('returns 401, 403 and 404 as values, not exceptions', async () => {
    expect(await client({ apiToken: 'wrong' }).getMe()).toMatchObject({ ok: false, failure: { kind: 'unauthorized', status: 401 } });
    expect(await client({ subdomain: 'nosuch' }).getMe()).toMatchObject({ ok: false, failure: { kind: 'not_found', status: 404 } });
    standin.fault({ path: '/api/v2/webhooks', status: 403 });
    expect(await client().listWebhooks('x', null)).toMatchObject({ ok: false, failure: { kind: 'forbidden', status: 403 } });
    expect(sleeps).toEqual([]);
  });

  it('waits as long as Retry-After says on 429, then succeeds', async () => {
    standin.fault({ path: '/api/v2/users/me', status: 429, headers: { 'retry-after': '7' }, body: 'Too many requests' });
    const me = await client().getMe();
    expect(me.ok).toBe(true);
    expect(sleeps).toEqual([7_000]);
    expect(standin.requestsTo('GET', '/api/v2/users/me')).toHaveLength(2);
  });

  it('does not wait inline for a Retry-After longer than allowed: returns rate_limited with the wait', async () => {
    standin.fault({ path: '/api/v2/users/me', status: 429, headers: { 'retry-after': '120' } });
    const me = await client().getMe();
    expect(me).toMatchObject({ ok: false, failure: { kind: 'rate_limited', retryAfterMs: 120_000 } });
    expect(sleeps).toEqual([]);
  });

  it('retries 5xx with growing backoff and gives up after maxAttempts', async () => {
    standin.fault({ path: '/api/v2/users/me', status: 500, times: 2 });
    expect((await client().getMe()).ok).toBe(true);
    expect(sleeps).toEqual([100, 200]);

    sleeps = [];
    standin.fault({ path: '/api/v2/users/me', status: 503, times: Infinity });
    const down = await client().getMe();
    expect(down).toMatchObject({ ok: false, failure: { kind: 'unavailable', status: 503 } });
    expect(sleeps).toHaveLength(2);
  });

  it('times out a slow answer and retries it', async () => {
    standin.fault({ path: '/api/v2/users/me', delayMs: 5_000 });
    const me = await client({ timeoutMs: 150 }).getMe();
    expect(me.ok).toBe(true);
    expect(sleeps).toHaveLength(1);
    expect(logLines.some((l) => l.includes('no answer within 150 ms'))).toBe(true);
  });

  it('treats a dropped connection as unavailable', async () => {
    standin.fault({ path: '/api/v2/users/me', hangUp: true, times: Infinity });
    expect(await client({ maxAttempts: 2 }).getMe()).toMatchObject({ ok: false, failure: { kind: 'unavailable', status: null } });
  });

  it('does not retry a webhook create on 5xx (it may have happened), but does on 429', async () => {
    const definition = {
      name: 'x', description: 'd', endpoint: 'https://example.test/h', http_method: 'POST' as const, request_format: 'json' as const,
      status: 'active' as const, subscriptions: ['zen:event-type:ticket.created'],
    };
    standin.fault({ method: 'POST', path: '/api/v2/webhooks', status: 500 });
    expect(await client().createWebhook(definition)).toMatchObject({ ok: false, failure: { kind: 'unavailable' } });
    expect(standin.requestsTo('POST', '/api/v2/webhooks')).toHaveLength(1);
    standin.fault({ method: 'POST', path: '/api/v2/webhooks', status: 429, headers: { 'retry-after': '1' } });
    expect((await client().createWebhook(definition)).ok).toBe(true);
    expect(standin.requestsTo('POST', '/api/v2/webhooks')).toHaveLength(3);
  });

  it('validates responses with zod: an unexpected body is bad_response', async () => {
    standin.fault({ path: '/api/v2/users/me', status: 200, body: JSON.stringify({ nope: true }) });
    expect(await client().getMe()).toMatchObject({ ok: false, failure: { kind: 'bad_response' } });
    standin.fault({ path: '/api/v2/users/me', status: 200, body: '<html>maintenance</html>' });
    expect(await client().getMe()).toMatchObject({ ok: false, failure: { kind: 'bad_response' } });
  });

  it('logs every call with method, path, status and duration, never the token', async () => {
    standin.fault({ path: '/api/v2/users/me', status: 500 });
    await client().getMe();
    const calls = logLines.map((l) => JSON.parse(l) as { msg: string; zendesk?: Record<string, unknown> }).filter((l) => l.msg === 'zendesk api call');
    expect(calls).toHaveLength(2);
    expect(calls[0]!.zendesk).toMatchObject({ method: 'GET', path: '/api/v2/users/me', status: 500, attempt: 1 });
    expect(calls[1]!.zendesk).toMatchObject({ status: 200, attempt: 2 });
    expect(typeof calls[0]!.zendesk!['durationMs']).toBe('number');
    const all = logLines.join('\n');
    expect(all).not.toContain(TOKEN);
    expect(all).not.toContain(Buffer.from(`admin@acme.example/token:${TOKEN}`).toString('base64'));
  });

  it('normalises REST integer ids to strings and side-loads users with the ticket', async () => {
    const { ticket, requester } = account.addInboundCall('+14155551212');
    const result = await client().getTicket(String(ticket.id));
    expect(standin.requests.at(-1)!.query).toEqual({ include: 'users' });
    expect(result).toMatchObject({ ok: true, value: { ticket: { id: String(ticket.id), requester_id: String(requester.id) } } });
    if (result.ok) expect(result.value.users.map((u) => u.id)).toContain(String(requester.id));
  });
});
