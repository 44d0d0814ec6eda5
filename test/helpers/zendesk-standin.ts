/**
 * A local Zendesk API stand-in built from ../shared/ref/zendesk.md: a real HTTP server on 127.0.0.1
 * serving users/me, webhooks CRUD with the signing-secret endpoint, tickets (with `include=users`),
 * users and organizations, for several accounts addressed by path (`/<subdomain>/api/v2/...`, so the
 * client's base URL template is `http://127.0.0.1:<port>/{subdomain}`). It records every request,
 * can be told to answer 401/404/429 (Retry-After)/500, slowly, or by hanging up, and it sends event
 * deliveries to webhook endpoints signed exactly as Zendesk signs them.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomInt } from 'node:crypto';
import { Agent, request } from 'undici';
import { StandinAccount, type StandinWebhook } from './zendesk-standin-account.js';
import { signatureTimestamp, zendeskSignature, type ZendeskEvent } from './zendesk-events.js';

export interface RecordedRequest {
  subdomain: string;
  method: string;
  /** Path below the account, e.g. `/api/v2/webhooks/01H…`. */
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface Fault {
  method?: string;
  /** Matches the account path (`/api/v2/...`); a string must be equal, a RegExp must match. */
  path?: string | RegExp;
  /** How many requests it applies to (default 1; Infinity for "down"). */
  times?: number;
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Answer only after this long (then `status`, or the normal answer when no status is set). */
  delayMs?: number;
  /** Destroy the socket instead of answering. */
  hangUp?: boolean;
}

export interface DeliveryOptions {
  /** Sign with this secret instead of the webhook's own. */
  secret?: string;
  /** Signature timestamp (default now). */
  at?: Date;
  /** Change the body after signing (tampering). */
  tamper?: (body: string) => string;
  invocationId?: string;
  /** Send this exact body instead of JSON.stringify(event). */
  rawBody?: string;
}

export interface DeliveryResult {
  webhookId: string;
  status: number;
  body: string;
}

interface ActiveFault extends Fault {
  remaining: number;
}

export class ZendeskStandin {
  readonly requests: RecordedRequest[] = [];
  private readonly accounts = new Map<string, StandinAccount>();
  private readonly faults: ActiveFault[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly agent = new Agent({ keepAliveTimeout: 1_000 });
  private constructor(private readonly server: Server, readonly url: string) {}

  static async start(): Promise<ZendeskStandin> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const standin = new ZendeskStandin(server, `http://127.0.0.1:${port}`);
    server.on('connection', (socket) => {
      standin.sockets.add(socket);
      socket.on('close', () => standin.sockets.delete(socket));
    });
    server.on('request', (req, res) => void standin.handle(req, res));
    return standin;
  }

  /** Base URL template for the client (`{subdomain}` replaced by it). */
  get apiBaseUrl(): string {
    return `${this.url}/{subdomain}`;
  }

  addAccount(subdomain: string): StandinAccount {
    const account = new StandinAccount(subdomain, randomInt(10_000_000, 99_999_999));
    this.accounts.set(subdomain, account);
    return account;
  }

  account(subdomain: string): StandinAccount {
    const account = this.accounts.get(subdomain);
    if (!account) throw new Error(`no stand-in account ${subdomain}`);
    return account;
  }

