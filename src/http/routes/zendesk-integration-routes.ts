/**
 * `PUT|GET|DELETE /v1/integrations/zendesk` (organisation API key): connect the organisation's Zendesk
 * account (credentials checked first, webhook upserted, signing secret stored), show the connection
 * without secrets, disconnect (our webhook removed). Failures are problem+json naming what is wrong.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { BEARER_SECURITY, organisationOf } from '../api-key-auth.js';
import { problemSchema, sendProblem } from '../problem.js';
import { connectInputSchema } from '../../zendesk/connect-input.schema.js';
import type { ZendeskConnectionService } from '../../zendesk/zendesk-connection-service.js';

export interface ZendeskIntegrationRoutesOptions {
  connections: ZendeskConnectionService;
}

export const connectionViewSchema = z
  .object({
    connectionId: z.string(),
    orgId: z.string(),
    subdomain: z.string(),
    email: z.string(),
    state: z.enum(['connected', 'error']),
    lastError: z.string().nullable(),
    webhookId: z.string().nullable(),
    webhookEndpoint: z.string(),
    signingSecretStored: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'ZendeskConnection' });

const connectResultSchema = connectionViewSchema.extend({ webhookAction: z.enum(['created', 'updated', 'unchanged']) });

const disconnectResultSchema = z.object({
  disconnected: z.literal(true),
  connectionId: z.string(),
  webhookRemoved: z.boolean(),
  removedWebhookIds: z.array(z.string()),
});

const problems = { 400: problemSchema, 401: problemSchema, 404: problemSchema, 422: problemSchema, 502: problemSchema, 503: problemSchema };
const PATH = '/v1/integrations/zendesk';

export function zendeskIntegrationRoutes(options: ZendeskIntegrationRoutesOptions): FastifyPluginAsync {
  const { connections } = options;
  return async (app) => {
    const typed = app.withTypeProvider<ZodTypeProvider>();

    typed.put(
      PATH,
      {
        onRequest: app.requireApiKey,
        schema: {
          tags: ['zendesk'],
          summary: 'Connect Zendesk: check the credentials, upsert the opencx-messaging-ticket-link webhook, store its signing secret',
          security: BEARER_SECURITY,
          body: connectInputSchema,
          response: { 200: connectResultSchema, ...problems },
        },
      },
      async (request, reply) => {
        const org = organisationOf(request);
        const result = await connections.connect(org.id, request.body);
        if (!result.ok) return sendProblem(request, reply, { code: result.error.code, detail: result.error.message });
        return reply.send({ ...result.value.connection, webhookAction: result.value.webhookAction });
      },
    );

    typed.get(
      PATH,
      {
        onRequest: app.requireApiKey,
        schema: { tags: ['zendesk'], summary: 'Show the Zendesk connection (no secrets)', security: BEARER_SECURITY, response: { 200: connectionViewSchema, 401: problemSchema, 404: problemSchema } },
      },
      async (request, reply) => {
        const view = await connections.show(organisationOf(request).id);
        if (!view) return sendProblem(request, reply, { code: 'API_ERR_NOT_FOUND', detail: 'Zendesk is not connected for this organisation' });
        return reply.send(view);
      },
    );

    typed.delete(
      PATH,
      {
        onRequest: app.requireApiKey,
        schema: {
          tags: ['zendesk'],
          summary: 'Disconnect Zendesk: remove our webhook from the account, then the connection',
          security: BEARER_SECURITY,
          querystring: z.object({ force: z.enum(['true', 'false']).optional().describe('remove the connection even if Zendesk cannot be reached') }),
          response: { 200: disconnectResultSchema, ...problems },
        },
      },
      async (request, reply) => {
        const result = await connections.disconnect(organisationOf(request).id, { force: request.query.force === 'true' });
        if (!result.ok) return sendProblem(request, reply, { code: result.error.code, detail: result.error.message });
        return reply.send({ disconnected: true as const, connectionId: result.value.connectionId, webhookRemoved: result.value.webhookRemoved, removedWebhookIds: result.value.removed });
      },
    );
  };
}
