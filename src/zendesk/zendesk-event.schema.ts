/**
 * Event-subscription payloads (zendesk.md §3): the envelope every delivery carries, and the parts of
 * `detail` / `event` we read for the three event types we subscribe to. Unknown fields are dropped;
 * unknown event types still decode as an envelope (they are recorded and ignored).
 */
import { z } from 'zod';
import { zendeskId } from './zendesk-api.schema.js';

export const eventEnvelopeSchema = z.object({
  type: z.string().min(1),
  /** §2.4: the unique event id, our dedupe key. */
  id: z.string().min(1).optional(),
  time: z.string().optional(),
  account_id: z.union([z.number(), z.string()]).optional(),
  subject: z.string().optional(),
  detail: z.record(z.string(), z.unknown()).nullable().optional(),
  event: z.record(z.string(), z.unknown()).nullable().optional(),
});
export type EventEnvelope = z.output<typeof eventEnvelopeSchema>;

/** §3.2 / §3.5: ticket detail; ids are strings in events, `via.channel` only. */
export const ticketDetailSchema = z.object({
  id: zendeskId.optional(),
  via: z.object({ channel: z.union([z.string(), z.number()]).transform(String).nullable().optional() }).nullable().optional(),
});

/** §3.4 */
export const statusChangedSchema = z.object({
  previous: z.string().nullable().optional(),
  current: z.string().nullable().optional(),
});

/** §3.5 */
export const messageAddedSchema = z.object({
  actor: z
    .object({ id: zendeskId.nullable().optional(), name: z.string().nullable().optional(), type: z.string().nullable().optional() })
    .nullable()
    .optional(),
  conversation_id: z.string().nullable().optional(),
  message: z.object({ id: z.string().nullable().optional(), body: z.string().nullable().optional() }).nullable().optional(),
});
