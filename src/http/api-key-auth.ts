/**
 * Bearer API-key authentication. Routes opt in with `onRequest: app.requireApiKey` (onRequest, not
 * preHandler: it must run before body parsing/validation so a caller without a key learns nothing
 * about the body schema and gets 401, never 400) and
 * `security: BEARER_SECURITY` in their schema for the OpenAPI document); the handler then reads
 * `request.organisation` (non-null). The presented key is hashed and compared against every
 * configured hash in constant time (TenantDirectory.organisationForApiKey).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { OrganisationConfig } from '../config/config.schema.js';
import type { TenantDirectory } from '../config/tenant-directory.js';
import { sendProblem } from './problem.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The organisation the request's API key belongs to; set by `requireApiKey`, else null. */
    organisation: OrganisationConfig | null;
  }
  interface FastifyInstance {
    /** onRequest hook: 401 problem unless `Authorization: Bearer <key>` names a configured key. */
    requireApiKey: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  }
}

/** Put on a route schema so the OpenAPI document shows it needs the bearer key. */
export const BEARER_SECURITY = [{ bearerAuth: [] }];

/** The organisation of an authenticated request; throws if the route forgot `requireApiKey`. */
export function organisationOf(request: FastifyRequest): OrganisationConfig {
  if (!request.organisation) throw new Error('route uses organisationOf() without onRequest: app.requireApiKey');
  return request.organisation;
}

export function installApiKeyAuth(app: FastifyInstance, tenants: TenantDirectory): void {
  app.decorateRequest('organisation', null);
  app.decorate('requireApiKey', async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const header = request.headers.authorization;
    const match = header === undefined ? null : /^Bearer[ \t]+(\S{1,512})[ \t]*$/i.exec(header);
    const organisation = match?.[1] ? tenants.organisationForApiKey(match[1]) : null;
    if (!organisation) {
      reply.header('www-authenticate', 'Bearer realm="talkbridge"');
      await sendProblem(request, reply, {
        code: 'API_ERR_UNAUTHORIZED',
        detail: header === undefined ? 'send the organisation API key as "Authorization: Bearer <key>"' : 'the API key is not valid',
      });
      return;
    }
    request.organisation = organisation;
    request.log = request.log.child({ orgId: organisation.id });
  });
}
