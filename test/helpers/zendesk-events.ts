/**
 * Zendesk event-subscription payloads (zendesk.md §3), built from the fixtures in
 * test/fixtures/zendesk/ with the ids of a stand-in account, and signed as Zendesk signs them (§2.3).
 * The signing here is written independently of src/ on purpose: the tests check our verifier against it.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { StandinAccount, StandinTicket } from './zendesk-standin-account.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/zendesk/', import.meta.url));

export type ZendeskEvent = Record<string, unknown> & { type: string; id: string };

export function loadFixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(`${FIXTURES}${name}`, 'utf8')) as T;
}

/** Zendesk event ids are UUIDs or ULIDs (§2.4). */
export function eventId(): string {
  return randomUUID();
}

function envelope(fixture: string, account: StandinAccount, ticketId: number, at: Date): ZendeskEvent {
  const event = loadFixture<ZendeskEvent>(fixture);
  event.id = eventId();
  event['time'] = at.toISOString();
  event['account_id'] = account.accountId;
  event['subject'] = `zen:ticket:${ticketId}`;
  return event;
}

/** §3.3: ids inside `detail` are strings; enum values upper case. */
export function ticketCreatedEvent(account: StandinAccount, ticket: StandinTicket, at = new Date()): ZendeskEvent {
  const event = envelope('ticket-created.event.json', account, ticket.id, at);
  const detail = event['detail'] as Record<string, unknown>;
  Object.assign(detail, {
    id: String(ticket.id),
    requester_id: String(ticket.requester_id),
    submitter_id: String(ticket.submitter_id),
    actor_id: String(ticket.requester_id),
    organization_id: ticket.organization_id === null ? null : String(ticket.organization_id),
    subject: ticket.subject,
    description: ticket.subject,
    status: ticket.status.toUpperCase(),
    created_at: ticket.created_at,
    updated_at: ticket.updated_at,
    via: { channel: ticket.via.channel },
  });
  return event;
}

/** §3.4 */
export function ticketStatusChangedEvent(account: StandinAccount, ticket: StandinTicket, previous: string, current: string, at = new Date()): ZendeskEvent {
  const event = envelope('ticket-status-changed.event.json', account, ticket.id, at);
  Object.assign(event['detail'] as Record<string, unknown>, {
    id: String(ticket.id),
    status: current.toUpperCase(),
    requester_id: String(ticket.requester_id),
    via: { channel: ticket.via.channel },
  });
  const body = event['event'] as Record<string, unknown>;
  body['previous'] = previous.toUpperCase();
  body['current'] = current.toUpperCase();
  return event;
}

/** §3.5: detail has only the ticket id. */
export function messageAddedEvent(
  account: StandinAccount,
  ticket: StandinTicket,
  message: { body: string; actorType?: string; actorName?: string },
  at = new Date(),
): ZendeskEvent {
  const event = envelope('messaging-ticket-message-added.event.json', account, ticket.id, at);
  event['detail'] = { id: String(ticket.id) };
  const body = event['event'] as { actor: Record<string, unknown>; message: Record<string, unknown> };
  body.actor['type'] = message.actorType ?? 'agent';
  body.actor['name'] = message.actorName ?? 'Dana Agent';
  body.message['id'] = randomUUID().replaceAll('-', '').slice(0, 24);
  body.message['body'] = message.body;
  return event;
}

/** An event type we do not subscribe to / do not handle. */
export function unknownEvent(account: StandinAccount, at = new Date()): ZendeskEvent {
  const event = loadFixture<ZendeskEvent>('user-created.event.json');
  event.id = eventId();
  event['time'] = at.toISOString();
  event['account_id'] = account.accountId;
  return event;
}

/** §2.3: base64(HMAC-SHA256(secret, timestamp + raw body)). */
export function zendeskSignature(secret: string, timestamp: string, rawBody: string): string {
  return createHmac('sha256', secret).update(timestamp + rawBody).digest('base64');
}

/** §2.2: ISO-8601 UTC without fractional seconds, e.g. 2021-03-25T05:09:27Z. */
export function signatureTimestamp(at: Date): string {
  return at.toISOString().replace(/\.\d+Z$/, 'Z');
}
