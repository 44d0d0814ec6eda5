/**
 * Zendesk REST client (undici 7). API-token auth (zendesk.md §4.6), a timeout per attempt, bounded
 * retries with backoff on 5xx, timeouts and 429 (honouring Retry-After, §4.7), every response decoded
 * with zod. Expected failures (4xx, Zendesk down) come back as values; nothing here throws for them.
 * Every attempt is logged with method, path, status and duration; the token never reaches a log.
 */
import { request, type Dispatcher } from 'undici';
import type { z } from 'zod';
import type { Logger } from '../logger.js';
import { backoffDelay, parseRetryAfter, type BackoffPolicy } from './backoff.js';
import {
  meResponseSchema,
  organizationResponseSchema,
  signingSecretResponseSchema,
  ticketResponseSchema,
  userResponseSchema,
  webhookListResponseSchema,
  webhookResponseSchema,
  type WebhookDefinition,
  type ZendeskMe,
  type ZendeskOrganization,
  type ZendeskTicketWithUsers,
  type ZendeskUser,
  type ZendeskWebhook,
  type ZendeskWebhookPage,
} from './zendesk-api.schema.js';

export type ZendeskFailureKind =
  | 'unauthorized' // 401
  | 'forbidden' // 403
  | 'not_found' // 404 (also: no account at that subdomain)
  | 'rejected' // other 4xx (validation)
  | 'rate_limited' // 429 still there after the retries allowed
  | 'unavailable' // 5xx, timeout, network error
  | 'bad_response'; // 2xx whose body does not decode

export interface ZendeskFailure {
  kind: ZendeskFailureKind;
  status: number | null;
  method: string;
  path: string;
  message: string;
  /** From Retry-After on a 429/503, for callers that schedule their own retry. */
  retryAfterMs: number | null;
}

export type ZendeskResult<T> = { ok: true; value: T } | { ok: false; failure: ZendeskFailure };

export interface ZendeskCredentials {
  subdomain: string;
  email: string;
  apiToken: string;
}

export interface ZendeskClientOptions {
  /** Account base URL, e.g. `https://acme.zendesk.com` (tests: the stand-in). No trailing slash. */
  baseUrl: string;
  credentials: ZendeskCredentials;
  dispatcher: Dispatcher;
  logger: Logger;
  /** Per-attempt timeout (connect + headers + body). */
  timeoutMs?: number;
  /** Attempts per call, the first included. */
  maxAttempts?: number;
  backoff?: BackoffPolicy;
  /** A 429 asking to wait longer than this is not waited for inline: it is returned as `rate_limited`. */
  maxRetryAfterMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
}

type RetryMode = 'idempotent' | 'rate_limit_only';

