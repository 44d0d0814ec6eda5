/**
 * Everything a Zendesk integration test needs, wired as main.ts wires it: a real store (SQLite in a
 * temp dir, or Redis), the Zendesk stand-in with one account and an admin, the integration, and the
 * real HTTP server (fastify base + our routes) on 127.0.0.1 with a free port. `close()` releases all.
 */
import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { Agent, request } from 'undici';
import { buildConfig, hashApiKey, TenantDirectory } from '../../src/config/index.js';
import { createHttpServer } from '../../src/http/index.js';
import { zendeskRoutes } from '../../src/http/routes/zendesk-routes.js';
import { createLogger } from '../../src/logger.js';
import { SessionEvents } from '../../src/sessions/session-events.js';
import type { Session } from '../../src/sessions/session.js';
import { newId, openRedisStore, openSqliteStore, type Store, type WebhookDelivery } from '../../src/store/index.js';
import type { DeliveryOutcome } from '../../src/zendesk/delivery-outcome.js';
import { createZendeskIntegration, type ZendeskIntegration } from '../../src/zendesk/zendesk-integration.js';
import { resolveZendeskSettings, type ZendeskSettings, type ZendeskSettingsInput } from '../../src/zendesk/zendesk-settings.js';
import type { ConnectionView } from '../../src/zendesk/zendesk-connection-service.js';
import { makeTempDir } from './temp-dir.js';
import type { StandinAccount, StandinWebhook } from './zendesk-standin-account.js';
import { ZendeskStandin } from './zendesk-standin.js';

export const ORG_ID = 'org-a';
export const OTHER_ORG_ID = 'org-b';
export const LINE_NUMBER = '+14155550000';
export const CALLER = '+14155551212';

/** A clock tests move by hand; starts at the real time so signature timestamps line up. */
export class FakeClock {
  private t = Date.now();
  now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

export interface HarnessOptions {
  store?: 'sqlite' | { redisUrl: string };
  settings?: ZendeskSettingsInput;
  /** Client backoff sleep (default: record and resolve at once). */
  sleep?: (ms: number) => Promise<void>;
}

export interface ApiAnswer {
  status: number;
  json: Record<string, unknown>;
}

export class ZendeskHarness {
  readonly clock = new FakeClock();
  readonly sleeps: number[] = [];
  readonly logLines: string[] = [];
  readonly settled: { delivery: WebhookDelivery; outcome: DeliveryOutcome; final: boolean }[] = [];
  readonly apiKey = `tbk_${randomUUID()}`;
  readonly otherApiKey = `tbk_${randomUUID()}`;
  readonly admin = { email: 'admin@acme.example', token: `zdtoken-${randomUUID()}` };
  standin!: ZendeskStandin;
  account!: StandinAccount;
  store!: Store;
  events!: SessionEvents;
  settings!: ZendeskSettings;
  integration!: ZendeskIntegration;
  app!: FastifyInstance;
  baseUrl!: string;
  private readonly client = new Agent({ keepAliveTimeout: 1_000 });
  private tmp: { path: string; remove: () => void } | null = null;

  static async start(options: HarnessOptions = {}): Promise<ZendeskHarness> {
    const h = new ZendeskHarness();
    await h.init(options);
    return h;
  }