  fault(fault: Fault): void {
    this.faults.push({ ...fault, remaining: fault.times ?? 1 });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  requestsTo(method: string, path: string | RegExp): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path)));
  }

  /** Send one event to one webhook, signed as Zendesk does (zendesk.md §2.2, §2.3). */
  async deliver(account: StandinAccount, webhook: StandinWebhook, event: ZendeskEvent, options: DeliveryOptions = {}): Promise<DeliveryResult> {
    const timestamp = signatureTimestamp(options.at ?? new Date());
    const signedBody = options.rawBody ?? JSON.stringify(event);
    const signature = zendeskSignature(options.secret ?? webhook.signingSecret, timestamp, signedBody);
    const sentBody = options.tamper ? options.tamper(signedBody) : signedBody;
    const response = await request(webhook.endpoint, {
      method: 'POST',
      dispatcher: this.agent,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Zendesk Webhook',
        'x-zendesk-account-id': String(account.accountId),
        'x-zendesk-webhook-id': webhook.id,
        'x-zendesk-webhook-invocation-id': options.invocationId ?? String(randomInt(1_000_000_000, 9_999_999_999)),
        'x-zendesk-webhook-signature': signature,
        'x-zendesk-webhook-signature-timestamp': timestamp,
      },
      body: sentBody,
    });
    return { webhookId: webhook.id, status: response.statusCode, body: await response.body.text() };
  }

  /** What Zendesk does when an event happens: deliver it to every active webhook subscribed to its type. */
  async emit(account: StandinAccount, event: ZendeskEvent, options: DeliveryOptions = {}): Promise<DeliveryResult[]> {
    const targets = [...account.webhooks.values()].filter((w) => w.status === 'active' && w.subscriptions.includes(event.type));
    return Promise.all(targets.map((w) => this.deliver(account, w, event, options)));
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.agent.close();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', this.url);
    const [, subdomain = '', ...rest] = url.pathname.split('/');
    const path = `/${rest.join('/')}`.replace(/\.json$/, '');
    const recorded: RecordedRequest = {
      subdomain,
      method: req.method ?? 'GET',
      path,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    this.requests.push(recorded);

    const fault = this.takeFault(recorded);
    if (fault?.delayMs !== undefined) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          resolve();
        }, fault.delayMs);
        this.timers.add(timer);
      });
      if (res.destroyed) return;
    }
    if (fault?.hangUp) {
      req.socket.destroy();
      return;
    }
    if (fault?.status !== undefined) {
      res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
      res.end(fault.body ?? JSON.stringify({ error: `Injected${fault.status}`, description: 'stand-in fault' }));
      return;
    }
    const answer = this.route(recorded);
    const headers: Record<string, string> = { 'x-rate-limit': '700', 'x-rate-limit-remaining': '699' };
    if (answer.body === undefined) {
      res.writeHead(answer.status, headers).end();
    } else {
      res.writeHead(answer.status, { ...headers, 'content-type': answer.contentType ?? 'application/json; charset=utf-8' });
      res.end(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
    }
  }

  private takeFault(r: RecordedRequest): ActiveFault | null {
    const index = this.faults.findIndex(
      (f) =>
        f.remaining > 0 &&
        (f.method === undefined || f.method === r.method) &&
        (f.path === undefined || (typeof f.path === 'string' ? f.path === r.path : f.path.test(r.path))),
    );
    if (index < 0) return null;
    const fault = this.faults[index]!;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults.splice(index, 1);
    return fault;
  }

  private route(r: RecordedRequest): { status: number; body?: unknown; contentType?: string } {
    const account = this.accounts.get(r.subdomain);
    // A subdomain with no account: Zendesk serves a plain 404 page.
    if (!account) return { status: 404, body: `No help desk at ${r.subdomain}.zendesk.com`, contentType: 'text/html' };
    const me = this.authenticate(account, r.headers['authorization']);
    if (me === null) return { status: 401, body: { error: "Couldn't authenticate you" } };
    return routeAccount(account, me, r);
  }

  /** zendesk.md §4.6: Basic base64("{email}/token:{api_token}"). */
  private authenticate(account: StandinAccount, header: string | string[] | undefined): number | null {
    if (typeof header !== 'string' || !header.startsWith('Basic ')) return null;
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const match = /^(.+)\/token:(.+)$/.exec(decoded);
    if (!match) return null;
    const [, email, token] = match;
    if (account.tokens.get(email!) !== token) return null;
    return account.agents.find((a) => a.email === email)?.id ?? null;
  }
}

type Answer = { status: number; body?: unknown; contentType?: string };

const NOT_FOUND: Answer = { status: 404, body: { error: 'RecordNotFound', description: 'Not found' } };

