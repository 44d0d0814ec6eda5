/**
 * `POST /webhooks/zendesk/{connectionId}`: the receiver URL our provisioned webhook points at.
 * No API key (Zendesk cannot send ours): the HMAC signature is the authentication. The body is kept
 * raw (`config.rawBody`) so the signature is verified over the exact bytes before any parsing.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { problemSchema, sendProblem } from '../problem.js';
import { INVOCATION_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, type WebhookReceiver } from '../../zendesk/webhook-receiver.js';

export interface ZendeskWebhookRoutesOptions {
  receiver: WebhookReceiver;
  /** Largest accepted delivery (Zendesk event payloads are a few KiB). */
  bodyLimit?: number;
}

const receiptSchema = z.object({
  status: z.enum(['accepted', 'duplicate', 'ignored']),
  deliveryId: z.string(),
});

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export function zendeskWebhookRoutes(options: ZendeskWebhookRoutesOptions): FastifyPluginAsync {
  return async (app) => {
    app.withTypeProvider<ZodTypeProvider>().post(
      '/webhooks/zendesk/:connectionId',
      {
        config: { rawBody: true, rawBodyAnyType: true },
        bodyLimit: options.bodyLimit ?? 1024 * 1024,
        schema: {
          tags: ['zendesk'],
          summary: 'Zendesk event-subscription webhook receiver (signed with the webhook signing secret)',
          params: z.object({ connectionId: z.string().min(1).max(128) }),
          response: { 200: receiptSchema, 400: problemSchema, 401: problemSchema, 404: problemSchema },
        },
      },
      async (request, reply) => {
        const result = await options.receiver.receive({
          connectionId: request.params.connectionId,
          rawBody: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
          signature: header(request.headers[SIGNATURE_HEADER]),
          timestamp: header(request.headers[TIMESTAMP_HEADER]),
          invocationId: header(request.headers[INVOCATION_HEADER]),
        });
        if (result.kind === 'rejected') return sendProblem(request, reply, { code: result.code, detail: result.detail });
        const status = result.duplicate ? 'duplicate' : result.handled ? 'accepted' : 'ignored';
        return reply.code(200).send({ status, deliveryId: result.deliveryId });
      },
    );
  };
}