  private async init(options: HarnessOptions): Promise<void> {
    this.standin = await ZendeskStandin.start();
    this.account = this.standin.addAccount('acme');
    this.account.addAgent(this.admin.email, this.admin.token, 'admin');

    if (options.store && options.store !== 'sqlite') {
      this.store = await openRedisStore(options.store.redisUrl, { secretKey: Buffer.alloc(32, 7), keyPrefix: `t${randomUUID().slice(0, 8)}:` });
    } else {
      this.tmp = makeTempDir('talkbridge-zd-');
      this.store = await openSqliteStore(this.tmp.path, { secretKey: Buffer.alloc(32, 7) });
    }

    const logStream = new PassThrough();
    logStream.on('data', (chunk: Buffer) => this.logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
    const logger = createLogger({ level: 'debug', destination: logStream });

    const config = buildConfig({
      organisations: [
        {
          id: ORG_ID,
          name: 'Acme',
          apiKeys: [hashApiKey(this.apiKey)],
          numbers: [{ number: LINE_NUMBER, agent: 'agent-1' }],
          agents: [{ id: 'agent-1', sipUri: 'sip:agent@127.0.0.1:5070' }],
        },
        { id: OTHER_ORG_ID, name: 'Other', apiKeys: [hashApiKey(this.otherApiKey)] },
      ],
    });
    const tenants = new TenantDirectory(config);
    // publicBaseUrl is set once the server listens (the object is shared by reference).
    this.settings = resolveZendeskSettings({ apiBaseUrl: this.standin.apiBaseUrl, requestTimeoutMs: 2_000, ...options.settings });
    this.events = new SessionEvents();
    this.integration = createZendeskIntegration({
      store: this.store,
      events: this.events,
      settings: this.settings,
      dispatcher: this.client,
      logger,
      organisationNumbers: (orgId) => tenants.organisation(orgId)?.numbers.map((n) => n.number) ?? [],
      now: this.clock.now,
      random: () => 0.5,
      sleep:
        options.sleep ??
        (async (ms) => {
          this.sleeps.push(ms);
        }),
    });
    this.integration.worker.onSettled((delivery, outcome, final) => this.settled.push({ delivery, outcome, final }));
    this.integration.correlator.attach(this.events);

    this.app = await createHttpServer({ config, tenants, logger, metrics: new Registry(), plugins: zendeskRoutes(this.integration) });
    this.baseUrl = await this.app.listen({ host: '127.0.0.1', port: 0 });
    this.settings.publicBaseUrl = this.baseUrl;
  }

  async api(method: 'GET' | 'PUT' | 'DELETE' | 'POST', path: string, body?: unknown, apiKey = this.apiKey): Promise<ApiAnswer> {
    const response = await request(`${this.baseUrl}${path}`, {
      method,
      dispatcher: this.client,
      headers: { authorization: `Bearer ${apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.body.text();
    return { status: response.statusCode, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  /** Connect through the HTTP API with the admin's credentials; fails the test unless 200. */
  async connect(): Promise<ConnectionView & { webhookAction: string }> {
    const answer = await this.api('PUT', '/v1/integrations/zendesk', { subdomain: 'acme', email: this.admin.email, apiToken: this.admin.token });
    if (answer.status !== 200) throw new Error(`connect failed: ${answer.status} ${JSON.stringify(answer.json)}`);
    return answer.json as unknown as ConnectionView & { webhookAction: string };
  }

  /** Our webhook in the stand-in account. */
  ourWebhook(): StandinWebhook {
    const ours = this.account.webhooksNamed('opencx-messaging-ticket-link');
    if (ours.length !== 1) throw new Error(`expected one webhook of ours, found ${ours.length}`);
    return ours[0]!;
  }

  /** What call control does on an INVITE: store the session, then report it opened. */
  async openSession(fields: Partial<Session> = {}): Promise<Session> {
    const now = fields.createdAt ?? this.clock.now();
    const session: Session = {
      id: newId('ses', now),
      orgId: ORG_ID,
      agentId: 'agent-1',
      dialledNumber: LINE_NUMBER,
      callerPhone: CALLER,
      callerNational: CALLER.slice(2),
      anonymous: false,
      callId: `${randomUUID()}@carrier`,
      state: 'live',
      endReason: null,
      contactId: null,
      ticketId: null,
      ticketMatch: null,
      instanceId: 'test-1',
      createdAt: now,
      answeredAt: now,
      endedAt: null,
      updatedAt: now,
      ...fields,
    };
    await this.store.sessions.create(session);
    await this.events.opened(session);
    return session;
  }

  /** Wait until no delivery or job is being processed. */
  idle(): Promise<void> {
    return this.integration.worker.idle();
  }

  async close(): Promise<void> {
    await this.integration.stop();
    await this.app.close();
    await this.standin.close();
    await this.client.close();
    await this.store.close();
    this.tmp?.remove();
  }
}
