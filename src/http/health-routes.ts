/**
 * Operational endpoints (no authentication): `GET /health` liveness (the process answers),
 * `GET /ready` readiness (every registered check passes: store reachable, SIP server connected …),
 * `GET /metrics` Prometheus exposition of the registry passed to the server factory.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Registry } from 'prom-client';
import { z } from 'zod';

/** A named readiness probe; resolves true when ready. Throwing counts as not ready. */
export interface ReadinessCheck {
  name: string;
  check: () => Promise<boolean>;
}

const readySchema = z.object({
  status: z.enum(['ready', 'not_ready']),
  checks: z.record(z.string(), z.enum(['ok', 'failing'])),
});

export function registerHealthRoutes(app: FastifyInstance, deps: { registry: Registry; readiness: readonly ReadinessCheck[] }): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.get(
    '/health',
    {
      logLevel: 'warn',
      schema: { tags: ['operations'], summary: 'Liveness', response: { 200: z.object({ status: z.literal('ok') }) } },
    },
    async () => ({ status: 'ok' as const }),
  );
  typed.get(
    '/ready',
    {
      logLevel: 'warn',
      schema: { tags: ['operations'], summary: 'Readiness of the store and other dependencies', response: { 200: readySchema, 503: readySchema } },
    },
    async (_request, reply) => {
      const entries = await Promise.all(
        deps.readiness.map(async (r) => [r.name, await r.check().then((ok) => (ok ? 'ok' : 'failing'), () => 'failing')] as const),
      );
      const checks = Object.fromEntries(entries) as Record<string, 'ok' | 'failing'>;
      const ready = entries.every(([, state]) => state === 'ok');
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks });
    },
  );
  app.get('/metrics', { logLevel: 'warn', schema: { tags: ['operations'], summary: 'Prometheus metrics', hide: false } }, async (_request, reply) => {
    const body = await deps.registry.metrics();
    return reply.type(deps.registry.contentType).send(body);
  });
}
