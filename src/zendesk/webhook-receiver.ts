/**
 * Receipt of one Zendesk webhook request, independent of the HTTP framework:
 * connection → signature over the raw bytes (before any parsing, constant time) → timestamp window →
 * JSON envelope → durable record (deduplicated by event id, else invocation id) → hand-off to the
 * worker. The caller answers 200 only after `receive` resolved `accepted`, so every acknowledged
 * delivery is on disk; Zendesk's redeliveries of the same event are recognised and not processed again.
 */
import type { ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';
import type { WebhookDelivery, ZendeskStore } from '../store/store.js';
import { EVENT_MESSAGE_ADDED, EVENT_TICKET_CREATED, EVENT_TICKET_STATUS_CHANGED } from './webhook-provisioner.js';
import { checkSignatureTimestamp, verifyWebhookSignature } from './webhook-signature.js';
import { eventEnvelopeSchema, type EventEnvelope } from './zendesk-event.schema.js';

export const HANDLED_EVENT_TYPES: ReadonlySet<string> = new Set([EVENT_TICKET_CREATED, EVENT_TICKET_STATUS_CHANGED, EVENT_MESSAGE_ADDED]);

/** zendesk.md §2.2 header names (lower case, as node delivers them). */
export const SIGNATURE_HEADER = 'x-zendesk-webhook-signature';
export const TIMESTAMP_HEADER = 'x-zendesk-webhook-signature-timestamp';
export const INVOCATION_HEADER = 'x-zendesk-webhook-invocation-id';

export interface WebhookRequest {
  connectionId: string;
  rawBody: Buffer;
  signature: string | undefined;
  timestamp: string | undefined;
  invocationId: string | undefined;
}

export type ReceiptResult =
  | { kind: 'accepted'; deliveryId: string; eventType: string; duplicate: boolean; handled: boolean }
  | { kind: 'rejected'; code: ErrorCode; detail: string };

export interface WebhookReceiverDeps {
  store: Pick<ZendeskStore, 'getConnection' | 'recordDelivery'>;
  /** Called with each newly recorded delivery that needs processing, and its envelope as decoded here. */
  onRecorded: (delivery: WebhookDelivery, envelope: EventEnvelope) => void;
  signatureWindowMs: number;
  logger: Logger;
  now?: () => number;
}

export class WebhookReceiver {
  private readonly deps: WebhookReceiverDeps;
  private readonly now: () => number;
  private readonly logger: Logger;

  constructor(deps: WebhookReceiverDeps) {
    this.deps = deps;
    this.now = deps.now ?? Date.now;
    this.logger = deps.logger.child({ component: 'zendesk-webhook' });
  }

  async receive(request: WebhookRequest): Promise<ReceiptResult> {
    const connection = await this.deps.store.getConnection(request.connectionId);
    if (!connection) return reject('API_ERR_NOT_FOUND', 'no Zendesk connection with this id');
    if (!connection.signingSecret) return reject('WEBHOOK_ERR_SIGNATURE', 'the connection has no signing secret yet; re-save it');
    if (!request.signature || !request.timestamp) {
      return reject('WEBHOOK_ERR_SIGNATURE', `${SIGNATURE_HEADER} and ${TIMESTAMP_HEADER} are required`);
    }
    // zendesk.md §2.3: HMAC over timestamp + raw bytes, checked before the body is parsed.
    if (!verifyWebhookSignature(connection.signingSecret, request.timestamp, request.rawBody, request.signature)) {
      this.logger.warn({ connectionId: connection.id, invocationId: request.invocationId }, 'webhook signature mismatch');
      return reject('WEBHOOK_ERR_SIGNATURE', 'the signature does not match the body and timestamp');
    }
    const now = this.now();
    const timestamp = checkSignatureTimestamp(request.timestamp, now, this.deps.signatureWindowMs);
    if (!timestamp.ok) {
      return timestamp.reason === 'stale'
        ? reject('WEBHOOK_ERR_STALE', `the signature timestamp is more than ${Math.round(this.deps.signatureWindowMs / 1000)} s away from now`)
        : reject('WEBHOOK_ERR_SIGNATURE', 'the signature timestamp is not an ISO-8601 time');
    }

    const body = request.rawBody.toString('utf8');
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      return reject('WEBHOOK_ERR_MALFORMED', 'the body is not JSON');
    }
    const envelope = eventEnvelopeSchema.safeParse(json);
    if (!envelope.success) return reject('WEBHOOK_ERR_MALFORMED', 'the body is not a Zendesk event (needs at least "type")');
    // §2.4: the event id is the dedupe key; the invocation id (stable across retries) is the fallback.
    const id = envelope.data.id ?? (request.invocationId ? `invocation:${request.invocationId}` : null);
    if (!id) return reject('WEBHOOK_ERR_MALFORMED', 'the event has no "id" and the request no invocation id');

    const handled = HANDLED_EVENT_TYPES.has(envelope.data.type);
    const delivery: WebhookDelivery = {
      id,
      connectionId: connection.id,
      orgId: connection.orgId,
      eventType: envelope.data.type,
      receivedAt: now,
      body,
      // Unknown types are kept for the record but never processed.
      status: handled ? 'pending' : 'ignored',
      attempts: 0,
      nextAttemptAt: null,
      lastError: handled ? null : 'event type not handled',
      processedAt: handled ? null : now,
    };
    const recorded = await this.deps.store.recordDelivery(delivery);
    if (recorded && handled) this.deps.onRecorded(delivery, envelope.data);
    if (!recorded) this.logger.info({ connectionId: connection.id, deliveryId: id, eventType: delivery.eventType }, 'duplicate delivery ignored');
    return { kind: 'accepted', deliveryId: id, eventType: delivery.eventType, duplicate: !recorded, handled };
  }
}

function reject(code: ErrorCode, detail: string): ReceiptResult {
  return { kind: 'rejected', code, detail };
}
