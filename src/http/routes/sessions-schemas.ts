/**
 * zod schemas of the sessions / transfers / agents API (they also make the OpenAPI document), and
 * the mapping from stored records to their JSON views (timestamps as ISO 8601).
 */
import { z } from 'zod';
import type { DestinationConfig } from '../../config/config.schema.js';
import { isTransferOutcome, type Session, type TimelineEvent, type Transfer } from '../../sessions/session.js';

const iso = z.string().describe('ISO 8601 timestamp');

export const sessionStateSchema = z.enum(['connecting', 'live', 'transferred', 'ended']);

export const sessionViewSchema = z
  .object({
    id: z.string(),
    orgId: z.string(),
    agentId: z.string(),
    dialledNumber: z.string().describe('The OpenCX number the call came in on, E.164'),
    callerPhone: z.string().nullable().describe('Caller E.164 number; null when anonymous'),
    anonymous: z.boolean(),
    callId: z.string().describe('SIP Call-ID of the carrier leg'),
    state: sessionStateSchema,
    endReason: z.string().nullable(),
    contactId: z.string().nullable(),
    ticketId: z.string().nullable().describe('Zendesk ticket stamped on the session'),
    createdAt: iso,
    answeredAt: iso.nullable(),
    endedAt: iso.nullable(),
  })
  .meta({ id: 'Session' });

export const transferStateSchema = z.enum(['pending', 'waiting_ticket', 'dialing', 'answered', 'busy', 'no_answer', 'rejected', 'failed']);
export const transferOutcomeSchema = z.enum(['answered', 'busy', 'no_answer', 'rejected', 'failed']);

export const transferViewSchema = z
  .object({
    id: z.string(),
    sessionId: z.string(),
    destinationId: z.string(),
    destinationType: z.enum(['sip', 'pstn']),
    target: z.string().describe('SIP URI or E.164 number of the destination'),
    state: transferStateSchema,
    outcome: transferOutcomeSchema.nullable().describe('Set once the transfer is over'),
    sipStatus: z.number().int().nullable().describe('Final SIP status from the destination'),
    reason: z.string().nullable(),
    fromSent: z.string().nullable().describe('From header of the INVITE as sent'),
    headersSent: z
      .array(z.object({ name: z.string(), value: z.string() }))
      .describe('Exactly the custom headers sent on the INVITE, in order (none for PSTN)'),
    createdAt: iso,
    completedAt: iso.nullable(),
  })
  .meta({ id: 'Transfer' });

export const timelineEventSchema = z
  .object({ at: iso, type: z.string(), data: z.record(z.string(), z.unknown()) })
  .meta({ id: 'TimelineEvent' });

export const sessionDetailSchema = z
  .object({ session: sessionViewSchema, transfers: z.array(transferViewSchema), timeline: z.array(timelineEventSchema) })
  .meta({ id: 'SessionDetail' });

export const destinationViewSchema = z
  .object({
    id: z.string(),
    label: z.string(),
    type: z.enum(['sip', 'pstn']),
    uri: z.string().optional().describe('SIP destinations'),
    number: z.string().optional().describe('PSTN destinations, E.164'),
  })
  .meta({ id: 'Destination' });

export const transferBodySchema = z
  .object({ destination: z.string().trim().min(1).max(100).describe('Destination id or label of the session agent') })
  .meta({ id: 'TransferRequest' });

export const idempotencyKeySchema = z
  .string()
  .regex(/^[\x21-\x7e]{1,255}$/, 'must be 1-255 printable ASCII characters without spaces')
  .optional()
  .describe('Makes retries safe: the same key returns the same transfer');

export function isFinalTransfer(transfer: Transfer): boolean {
  return isTransferOutcome(transfer.state);
}

function isoOf(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

export function sessionView(session: Session): z.infer<typeof sessionViewSchema> {
  return {
    id: session.id,
    orgId: session.orgId,
    agentId: session.agentId,
    dialledNumber: session.dialledNumber,
    callerPhone: session.callerPhone,
    anonymous: session.anonymous,
    callId: session.callId,
    state: session.state,
    endReason: session.endReason,
    contactId: session.contactId,
    ticketId: session.ticketId,
    createdAt: new Date(session.createdAt).toISOString(),
    answeredAt: isoOf(session.answeredAt),
    endedAt: isoOf(session.endedAt),
  };
}

export function transferView(transfer: Transfer): z.infer<typeof transferViewSchema> {
  return {
    id: transfer.id,
    sessionId: transfer.sessionId,
    destinationId: transfer.destinationId,
    destinationType: transfer.destinationType,
    target: transfer.target,
    state: transfer.state,
    outcome: isFinalTransfer(transfer) ? (transfer.state as z.infer<typeof transferOutcomeSchema>) : null,
    sipStatus: transfer.sipStatus,
    reason: transfer.reason,
    fromSent: transfer.fromSent,
    headersSent: transfer.headersSent,
    createdAt: new Date(transfer.createdAt).toISOString(),
    completedAt: isoOf(transfer.completedAt),
  };
}

export function timelineView(event: TimelineEvent): z.infer<typeof timelineEventSchema> {
  return { at: new Date(event.at).toISOString(), type: event.type, data: event.data };
}

export function destinationView(destination: DestinationConfig): z.infer<typeof destinationViewSchema> {
  return destination.type === 'sip'
    ? { id: destination.id, label: destination.label, type: 'sip', uri: destination.uri }
    : { id: destination.id, label: destination.label, type: 'pstn', number: destination.number };
}
