/**
 * The AI agent's API over its phone sessions (issue 5), organisation API key required:
 *
 * - `POST /v1/sessions/{id}/transfer` {destination}: 202 with the transfer (id + state); with
 *   `?wait=true` it waits (bounded) for the outcome and answers 200 once it has one. `Idempotency-Key`
 *   makes retries return the same transfer (`Idempotent-Replayed: true`).
 * - `GET /v1/sessions/{id}`: the session, its transfers (outcome, exact headers sent) and timeline.
 * - `GET /v1/sessions?state=live`: the organisation's sessions, newest first.
 * - `POST /v1/sessions/{id}/hangup`, `GET /v1/agents/{id}/destinations`.
 *
 * Another organisation's session or agent is 404, never 403 (nothing leaks about its existence).
 * With several instances, `controller` forwards transfer/hangup to the instance that owns the call
 * (503 CALL_ERR_OWNER_UNREACHABLE when it is gone, 504 CALL_ERR_OWNER_TIMEOUT when it is silent).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { CallControllerPort } from '../../calls/call-controller.js';
import type { Store } from '../../store/store.js';
import { BEARER_SECURITY, organisationOf } from '../api-key-auth.js';
import { problemSchema, sendProblem } from '../problem.js';
import { sendCallProblem } from './sessions-problem.js';
import {
  destinationViewSchema,
  destinationView,
  idempotencyKeySchema,
  isFinalTransfer,
  sessionDetailSchema,
  sessionStateSchema,
  sessionView,
  sessionViewSchema,
  timelineView,
  transferBodySchema,
  transferView,
  transferViewSchema,
} from './sessions-schemas.js';

export interface SessionsRoutesOptions {
  controller: CallControllerPort;
  store: Pick<Store, 'sessions' | 'transfers'>;
  /** Upper bound of `?wait=true` (config calls.transferWaitMaxSeconds). */
  transferWaitMaxSeconds: number;
}

const idParams = z.object({ id: z.string().min(1).max(64).regex(/^[A-Za-z0-9._-]+$/, 'must be an id') });
const tags = ['sessions'];
const problems = { 401: problemSchema, 404: problemSchema };

