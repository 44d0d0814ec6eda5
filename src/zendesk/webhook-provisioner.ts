/**
 * Idempotent provisioning of our one event-subscription webhook (seed "Step 1"; zendesk.md §1.3, §1.6):
 * list with the substring filter → keep only exact-name matches → update the one we keep if it differs,
 * create it if none, delete exact-name duplicates. Webhooks with other names (even similar ones) and
 * triggers are never touched.
 */
import type { WebhookDefinition, ZendeskWebhook } from './zendesk-api.schema.js';
import type { ZendeskClient, ZendeskResult } from './zendesk-client.js';

export const WEBHOOK_NAME = 'opencx-messaging-ticket-link';

/** zendesk.md §0/§1.5: the `zen:event-type:` prefix is part of the value. */
export const EVENT_TICKET_CREATED = 'zen:event-type:ticket.created';
export const EVENT_TICKET_STATUS_CHANGED = 'zen:event-type:ticket.status_changed';
export const EVENT_MESSAGE_ADDED = 'zen:event-type:messaging_ticket.message_added';
export const WEBHOOK_SUBSCRIPTIONS = [EVENT_MESSAGE_ADDED, EVENT_TICKET_STATUS_CHANGED, EVENT_TICKET_CREATED] as const;

/** Cursor pages followed at most (100 webhooks each) before giving up on an account. */
const MAX_PAGES = 50;

export function webhookDefinition(endpoint: string): WebhookDefinition {
  return {
    name: WEBHOOK_NAME,
    description: 'OpenCX: links Zendesk Talk tickets to OpenCX phone sessions (managed automatically; re-save the connection to repair)',
    endpoint,
    // zendesk.md §0: event subscriptions must be POST + json; never "conditional_ticket_events" here.
    http_method: 'POST',
    request_format: 'json',
    status: 'active',
    subscriptions: [...WEBHOOK_SUBSCRIPTIONS],
  };
}

/** Whether an existing webhook already does what ours must do (name matched by the caller). */
export function webhookMatches(existing: ZendeskWebhook, wanted: WebhookDefinition): boolean {
  const have = new Set(existing.subscriptions);
  return (
    existing.endpoint === wanted.endpoint &&
    existing.http_method.toUpperCase() === wanted.http_method &&
    existing.request_format.toLowerCase() === wanted.request_format &&
    existing.status.toLowerCase() === wanted.status &&
    have.size === wanted.subscriptions.length &&
    wanted.subscriptions.every((s) => have.has(s))
  );
}

/** Of the exact-name matches, keep the one already pointing at us, else the first listed. */
export function chooseWebhookToKeep(matches: ZendeskWebhook[], endpoint: string): ZendeskWebhook | null {
  return matches.find((w) => w.endpoint === endpoint) ?? matches[0] ?? null;
}

export interface ProvisionedWebhook {
  webhookId: string;
  action: 'created' | 'updated' | 'unchanged';
  removedDuplicates: string[];
  signingSecret: string;
}

/** Every webhook whose name is exactly ours (the API filter is a substring match). */
export async function findOurWebhooks(client: ZendeskClient): Promise<ZendeskResult<ZendeskWebhook[]>> {
  const found: ZendeskWebhook[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const listed = await client.listWebhooks(WEBHOOK_NAME, cursor);
    if (!listed.ok) return listed;
    found.push(...listed.value.webhooks.filter((w) => w.name === WEBHOOK_NAME));
    cursor = listed.value.meta?.has_more ? (listed.value.meta.after_cursor ?? null) : null;
    if (cursor === null) break;
  }
  return { ok: true, value: found };
}

export async function provisionWebhook(client: ZendeskClient, endpoint: string): Promise<ZendeskResult<ProvisionedWebhook>> {
  const wanted = webhookDefinition(endpoint);
  const ours = await findOurWebhooks(client);
  if (!ours.ok) return ours;

  const keep = chooseWebhookToKeep(ours.value, endpoint);
  let webhookId: string;
  let action: ProvisionedWebhook['action'];
  if (keep === null) {
    const created = await client.createWebhook(wanted);
    if (!created.ok) return created;
    webhookId = created.value.id;
    action = 'created';
  } else if (webhookMatches(keep, wanted)) {
    webhookId = keep.id;
    action = 'unchanged';
  } else {
    const updated = await client.updateWebhook(keep.id, wanted);
    if (!updated.ok) return updated;
    webhookId = keep.id;
    action = 'updated';
  }

  // zendesk.md §1.6: "If the endpoint moved, there may be several matches. Delete the duplicates."
  const removedDuplicates: string[] = [];
  for (const duplicate of ours.value) {
    if (duplicate.id === webhookId) continue;
    const removed = await client.deleteWebhook(duplicate.id);
    if (!removed.ok && removed.failure.kind !== 'not_found') return removed;
    removedDuplicates.push(duplicate.id);
  }

  const secret = await client.getSigningSecret(webhookId);
  if (!secret.ok) return secret;
  return { ok: true, value: { webhookId, action, removedDuplicates, signingSecret: secret.value } };
}

/**
 * Remove our webhook: the one we recorded, plus any exact-name webhook pointing at our endpoint.
 * Returns the ids removed; a webhook already gone counts as removed.
 */
export async function removeWebhook(client: ZendeskClient, webhookId: string | null, endpoint: string): Promise<ZendeskResult<string[]>> {
  const ours = await findOurWebhooks(client);
  if (!ours.ok) return ours;
  const ids = new Set(ours.value.filter((w) => w.endpoint === endpoint).map((w) => w.id));
  if (webhookId !== null) ids.add(webhookId);
  const removed: string[] = [];
  for (const id of ids) {
    const result = await client.deleteWebhook(id);
    if (!result.ok && result.failure.kind !== 'not_found') return result;
    removed.push(id);
  }
  return { ok: true, value: removed };
}