interface CallSpec {
  method: Dispatcher.HttpMethod;
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  schema: z.ZodType | null;
  retry: RetryMode;
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class ZendeskClient {
  readonly subdomain: string;
  private readonly baseUrl: string;
  private readonly authorization: string;
  private readonly dispatcher: Dispatcher;
  private readonly logger: Logger;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly backoff: BackoffPolicy;
  private readonly maxRetryAfterMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(options: ZendeskClientOptions) {
    const { email, apiToken, subdomain } = options.credentials;
    this.subdomain = subdomain;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    // zendesk.md §4.6: Basic base64("{email}/token:{api_token}").
    this.authorization = `Basic ${Buffer.from(`${email}/token:${apiToken}`).toString('base64')}`;
    this.dispatcher = options.dispatcher;
    this.logger = options.logger.child({ zendeskSubdomain: subdomain });
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 3);
    this.backoff = options.backoff ?? { baseMs: 250, maxMs: 5_000 };
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 30_000;
    this.sleep = options.sleep ?? realSleep;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  getMe(): Promise<ZendeskResult<ZendeskMe>> {
    return this.map(this.call({ method: 'GET', path: '/api/v2/users/me', schema: meResponseSchema, retry: 'idempotent' }), (r) => r.user);
  }

  /** One page of webhooks whose name contains `nameContains` (substring filter, zendesk.md §1.6). */
  listWebhooks(nameContains: string, afterCursor: string | null): Promise<ZendeskResult<ZendeskWebhookPage>> {
    const query: Record<string, string> = { 'filter[name_contains]': nameContains, 'page[size]': '100' };
    if (afterCursor) query['page[after]'] = afterCursor;
    return this.call({ method: 'GET', path: '/api/v2/webhooks', query, schema: webhookListResponseSchema, retry: 'idempotent' });
  }

  /** Not retried on 5xx: a create that timed out may have happened (the provisioner re-lists instead). */
  createWebhook(definition: WebhookDefinition): Promise<ZendeskResult<ZendeskWebhook>> {
    return this.map(
      this.call({ method: 'POST', path: '/api/v2/webhooks', body: { webhook: definition }, schema: webhookResponseSchema, retry: 'rate_limit_only' }),
      (r) => r.webhook,
    );
  }

  /** Full update with PUT (zendesk.md §1.1: PATCH semantics are unconfirmed). 204, no body. */
  updateWebhook(id: string, definition: WebhookDefinition): Promise<ZendeskResult<null>> {
    return this.call<null>({ method: 'PUT', path: `/api/v2/webhooks/${enc(id)}`, body: { webhook: definition }, schema: null, retry: 'idempotent' });
  }

  deleteWebhook(id: string): Promise<ZendeskResult<null>> {
    return this.call<null>({ method: 'DELETE', path: `/api/v2/webhooks/${enc(id)}`, schema: null, retry: 'idempotent' });
  }

  getSigningSecret(id: string): Promise<ZendeskResult<string>> {
    return this.map(
      this.call({ method: 'GET', path: `/api/v2/webhooks/${enc(id)}/signing_secret`, schema: signingSecretResponseSchema, retry: 'idempotent' }),
      (r) => r.signing_secret.secret,
    );
  }

  /** The ticket with its users side-loaded (zendesk.md §4.3). */
  getTicket(id: string): Promise<ZendeskResult<ZendeskTicketWithUsers>> {
    return this.call({ method: 'GET', path: `/api/v2/tickets/${enc(id)}`, query: { include: 'users' }, schema: ticketResponseSchema, retry: 'idempotent' });
  }

  getUser(id: string): Promise<ZendeskResult<ZendeskUser>> {
    return this.map(this.call({ method: 'GET', path: `/api/v2/users/${enc(id)}`, schema: userResponseSchema, retry: 'idempotent' }), (r) => r.user);
  }

  getOrganization(id: string): Promise<ZendeskResult<ZendeskOrganization>> {
    return this.map(
      this.call({ method: 'GET', path: `/api/v2/organizations/${enc(id)}`, schema: organizationResponseSchema, retry: 'idempotent' }),
      (r) => r.organization,
    );
  }

  private async map<A, B>(result: Promise<ZendeskResult<A>>, f: (a: A) => B): Promise<ZendeskResult<B>> {
    const r = await result;
    return r.ok ? { ok: true, value: f(r.value) } : r;
  }

  private async call<T>(spec: CallSpec & { schema: z.ZodType<T> | null }): Promise<ZendeskResult<T>> {
    const search = spec.query ? `?${new URLSearchParams(spec.query).toString()}` : '';
    const path = `${spec.path}${search}`;
    let attempt = 0;
    for (;;) {
      attempt += 1;
      const outcome = await this.attempt(spec, path, attempt);
      if (outcome.kind === 'ok') {
        // Only the no-body calls (204) pass a null schema, and they are typed ZendeskResult<null>.
        if (spec.schema === null) return { ok: true, value: null as T };
        const parsed = spec.schema.safeParse(outcome.json);
        if (parsed.success) return { ok: true, value: parsed.data };
        return { ok: false, failure: this.failure(spec, path, 'bad_response', outcome.status, `response did not match the expected shape: ${parsed.error.issues[0]?.message ?? 'invalid'}`) };
      }
      const failure = outcome.failure;
      const delay = this.retryDelay(spec.retry, failure, attempt);
      if (delay === null) return { ok: false, failure };
      this.logger.warn({ zendesk: { method: spec.method, path, status: failure.status, attempt, retryInMs: delay } }, 'zendesk api call will be retried');
      await this.sleep(delay);
    }
  }

  /** Null = give up now; otherwise how long to wait before the next attempt. */
  private retryDelay(mode: RetryMode, failure: ZendeskFailure, attempt: number): number | null {
    if (attempt >= this.maxAttempts) return null;
    if (failure.kind === 'rate_limited') {
      const wait = failure.retryAfterMs ?? backoffDelay(this.backoff, attempt, this.random);
      return wait <= this.maxRetryAfterMs ? wait : null;
    }
    if (failure.kind === 'unavailable' && mode === 'idempotent') {
      return Math.max(failure.retryAfterMs ?? 0, backoffDelay(this.backoff, attempt, this.random));
    }
    return null;
  }

  private async attempt(
    spec: CallSpec,
    path: string,
    attempt: number,
  ): Promise<{ kind: 'ok'; status: number; json: unknown } | { kind: 'failed'; failure: ZendeskFailure }> {
    const started = performance.now();
    const log = (status: number | null, error?: string): void =>
      this.logger.info(
        { zendesk: { method: spec.method, path, status, durationMs: Math.round((performance.now() - started) * 10) / 10, attempt, ...(error ? { error } : {}) } },
        'zendesk api call',
      );
    let status: number;
    let text: string;
    let retryAfter: string | string[] | undefined;
    // One timer per attempt, cleared as soon as the answer is read. AbortSignal.timeout() would keep
    // its timer and signal alive for the full timeout after every request, long enough to be copied
    // by scavenges and promoted: per-delivery garbage that lengthened the young-generation pauses.
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new DOMException(`no answer within ${this.timeoutMs} ms`, 'TimeoutError')), this.timeoutMs).unref();
    try {
      const response = await request(`${this.baseUrl}${path}`, {
        method: spec.method,
        dispatcher: this.dispatcher,
        headers: {
          authorization: this.authorization,
          accept: 'application/json',
          ...(spec.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
        signal: deadline.signal,
      });
      status = response.statusCode;
      retryAfter = response.headers['retry-after'];
      text = await response.body.text();
    } catch (error) {
      const message = describeNetworkError(error, this.timeoutMs);
      log(null, message);
      return { kind: 'failed', failure: this.failure(spec, path, 'unavailable', null, message) };
    } finally {
      clearTimeout(timer);
    }
    log(status);
    if (status >= 200 && status < 300) {
      if (spec.schema === null) return { kind: 'ok', status, json: null };
      try {
        return { kind: 'ok', status, json: JSON.parse(text) as unknown };
      } catch {
        return { kind: 'failed', failure: this.failure(spec, path, 'bad_response', status, 'response body is not JSON') };
      }
    }
    const kind = failureKind(status);
    const failure = this.failure(spec, path, kind, status, describeStatus(status, text));
    failure.retryAfterMs = status === 429 || status === 503 ? parseRetryAfter(retryAfter, this.now()) : null;
    return { kind: 'failed', failure };
  }

  private failure(spec: CallSpec, path: string, kind: ZendeskFailureKind, status: number | null, message: string): ZendeskFailure {
    return { kind, status, method: spec.method, path, message, retryAfterMs: null };
  }
}

function enc(id: string): string {
  return encodeURIComponent(id);
}

function failureKind(status: number): ZendeskFailureKind {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'unavailable';
  return 'rejected';
}

/** Zendesk error bodies: `{error, description}` or `{errors:[…]}` or plain text (some 429s). Short, no secrets. */
function describeStatus(status: number, text: string): string {
  let detail = '';
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    const parts = [body['error'], body['description'], body['details'] ? JSON.stringify(body['details']) : undefined];
    detail = parts.filter((p): p is string => typeof p === 'string' && p.length > 0).join(': ');
  } catch {
    detail = text.trim();
  }
  return `HTTP ${status}${detail ? ` ${detail.slice(0, 200)}` : ''}`;
}

function describeNetworkError(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; code?: string; message?: string };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  return `${e.code ?? e.name ?? 'error'}: ${e.message ?? 'network error'}`.slice(0, 200);
}