export function sessionsRoutes(options: SessionsRoutesOptions): FastifyPluginAsync {
  const { controller, store } = options;
  return async (app) => {
    const typed = app.withTypeProvider<ZodTypeProvider>();

    typed.post(
      '/v1/sessions/:id/transfer',
      {
        onRequest: app.requireApiKey,
        schema: {
          tags,
          summary: 'Transfer the caller to one of the agent destinations (Zendesk SIP-IN line or PSTN number)',
          description:
            'SIP destinations get From = caller E.164 (anonymous: the OpenCX-side number), X-OPENCX-SESSION-ID, X-OPENCX-AGENT-ID, ' +
            'X-OPENCX-TRANSFER, X-OPENCX-CONTACT-ID (when resolved) and X-Zendesk-Ticket-Id (when stamped); PSTN destinations none. ' +
            'While the destination rings the caller stays with the AI agent; on failure nothing changes for them.',
          security: BEARER_SECURITY,
          params: idParams,
          querystring: z.object({
            wait: z.enum(['true', 'false']).optional().describe('wait for the outcome before answering'),
            timeout: z.coerce.number().positive().optional().describe('seconds to wait at most (capped by the server)'),
          }),
          headers: z.object({ 'idempotency-key': idempotencyKeySchema }),
          body: transferBodySchema,
          response: {
            200: transferViewSchema.describe('The transfer with its outcome'),
            202: transferViewSchema.describe('The transfer accepted; poll GET /v1/sessions/{id} or use ?wait=true'),
            ...problems,
            400: problemSchema,
            409: problemSchema,
            422: problemSchema,
            503: problemSchema,
            504: problemSchema,
          },
        },
      },
      async (request, reply) => {
        const org = organisationOf(request);
        const result = await controller.transfer({
          orgId: org.id,
          sessionId: request.params.id,
          destination: request.body.destination,
          idempotencyKey: request.headers['idempotency-key'] ?? null,
        });
        if (!result.ok) return sendCallProblem(request, reply, result.error);
        let transfer = result.value.transfer;
        if (result.value.replayed) reply.header('idempotent-replayed', 'true');
        if (request.query.wait === 'true' && !isFinalTransfer(transfer)) {
          const seconds = Math.min(request.query.timeout ?? options.transferWaitMaxSeconds, options.transferWaitMaxSeconds);
          transfer = (await controller.waitForTransfer(transfer.id, seconds * 1000)) ?? transfer;
        }
        reply.header('location', `/v1/sessions/${transfer.sessionId}`);
        return reply.code(isFinalTransfer(transfer) ? 200 : 202).send(transferView(transfer));
      },
    );

    typed.get(
      '/v1/sessions/:id',
      {
        onRequest: app.requireApiKey,
        schema: {
          tags,
          summary: 'A session with its transfers (outcome, exact headers sent) and timeline',
          security: BEARER_SECURITY,
          params: idParams,
          response: { 200: sessionDetailSchema, ...problems },
        },
      },
      async (request, reply) => {
        const org = organisationOf(request);
        const session = await store.sessions.get(request.params.id);
        if (!session || session.orgId !== org.id) {
          return sendProblem(request, reply, { code: 'API_ERR_NOT_FOUND', detail: `no session ${request.params.id}` });
        }
        const [transfers, timeline] = await Promise.all([store.transfers.listBySession(session.id), store.sessions.timeline(session.id)]);
        return reply.send({ session: sessionView(session), transfers: transfers.map(transferView), timeline: timeline.map(timelineView) });
      },
    );

    typed.get(
      '/v1/sessions',
      {
        onRequest: app.requireApiKey,
        schema: {
          tags,
          summary: "The organisation's sessions, newest first (`state=live`: every state but ended)",
          security: BEARER_SECURITY,
          querystring: z.object({
            state: z.union([z.literal('live'), sessionStateSchema]).optional(),
            limit: z.coerce.number().int().min(1).max(500).default(100),
          }),
          response: { 200: z.object({ sessions: z.array(sessionViewSchema) }), 400: problemSchema, 401: problemSchema },
        },
      },
      async (request, reply) => {
        const org = organisationOf(request);
        const sessions = await store.sessions.list(org.id, {
          limit: request.query.limit,
          ...(request.query.state ? { state: request.query.state } : {}),
        });
        return reply.send({ sessions: sessions.map(sessionView) });
      },
    );

    typed.post(
      '/v1/sessions/:id/hangup',
      {
        onRequest: app.requireApiKey,
        schema: {
          tags,
          summary: 'End the call: BYE to every leg (a transfer still ringing is cancelled). Safe to repeat.',
          security: BEARER_SECURITY,
          params: idParams,
          response: { 200: z.object({ sessionId: z.string(), state: sessionStateSchema }), ...problems, 503: problemSchema, 504: problemSchema },
        },
      },
      async (request, reply) => {
        const result = await controller.hangup(organisationOf(request).id, request.params.id);
        if (!result.ok) return sendCallProblem(request, reply, result.error);
        return reply.send(result.value);
      },
    );

    typed.get(
      '/v1/agents/:id/destinations',
      {
        onRequest: app.requireApiKey,
        schema: {
          tags: ['agents'],
          summary: 'Transfer destinations of an AI agent (name them by id or label in a transfer)',
          security: BEARER_SECURITY,
          params: idParams,
          response: { 200: z.object({ agentId: z.string(), destinations: z.array(destinationViewSchema) }), ...problems },
        },
      },
      async (request, reply) => {
        const result = controller.destinations(organisationOf(request).id, request.params.id);
        if (!result.ok) return sendCallProblem(request, reply, result.error);
        return reply.send({ agentId: request.params.id, destinations: result.value.map(destinationView) });
      },
    );
  };
}
