/**
 * Zendesk REST response shapes (zendesk.md §1, §2.1, §4), decoded once at the wire edge.
 * REST ids are integers, webhook ids are strings: every id is normalised to a string here
 * (zendesk.md §3.1 "Normalise both to strings in our code").
 */
import { z } from 'zod';

/** An id as Zendesk sends it (integer in REST, string in events), always a decimal string for us. */
export const zendeskId = z.union([z.number().int(), z.string().min(1)]).transform((v) => String(v));
const nullableId = zendeskId.nullable().optional().transform((v) => v ?? null);
const nullableString = z.string().nullable().optional().transform((v) => v ?? null);

export const userSchema = z.object({
  id: zendeskId,
  name: nullableString,
  email: nullableString,
  phone: nullableString,
  role: z.string().optional(),
  external_id: z
    .union([z.string(), z.number()])
    .nullable()
    .optional()
    .transform((v) => (v === null || v === undefined ? null : String(v))),
  organization_id: nullableId,
  user_fields: z.record(z.string(), z.unknown()).nullable().optional().transform((v) => v ?? {}),
});
export type ZendeskUser = z.output<typeof userSchema>;

/** `GET /users/me`: an unauthenticated caller gets an anonymous user with a null id. */
export const meResponseSchema = z.object({
  user: z.object({
    id: zendeskId.nullable(),
    name: nullableString,
    email: nullableString,
    role: z.string().optional(),
  }),
});
export type ZendeskMe = z.output<typeof meResponseSchema>['user'];

const viaPartySchema = z
  .object({
    phone: nullableString,
    formatted_phone: nullableString,
    name: nullableString,
  })
  .partial();

/** `via.source` shape for voice tickets is UNCONFIRMED (zendesk.md §4.2): everything optional. */
export const viaSchema = z.object({
  channel: z.union([z.string(), z.number()]).transform((v) => String(v)),
  source: z
    .object({
      from: viaPartySchema.nullable().optional(),
      to: viaPartySchema.nullable().optional(),
      rel: nullableString,
    })
    .partial()
    .nullable()
    .optional(),
});
export type ZendeskVia = z.output<typeof viaSchema>;

export const ticketSchema = z.object({
  id: zendeskId,
  requester_id: nullableId,
  organization_id: nullableId,
  status: z.string().optional(),
  subject: nullableString,
  created_at: nullableString,
  via: viaSchema.nullable().optional().transform((v) => v ?? null),
});
export type ZendeskTicket = z.output<typeof ticketSchema>;

/** `GET /tickets/{id}?include=users`: side-loaded users may be partial (zendesk.md §4.3). */
export const ticketResponseSchema = z.object({
  ticket: ticketSchema,
  users: z.array(userSchema).optional().transform((v) => v ?? []),
});
export type ZendeskTicketWithUsers = z.output<typeof ticketResponseSchema>;

export const userResponseSchema = z.object({ user: userSchema });

export const organizationSchema = z.object({
  id: zendeskId,
  name: nullableString,
  external_id: z
    .union([z.string(), z.number()])
    .nullable()
    .optional()
    .transform((v) => (v === null || v === undefined ? null : String(v))),
  organization_fields: z.record(z.string(), z.unknown()).nullable().optional().transform((v) => v ?? {}),
});
export type ZendeskOrganization = z.output<typeof organizationSchema>;
export const organizationResponseSchema = z.object({ organization: organizationSchema });

export const webhookSchema = z.object({
  id: zendeskId,
  name: z.string(),
  endpoint: z.string(),
  http_method: z.string(),
  request_format: z.string(),
  status: z.string(),
  subscriptions: z.array(z.string()).optional().transform((v) => v ?? []),
  description: nullableString,
});
export type ZendeskWebhook = z.output<typeof webhookSchema>;

export const webhookListResponseSchema = z.object({
  webhooks: z.array(webhookSchema),
  meta: z
    .object({
      has_more: z.boolean().optional(),
      after_cursor: z.string().nullable().optional(),
    })
    .optional(),
});
export type ZendeskWebhookPage = z.output<typeof webhookListResponseSchema>;

export const webhookResponseSchema = z.object({ webhook: webhookSchema });

export const signingSecretResponseSchema = z.object({
  signing_secret: z.object({ algorithm: z.string().optional(), secret: z.string().min(1) }),
});

/** What we write when creating or updating our webhook (zendesk.md §1.3). */
export interface WebhookDefinition {
  name: string;
  description: string;
  endpoint: string;
  http_method: 'POST';
  request_format: 'json';
  status: 'active';
  subscriptions: string[];
}
