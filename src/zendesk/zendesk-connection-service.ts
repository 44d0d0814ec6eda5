/**
 * Connect, show and disconnect an organisation's Zendesk account (seed "Step 1"). Shared by the
 * HTTP routes and the operator CLI. Credentials are checked against Zendesk before anything is
 * written; failures come back as values carrying an error code from src/errors.ts.
 */
import { randomUUID } from 'node:crypto';
import type { ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';
import type { ZendeskConnection, ZendeskStore } from '../store/store.js';
import type { ZendeskClientFactory } from './zendesk-client-factory.js';
import type { ZendeskFailure } from './zendesk-client.js';
import { provisionWebhook, removeWebhook, type ProvisionedWebhook } from './webhook-provisioner.js';
import { webhookEndpoint, type ZendeskSettings } from './zendesk-settings.js';

export interface ConnectInput {
  subdomain: string;
  email: string;
  apiToken: string;
}

/** A connection as shown to operators: never the API token or the signing secret. */
export interface ConnectionView {
  connectionId: string;
  orgId: string;
  subdomain: string;
  email: string;
  state: ZendeskConnection['state'];
  lastError: string | null;
  webhookId: string | null;
  webhookEndpoint: string;
  signingSecretStored: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface ServiceError {
  code: ErrorCode;
  message: string;
}

export type ServiceResult<T> = { ok: true; value: T } | { ok: false; error: ServiceError };

export interface ZendeskConnectionServiceDeps {
  store: ZendeskStore;
  clientFactory: ZendeskClientFactory;
  settings: Pick<ZendeskSettings, 'publicBaseUrl'>;
  logger: Logger;
  now?: () => number;
  newId?: () => string;
}

export class ZendeskConnectionService {
  private readonly store: ZendeskStore;
  private readonly clientFactory: ZendeskClientFactory;
  private readonly settings: Pick<ZendeskSettings, 'publicBaseUrl'>;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly newId: () => string;

  constructor(deps: ZendeskConnectionServiceDeps) {
    this.store = deps.store;
    this.clientFactory = deps.clientFactory;
    this.settings = deps.settings;
    this.logger = deps.logger.child({ component: 'zendesk-connection' });
    this.now = deps.now ?? Date.now;
    this.newId = deps.newId ?? (() => `zdc_${randomUUID().replaceAll('-', '')}`);
  }

  async show(orgId: string): Promise<ConnectionView | null> {
    const connection = await this.store.getConnectionByOrg(orgId);
    return connection ? this.view(connection) : null;
  }

  /** Check credentials, upsert our webhook, store its signing secret. Safe to repeat. */
  async connect(orgId: string, input: ConnectInput): Promise<ServiceResult<{ connection: ConnectionView; webhookAction: ProvisionedWebhook['action'] }>> {
    const client = this.clientFactory(input);
    const me = await client.getMe();
    if (!me.ok) return { ok: false, error: credentialError(me.failure, input.subdomain) };
    if (me.value.id === null) {
      return fail('ZD_ERR_UNAUTHORIZED', `Zendesk did not accept the API token for ${input.email} (the request was treated as anonymous)`);
    }
    const role = me.value.role ?? 'end-user';
    if (role === 'end-user') {
      return fail('ZD_ERR_FORBIDDEN', `${input.email} is not an agent in ${input.subdomain}.zendesk.com (role "${role}"); use an admin's email and API token`);
    }

    const existing = await this.store.getConnectionByOrg(orgId);
    const connectionId = existing?.id ?? this.newId();
    const endpoint = webhookEndpoint(this.settings, connectionId);
    const provisioned = await provisionWebhook(client, endpoint);
    if (!provisioned.ok) {
      const error = provisioningError(provisioned.failure);
      if (existing) await this.store.saveConnection({ ...existing, state: 'error', lastError: error.message, updatedAt: this.now() });
      return { ok: false, error };
    }

    if (existing && existing.subdomain !== input.subdomain && existing.webhookId) {
      await this.removeFromPreviousAccount(existing, endpoint);
    }
    const now = this.now();
    const connection: ZendeskConnection = {
      id: connectionId,
      orgId,
      subdomain: input.subdomain,
      email: input.email,
      apiToken: input.apiToken,
      webhookId: provisioned.value.webhookId,
      signingSecret: provisioned.value.signingSecret,
      state: 'connected',
      lastError: null,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    };
    await this.store.saveConnection(connection);
    this.logger.info(
      { orgId, connectionId, subdomain: input.subdomain, webhookId: connection.webhookId, action: provisioned.value.action, removedDuplicates: provisioned.value.removedDuplicates },
      'zendesk connection saved',
    );
    return { ok: true, value: { connection: this.view(connection), webhookAction: provisioned.value.action } };
  }

  /**
   * Remove our webhook from the account, then the connection. When Zendesk cannot be reached or
   * refuses, the connection stays unless `force` is set (the webhook may then be left behind).
   */
  async disconnect(orgId: string, options: { force?: boolean } = {}): Promise<ServiceResult<{ connectionId: string; webhookRemoved: boolean; removed: string[] }>> {
    const connection = await this.store.getConnectionByOrg(orgId);
    if (!connection) return fail('API_ERR_NOT_FOUND', 'Zendesk is not connected for this organisation');
    const client = this.clientFactory(connection);
    const removed = await removeWebhook(client, connection.webhookId, webhookEndpoint(this.settings, connection.id));
    if (!removed.ok && !options.force) return { ok: false, error: provisioningError(removed.failure) };
    await this.store.deleteConnection(connection.id);
    this.logger.info({ orgId, connectionId: connection.id, webhookRemoved: removed.ok }, 'zendesk connection removed');
    return { ok: true, value: { connectionId: connection.id, webhookRemoved: removed.ok, removed: removed.ok ? removed.value : [] } };
  }

  private async removeFromPreviousAccount(previous: ZendeskConnection, endpoint: string): Promise<void> {
    const removed = await removeWebhook(this.clientFactory(previous), previous.webhookId, endpoint);
    if (!removed.ok) {
      this.logger.warn({ subdomain: previous.subdomain, webhookId: previous.webhookId, error: removed.failure.message }, 'could not remove the webhook from the previous Zendesk account');
    }
  }

  private view(c: ZendeskConnection): ConnectionView {
    return {
      connectionId: c.id,
      orgId: c.orgId,
      subdomain: c.subdomain,
      email: c.email,
      state: c.state,
      lastError: c.lastError,
      webhookId: c.webhookId,
      webhookEndpoint: webhookEndpoint(this.settings, c.id),
      signingSecretStored: c.signingSecret !== null && c.signingSecret.length > 0,
      createdAt: new Date(c.createdAt).toISOString(),
      updatedAt: new Date(c.updatedAt).toISOString(),
    };
  }
}

function fail(code: ErrorCode, message: string): { ok: false; error: ServiceError } {
  return { ok: false, error: { code, message } };
}

/** `GET /users/me` failures, named for what the operator has to fix. */
function credentialError(f: ZendeskFailure, subdomain: string): ServiceError {
  switch (f.kind) {
    case 'unauthorized':
      return { code: 'ZD_ERR_UNAUTHORIZED', message: `Zendesk rejected the email or API token for ${subdomain}.zendesk.com (check the agent email and that token access is enabled)` };
    case 'forbidden':
      return { code: 'ZD_ERR_FORBIDDEN', message: `Zendesk refused access for this user in ${subdomain}.zendesk.com (${f.message})` };
    case 'not_found':
      return { code: 'ZD_ERR_NOT_FOUND', message: `no Zendesk account at subdomain "${subdomain}" (${subdomain}.zendesk.com)` };
    default:
      return provisioningError(f);
  }
}

function provisioningError(f: ZendeskFailure): ServiceError {
  const where = `${f.method} ${f.path.split('?')[0]}`;
  switch (f.kind) {
    case 'unauthorized':
      return { code: 'ZD_ERR_UNAUTHORIZED', message: `Zendesk rejected the credentials on ${where}` };
    case 'forbidden':
      return { code: 'ZD_ERR_FORBIDDEN', message: `the Zendesk user may not manage webhooks (an admin is needed): ${where} answered 403` };
    case 'not_found':
      return { code: 'ZD_ERR_NOT_FOUND', message: `Zendesk answered 404 on ${where}` };
    case 'rejected':
      return { code: 'ZD_ERR_BAD_RESPONSE', message: `Zendesk refused ${where}: ${f.message}` };
    case 'rate_limited':
      return { code: 'ZD_ERR_RATE_LIMITED', message: `Zendesk rate limit reached on ${where}; retry later` };
    case 'unavailable':
      return { code: 'ZD_ERR_UNAVAILABLE', message: `Zendesk unavailable on ${where}: ${f.message}` };
    case 'bad_response':
      return { code: 'ZD_ERR_BAD_RESPONSE', message: `unexpected answer from Zendesk on ${where}: ${f.message}` };
  }
}