function routeAccount(account: StandinAccount, meId: number, r: RecordedRequest): Answer {
  const seg = r.path.split('/').filter(Boolean).slice(2); // drop "api", "v2"
  const [resource, id, sub] = seg;
  const key = `${r.method} ${resource ?? ''}${id ? '/:id' : ''}${sub ? `/${sub}` : ''}`;
  switch (key) {
    case 'GET users/:id':
      if (id === 'me') return { status: 200, body: { user: account.users.get(meId) } };
      return found(account.users.get(Number(id)), (user) => ({ user }));
    case 'GET organizations/:id':
      return found(account.organizations.get(Number(id)), (organization) => ({ organization }));
    case 'GET tickets/:id':
      return found(account.tickets.get(Number(id)), (ticket) => {
        const include = (r.query['include'] ?? '').split(',');
        const body: Record<string, unknown> = { ticket };
        if (include.includes('users')) {
          const ids = new Set([ticket.requester_id, ticket.submitter_id]);
          body['users'] = [...ids].flatMap((uid) => {
            const u = account.users.get(uid);
            return u ? [StandinAccount.partialUserJson(u)] : [];
          });
        }
        if (include.includes('organizations')) {
          const org = ticket.organization_id === null ? undefined : account.organizations.get(ticket.organization_id);
          body['organizations'] = org ? [org] : [];
        }
        return body;
      });
    case 'GET webhooks':
      return listWebhooks(account, r.query);
    case 'POST webhooks':
      return writeWebhook(account, null, r.body);
    case 'GET webhooks/:id':
      return found(account.webhooks.get(id!), (w) => ({ webhook: StandinAccount.webhookJson(w) }));
    case 'PUT webhooks/:id':
    case 'PATCH webhooks/:id':
      return account.webhooks.has(id!) ? writeWebhook(account, id!, r.body, r.method === 'PATCH') : NOT_FOUND;
    case 'DELETE webhooks/:id':
      return account.webhooks.delete(id!) ? { status: 204 } : NOT_FOUND;
    case 'GET webhooks/:id/signing_secret':
      return found(account.webhooks.get(id!), (w) => ({ signing_secret: { algorithm: 'SHA256', secret: w.signingSecret } }));
    default:
      return { status: 404, body: { error: 'InvalidEndpoint', description: `Not found: ${r.method} ${r.path}` } };
  }
}

function found<T>(value: T | undefined, body: (v: T) => unknown): Answer {
  return value === undefined ? NOT_FOUND : { status: 200, body: body(value) };
}

/** zendesk.md §1.6: substring name filter, cursor pagination with page[size] ≤ 100 and page[after]. */
function listWebhooks(account: StandinAccount, query: Record<string, string>): Answer {
  const needle = (query['filter[name_contains]'] ?? '').toLowerCase();
  const all = [...account.webhooks.values()].filter((w) => w.name.toLowerCase().includes(needle));
  const size = Math.min(100, Number(query['page[size]'] ?? 100));
  const start = query['page[after]'] ? Number(Buffer.from(query['page[after]'], 'base64url').toString()) : 0;
  const page = all.slice(start, start + size);
  const hasMore = start + size < all.length;
  const after = hasMore ? Buffer.from(String(start + size)).toString('base64url') : null;
  return {
    status: 200,
    body: {
      webhooks: page.map(StandinAccount.webhookJson),
      meta: { has_more: hasMore, after_cursor: after, before_cursor: null },
      links: { next: null, prev: null },
    },
  };
}

/** Create (201 with the webhook) or update (204), validating as zendesk.md §0 and §1.2 describe. */
function writeWebhook(account: StandinAccount, id: string | null, raw: string, patch = false): Answer {
  let input: Record<string, unknown>;
  try {
    input = ((JSON.parse(raw) as { webhook?: Record<string, unknown> }).webhook ?? {}) as Record<string, unknown>;
  } catch {
    return invalid('body is not JSON');
  }
  const existing = id === null ? undefined : account.webhooks.get(id);
  const merged = { ...(patch && existing ? existing : {}), ...input } as Record<string, unknown>;
  for (const field of ['name', 'endpoint', 'http_method', 'request_format', 'status']) {
    if (typeof merged[field] !== 'string' || merged[field] === '') return invalid(`${field} is required`);
  }
  const subs = (merged['subscriptions'] ?? []) as unknown[];
  const conditional = subs.length === 1 && subs[0] === 'conditional_ticket_events';
  if (!conditional) {
    if (subs.some((s) => typeof s !== 'string' || !s.startsWith('zen:event-type:'))) return invalid('subscriptions must be zen:event-type:* values');
    if (merged['http_method'] !== 'POST' || merged['request_format'] !== 'json') return invalid('event subscriptions need POST and json');
  }
  if (existing && existing.subscriptions.includes('conditional_ticket_events') !== conditional) {
    return invalid('the connection method of a webhook cannot be changed');
  }
  const now = new Date().toISOString();
  const fields = {
    name: merged['name'] as string,
    endpoint: merged['endpoint'] as string,
    http_method: merged['http_method'] as string,
    request_format: merged['request_format'] as string,
    status: merged['status'] as string,
    subscriptions: subs as string[],
    ...(typeof merged['description'] === 'string' ? { description: merged['description'] } : {}),
  };
  if (existing) {
    Object.assign(existing, fields, { updated_at: now });
    return { status: 204 };
  }
  const created = account.addWebhook(fields);
  return { status: 201, body: { webhook: StandinAccount.webhookJson(created) } };
}

function invalid(detail: string): Answer {
  return { status: 400, body: { errors: [{ code: 'InvalidValue', title: 'Invalid value', detail }] } };
}
