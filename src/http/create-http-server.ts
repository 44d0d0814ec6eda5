/**
 * The HTTP server factory (fastify 5 + zod type provider). Other modules add their routes as
 * plugins; the base provides:
 *
 * - zod validation/serialisation: declare `schema: { body, querystring, params, response }` with zod
 *   schemas and use `app.withTypeProvider<ZodTypeProvider>()` (or FastifyPluginAsyncZod);
 * - errors: throw `TalkbridgeError(code, detail)` or call `sendProblem()`; every error, 404, 401,
 *   400 (validation, with each failing path), 413, 415 and 500 is `application/problem+json`;
 * - auth: `onRequest: app.requireApiKey` (runs before body parsing and validation, so an unauthenticated request gets 401, never 400) then `organisationOf(request)` (api-key-auth.ts); add
 *   `security: BEARER_SECURITY` to the schema for the OpenAPI document;
 * - raw body for signed webhooks: route `config: { rawBody: true }` → `request.body` is the exact
 *   Buffer, nothing parsed, verify the HMAC then `JSON.parse` yourself (json-body-parser.ts);
 * - OpenAPI: UI at `GET /docs`, the JSON document at `GET /docs/json` (add `tags`/`summary`);
 * - `GET /health`, `GET /ready`, `GET /metrics`; request ids (`x-request-id` in and out);
 *   request logs through the given pino logger (headers are not logged; secrets redacted).
 *
 * Nothing listens until the caller runs `await app.listen({ host, port })` (main.ts), and
 * `await app.close()` stops it.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import { Histogram, type Registry } from 'prom-client';
import type { TalkbridgeConfig } from '../config/config.schema.js';
import type { TenantDirectory } from '../config/tenant-directory.js';
import type { Logger } from '../logger.js';
import { installApiKeyAuth } from './api-key-auth.js';
import { installErrorHandlers } from './error-handler.js';
import { type ReadinessCheck, registerHealthRoutes } from './health-routes.js';
import { installJsonBodyParser } from './json-body-parser.js';

/** A route module: a plugin, or a plugin with a URL prefix (e.g. `/v1`). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type HttpPlugin = FastifyPluginAsync<any> | { plugin: FastifyPluginAsync<any>; prefix?: string };

export interface HttpServerOptions {
  config: Pick<TalkbridgeConfig, 'http' | 'instance'>;
  tenants: TenantDirectory;
  logger: Logger;
  /** prom-client registry served at /metrics (HTTP request metrics are added to it). */
  metrics: Registry;
  readiness?: readonly ReadinessCheck[];
  plugins?: readonly HttpPlugin[];
  /** Override of config.http.bodyLimitBytes. */
  bodyLimit?: number;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export async function createHttpServer(options: HttpServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger.child({ component: 'http' }),
    bodyLimit: options.bodyLimit ?? options.config.http.bodyLimitBytes,
    requestIdHeader: false,
    genReqId: (req: IncomingMessage) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : `req_${randomBytes(8).toString('hex')}`;
    },
    return503OnClosing: true,
    forceCloseConnections: true,
    routerOptions: { ignoreTrailingSlash: true },
  }) as unknown as FastifyInstance;

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installJsonBodyParser(app);
  installErrorHandlers(app);
  installApiKeyAuth(app, options.tenants);
  installRequestMetrics(app, options.metrics);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'talkbridge API',
        description: 'Phone sessions, transfers and the Zendesk integration. Errors are application/problem+json (RFC 9457).',
        version: '0.1.0',
      },
      servers: [{ url: options.config.http.publicBaseUrl }],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'Organisation API key' },
        },
      },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs', logLevel: 'warn' });

  registerHealthRoutes(app, { registry: options.metrics, readiness: options.readiness ?? [] });
  for (const entry of options.plugins ?? []) {
    if (typeof entry === 'function') await app.register(entry);
    else await app.register(entry.plugin, entry.prefix ? { prefix: entry.prefix } : {});
  }
  await app.ready();
  return app;
}

function installRequestMetrics(app: FastifyInstance, registry: Registry): void {
  const name = 'talkbridge_http_request_duration_seconds';
  const histogram =
    (registry.getSingleMetric(name) as Histogram<'method' | 'route' | 'status'> | undefined) ??
    new Histogram({
      name,
      help: 'HTTP request duration by route and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    });
  app.addHook('onResponse', async (request, reply) => {
    histogram.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
}
