/**
 * PUT/GET/DELETE /v1/integrations/zendesk against the stand-in (seed "Step 1"): credentials checked
 * first, exactly one webhook upserted, re-saving changes nothing else in the account.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ZendeskHarness } from '../helpers/zendesk-harness.js';
import { StandinAccount } from '../helpers/zendesk-standin-account.js';

const SUBSCRIPTIONS = [
  'zen:event-type:messaging_ticket.message_added',
  'zen:event-type:ticket.status_changed',
  'zen:event-type:ticket.created',
];

let h: ZendeskHarness;
beforeEach(async () => {
  h = await ZendeskHarness.start();
});
afterEach(async () => {
  await h.close();
});

function snapshot(account: StandinAccount): unknown {
  return [...account.webhooks.values()].map((w) => ({ ...w }));
}

describe('connecting Zendesk', () => {
  it('creates exactly one event-subscription webhook pointing at our receiver and stores its signing secret', async () => {
    const view = await h.connect();
    const webhook = h.ourWebhook();
    expect(webhook).toMatchObject({
      name: 'opencx-messaging-ticket-link',
      endpoint: `${h.baseUrl}/webhooks/zendesk/${view.connectionId}`,
      http_method: 'POST',
      request_format: 'json',
      status: 'active',
    });
    expect([...webhook.subscriptions].sort()).toEqual([...SUBSCRIPTIONS].sort());
    expect(view).toMatchObject({ webhookAction: 'created', webhookId: webhook.id, state: 'connected', subdomain: 'acme', signingSecretStored: true });
    // Credentials were checked before anything was written.
    expect(h.standin.requests[0]).toMatchObject({ method: 'GET', path: '/api/v2/users/me' });
    expect(h.standin.requestsTo('GET', `/api/v2/webhooks/${webhook.id}/signing_secret`)).toHaveLength(1);
    const stored = await h.store.zendesk.getConnectionByOrg('org-a');
    expect(stored?.signingSecret).toBe(webhook.signingSecret);
    expect(stored?.apiToken).toBe(h.admin.token);
  });

  it('is idempotent: saving twice leaves one webhook and touches no foreign webhook, similar names included', async () => {
    const foreign = [
      h.account.addWebhook({ name: 'Slack notifier', endpoint: 'https://hooks.example/slack' }),
      h.account.addWebhook({ name: 'opencx-messaging-ticket-link-staging', endpoint: 'https://staging.example/wh', subscriptions: ['zen:event-type:ticket.created'] }),
      h.account.addWebhook({ name: 'old opencx-messaging-ticket-link', endpoint: 'https://old.example/wh' }),
      h.account.addWebhook({ name: 'OPENCX-MESSAGING-TICKET-LINK', endpoint: 'https://upper.example/wh' }),
    ];
    h.account.triggers.push({ id: 1, title: 'Notify requester', actions: [] });
    const foreignBefore = foreign.map((w) => ({ ...w }));

    const first = await h.connect();
    const afterFirst = snapshot(h.account);
    const second = await h.connect();

    expect(first.webhookAction).toBe('created');
    expect(second.webhookAction).toBe('unchanged');
    expect(second.connectionId).toBe(first.connectionId);
    expect(h.account.webhooksNamed('opencx-messaging-ticket-link')).toHaveLength(1);
    expect(snapshot(h.account)).toEqual(afterFirst);
    for (const before of foreignBefore) expect(h.account.webhooks.get(before.id)).toEqual(before);
    // Only our own webhook was ever written; triggers never touched.
    const writes = h.standin.requests.filter((r) => r.method !== 'GET');
    expect(writes.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /api/v2/webhooks']);
    expect(h.standin.requests.some((r) => r.path.includes('trigger'))).toBe(false);
    expect(h.account.triggers).toEqual([{ id: 1, title: 'Notify requester', actions: [] }]);
  });

  it('repairs our webhook when it was edited in Admin Center (PUT with the full definition)', async () => {
    await h.connect();
    const webhook = h.ourWebhook();
    webhook.status = 'inactive';
    webhook.subscriptions = ['zen:event-type:ticket.created'];
    const again = await h.connect();
    expect(again.webhookAction).toBe('updated');
    expect(h.ourWebhook()).toMatchObject({ id: webhook.id, status: 'active' });
    expect([...h.ourWebhook().subscriptions].sort()).toEqual([...SUBSCRIPTIONS].sort());
    expect(h.standin.requestsTo('PUT', `/api/v2/webhooks/${webhook.id}`)).toHaveLength(1);
  });

  it('keeps one webhook when exact-name duplicates exist (endpoint moved): ours kept, others deleted', async () => {
    const stale = h.account.addWebhook({ name: 'opencx-messaging-ticket-link', endpoint: 'https://moved.example/old', subscriptions: SUBSCRIPTIONS });
    const view = await h.connect();
    expect(view.webhookAction).toBe('updated');
    expect(h.ourWebhook().id).toBe(stale.id);
    expect(h.ourWebhook().endpoint).toBe(view.webhookEndpoint);

    h.account.addWebhook({ name: 'opencx-messaging-ticket-link', endpoint: 'https://moved.example/other', subscriptions: SUBSCRIPTIONS });
    const again = await h.connect();
    expect(again.webhookAction).toBe('unchanged');
    expect(h.ourWebhook().id).toBe(stale.id);
  });

  it('finds our webhook beyond the first page of the name filter', async () => {
    for (let i = 0; i < 150; i += 1) h.account.addWebhook({ name: `opencx-messaging-ticket-link-${i}`, endpoint: `https://x.example/${i}` });
    await h.connect();
    await h.connect();
    expect(h.account.webhooksNamed('opencx-messaging-ticket-link')).toHaveLength(1);
    expect(h.account.webhooks.size).toBe(151);
    expect(h.standin.requestsTo('GET', '/api/v2/webhooks').some((r) => r.query['page[after]'] !== undefined)).toBe(true);
  });

  it.each([
    ['an unknown subdomain', { subdomain: 'nosuch' }, 'ZD_ERR_NOT_FOUND', /no Zendesk account at subdomain "nosuch"/],
    ['a wrong API token', { apiToken: 'nope' }, 'ZD_ERR_UNAUTHORIZED', /rejected the email or API token/],
    ['an unknown email', { email: 'who@acme.example' }, 'ZD_ERR_UNAUTHORIZED', /rejected the email or API token/],
  ])('refuses %s with a 422 problem naming it, and writes nothing', async (_what, override, code, detail) => {
    const answer = await h.api('PUT', '/v1/integrations/zendesk', { subdomain: 'acme', email: h.admin.email, apiToken: h.admin.token, ...override });
    expect(answer.status).toBe(422);
    expect(answer.json).toMatchObject({ code, status: 422 });
    expect(String(answer.json['detail'])).toMatch(detail);
    expect(h.account.webhooks.size).toBe(0);
    expect(await h.store.zendesk.getConnectionByOrg('org-a')).toBeNull();
  });

  it('refuses an end user (not an agent) and an agent who may not manage webhooks', async () => {
    h.account.addAgent('enduser@acme.example', 'tok-end', 'end-user');
    const endUser = await h.api('PUT', '/v1/integrations/zendesk', { subdomain: 'acme', email: 'enduser@acme.example', apiToken: 'tok-end' });
    expect(endUser.status).toBe(422);
    expect(endUser.json).toMatchObject({ code: 'ZD_ERR_FORBIDDEN' });
    expect(String(endUser.json['detail'])).toMatch(/not an agent/);

    h.account.addAgent('agent@acme.example', 'tok-agent', 'agent');
    h.standin.fault({ path: '/api/v2/webhooks', status: 403 });
    const agent = await h.api('PUT', '/v1/integrations/zendesk', { subdomain: 'acme', email: 'agent@acme.example', apiToken: 'tok-agent' });
    expect(agent.status).toBe(422);
    expect(agent.json).toMatchObject({ code: 'ZD_ERR_FORBIDDEN' });
    expect(String(agent.json['detail'])).toMatch(/admin is needed/);
  });

  it('answers 502 when Zendesk is down while provisioning, and records the error on an existing connection', async () => {
    await h.connect();
    h.standin.fault({ path: /^\/api\/v2\/webhooks/, status: 500, times: Infinity });
    const answer = await h.api('PUT', '/v1/integrations/zendesk', { subdomain: 'acme', email: h.admin.email, apiToken: h.admin.token });
    expect(answer.status).toBe(502);
    expect(answer.json).toMatchObject({ code: 'ZD_ERR_UNAVAILABLE' });
    const shown = await h.api('GET', '/v1/integrations/zendesk');
    expect(shown.json).toMatchObject({ state: 'error' });
  });

  it('validates the body (400 with the failing fields) and needs the organisation key (401)', async () => {
    const bad = await h.api('PUT', '/v1/integrations/zendesk', { subdomain: 'not a subdomain!', email: 'nope', apiToken: '' });
    expect(bad.status).toBe(400);
    expect((bad.json['errors'] as { path: string }[]).map((e) => e.path).sort()).toEqual(['body.apiToken', 'body.email', 'body.subdomain']);
    const anon = await h.api('PUT', '/v1/integrations/zendesk', { subdomain: 'acme', email: h.admin.email, apiToken: h.admin.token }, 'wrong-key');
    expect(anon.status).toBe(401);
    expect(h.standin.requests).toHaveLength(0);
  });

  it('moving to another Zendesk account removes our webhook from the previous one', async () => {
    const beta = h.standin.addAccount('beta');
    beta.addAgent(h.admin.email, h.admin.token, 'admin');
    const first = await h.connect();
    const moved = await h.api('PUT', '/v1/integrations/zendesk', { subdomain: 'beta', email: h.admin.email, apiToken: h.admin.token });
    expect(moved.status).toBe(200);
    expect(moved.json).toMatchObject({ subdomain: 'beta', connectionId: first.connectionId, webhookAction: 'created' });
    expect(h.account.webhooksNamed('opencx-messaging-ticket-link')).toHaveLength(0);
    expect(beta.webhooksNamed('opencx-messaging-ticket-link')).toHaveLength(1);
  });

  it('accepts the subdomain written as a host or URL', async () => {
    const answer = await h.api('PUT', '/v1/integrations/zendesk', { subdomain: 'https://ACME.zendesk.com/', email: h.admin.email, apiToken: h.admin.token });
    expect(answer.status).toBe(200);
    expect(answer.json['subdomain']).toBe('acme');
  });
});

describe('showing and disconnecting', () => {
  it('GET shows the connection without the API token or signing secret; another organisation sees nothing', async () => {
    const view = await h.connect();
    const shown = await h.api('GET', '/v1/integrations/zendesk');
    expect(shown.status).toBe(200);
    expect(shown.json).toMatchObject({ connectionId: view.connectionId, subdomain: 'acme', email: h.admin.email, webhookId: h.ourWebhook().id, signingSecretStored: true });
    const text = JSON.stringify(shown.json);
    expect(text).not.toContain(h.admin.token);
    expect(text).not.toContain(h.ourWebhook().signingSecret);
    expect((await h.api('GET', '/v1/integrations/zendesk', undefined, h.otherApiKey)).status).toBe(404);
  });

  it('DELETE removes our webhook only, then the connection', async () => {
    const foreign = h.account.addWebhook({ name: 'opencx-messaging-ticket-link-staging', endpoint: 'https://staging.example/wh' });
    await h.connect();
    const id = h.ourWebhook().id;
    const answer = await h.api('DELETE', '/v1/integrations/zendesk');
    expect(answer).toMatchObject({ status: 200, json: { disconnected: true, webhookRemoved: true, removedWebhookIds: [id] } });
    expect(h.account.webhooksNamed('opencx-messaging-ticket-link')).toHaveLength(0);
    expect(h.account.webhooks.get(foreign.id)).toBeDefined();
    expect((await h.api('GET', '/v1/integrations/zendesk')).status).toBe(404);
    expect((await h.api('DELETE', '/v1/integrations/zendesk')).status).toBe(404);
  });

  it('DELETE keeps the connection when Zendesk refuses, unless forced', async () => {
    await h.connect();
    h.standin.fault({ path: /^\/api\/v2\/webhooks/, status: 500, times: Infinity });
    expect((await h.api('DELETE', '/v1/integrations/zendesk')).status).toBe(502);
    expect((await h.api('GET', '/v1/integrations/zendesk')).status).toBe(200);
    const forced = await h.api('DELETE', '/v1/integrations/zendesk?force=true');
    expect(forced).toMatchObject({ status: 200, json: { disconnected: true, webhookRemoved: false } });
    expect((await h.api('GET', '/v1/integrations/zendesk')).status).toBe(404);
  });
});
