import type { FastifyInstance } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { Registry } from 'prom-client';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { hashApiKey } from '../../src/config/api-key.js';
import { buildConfig } from '../../src/config/build-config.js';
import { TenantDirectory } from '../../src/config/tenant-directory.js';
import { TalkbridgeError } from '../../src/errors.js';
import { BEARER_SECURITY, organisationOf } from '../../src/http/api-key-auth.js';
import { createHttpServer } from '../../src/http/create-http-server.js';
import { createLogger } from '../../src/logger.js';

const config = buildConfig({
  http: { bodyLimitBytes: 1024 },
  organisations: [
    { id: 'org-a', name: 'A', apiKeys: [hashApiKey('key-a')] },
    { id: 'org-b', name: 'B', apiKeys: [hashApiKey('key-b'), hashApiKey('key-b2')] },
  ],
});

const routes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/things/:id',
    {
      onRequest: app.requireApiKey,
      schema: {
        tags: ['test'],
        security: BEARER_SECURITY,
        params: z.object({ id: z.string().regex(/^t_\d+$/) }),
        querystring: z.object({ wait: z.enum(['true', 'false']).optional() }),
        body: z.object({ destination: z.string().min(1), priority: z.number().int().optional() }),
        response: { 200: z.object({ org: z.string(), id: z.string(), destination: z.string() }) },
      },
    },
    async (request) => ({ org: organisationOf(request).id, id: request.params.id, destination: request.body.destination }),
  );
  app.get('/boom', async () => {
    throw new Error('secret internal detail');
  });
  app.get('/conflict', async () => {
    throw new TalkbridgeError('API_ERR_CONFLICT', 'a transfer is already in progress');
  });
  app.post('/webhook', { config: { rawBody: true } }, async (request) => {
    const raw = request.body as Buffer;
    return { isBuffer: Buffer.isBuffer(raw), text: raw.toString('utf8'), same: request.rawBody === raw };
  });
};

let app: FastifyInstance;
const logLines: string[] = [];
let ready = true;

beforeAll(async () => {
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  app = await createHttpServer({
    config,
    tenants: new TenantDirectory(config),
    logger: createLogger({ level: 'info', destination }),
    metrics: new Registry(),
    readiness: [{ name: 'store', check: async () => ready }],
    plugins: [{ plugin: routes, prefix: '/v1' }],
  });
});
afterAll(async () => {
  await app.close();
});

function expectProblem(response: { statusCode: number; headers: Record<string, unknown>; json: () => unknown }, status: number, code: string): Record<string, unknown> {
  expect(response.statusCode).toBe(status);
  expect(String(response.headers['content-type'])).toMatch(/^application\/problem\+json/);
  const body = response.json() as Record<string, unknown>;
  expect(body).toMatchObject({ status, code, type: `urn:talkbridge:problem:${code}` });
  expect(typeof body.title).toBe('string');
  expect(typeof body.detail).toBe('string');
  expect(typeof body.instance).toBe('string');
  expect(body.requestId).toBe(response.headers['x-request-id']);
  return body;
}

const auth = { authorization: 'Bearer key-a' };

describe('http base', () => {
  it('serves a route registered by a plugin, with the organisation of the key', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/things/t_1', headers: { authorization: 'Bearer key-b2' }, payload: { destination: 'zendesk' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ org: 'org-b', id: 't_1', destination: 'zendesk' });
  });

  it('accepts JSON with a charset parameter and +json types', async () => {
    for (const type of ['application/json; charset=utf-8', 'application/merge-patch+json']) {
      const res = await app.inject({ method: 'POST', url: '/v1/things/t_2', headers: { ...auth, 'content-type': type }, payload: '{"destination":"pstn-tier2"}' });
      expect(res.statusCode).toBe(200);
    }
  });

  it('404 problem for an unknown route', async () => {
    const body = expectProblem(await app.inject({ method: 'GET', url: '/v1/nothing?x=1' }), 404, 'API_ERR_NOT_FOUND');
    expect(body.instance).toBe('/v1/nothing');
  });

  it.each([
    ['no Authorization header', {}],
    ['wrong key', { authorization: 'Bearer nope' }],
    ['not a bearer', { authorization: 'Basic a2V5LWE6' }],
    ['empty bearer', { authorization: 'Bearer ' }],
  ])('401 problem: %s (before any body validation)', async (_name, headers) => {
    const res = await app.inject({ method: 'POST', url: '/v1/things/bad-id', headers, payload: { nope: true } });
    expectProblem(res, 401, 'API_ERR_UNAUTHORIZED');
    expect(res.headers['www-authenticate']).toBe('Bearer realm="talkbridge"');
  });

  it('400 problem listing every failing path (params, querystring, body)', async () => {
    const badBody = expectProblem(await app.inject({ method: 'POST', url: '/v1/things/t_1', headers: auth, payload: { destination: '', priority: 1.5 } }), 400, 'API_ERR_VALIDATION');
    expect((badBody.errors as { path: string }[]).map((e) => e.path)).toEqual(['body.destination', 'body.priority']);
    const badParams = expectProblem(await app.inject({ method: 'POST', url: '/v1/things/x', headers: auth, payload: { destination: 'a' } }), 400, 'API_ERR_VALIDATION');
    expect(badParams.errors).toEqual([{ path: 'params.id', message: expect.any(String) }]);
    const badQuery = expectProblem(await app.inject({ method: 'POST', url: '/v1/things/t_1?wait=maybe', headers: auth, payload: { destination: 'a' } }), 400, 'API_ERR_VALIDATION');
    expect((badQuery.errors as { path: string }[])[0]?.path).toBe('querystring.wait');
  });

  it('400 problem for malformed JSON, empty JSON and __proto__ keys', async () => {
    const headers = { ...auth, 'content-type': 'application/json' };
    expectProblem(await app.inject({ method: 'POST', url: '/v1/things/t_1', headers, payload: '{"destination":' }), 400, 'API_ERR_VALIDATION');
    expectProblem(await app.inject({ method: 'POST', url: '/v1/things/t_1', headers, payload: '' }), 400, 'API_ERR_VALIDATION');
    expectProblem(await app.inject({ method: 'POST', url: '/v1/things/t_1', headers, payload: '{"destination":"a","__proto__":{"x":1}}' }), 400, 'API_ERR_VALIDATION');
  });

  it.each(['text/plain', 'application/x-www-form-urlencoded', 'application/xml'])('415 problem for %s', async (type) => {
    const res = await app.inject({ method: 'POST', url: '/v1/things/t_1', headers: { ...auth, 'content-type': type }, payload: 'destination=a' });
    const body = expectProblem(res, 415, 'API_ERR_UNSUPPORTED_MEDIA_TYPE');
    expect(body.detail).toContain(type);
  });

  it('413 problem above the body limit', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/things/t_1', headers: auth, payload: { destination: 'x'.repeat(2000) } });
    expectProblem(res, 413, 'API_ERR_PAYLOAD_TOO_LARGE');
  });

  it('maps a thrown TalkbridgeError to its status, and hides internal errors', async () => {
    const conflict = expectProblem(await app.inject({ method: 'GET', url: '/v1/conflict' }), 409, 'API_ERR_CONFLICT');
    expect(conflict.detail).toBe('a transfer is already in progress');
    const boom = expectProblem(await app.inject({ method: 'GET', url: '/v1/boom' }), 500, 'API_ERR_INTERNAL');
    expect(boom.detail).not.toContain('secret internal detail');
  });

  it('gives raw-body routes the exact bytes, unparsed', async () => {
    const payload = '{"b":1,  "a":"ü"}';
    const res = await app.inject({ method: 'POST', url: '/v1/webhook', headers: { 'content-type': 'application/json; charset=utf-8' }, payload });
    expect(res.json()).toEqual({ isBuffer: true, text: payload, same: true });
    const malformed = await app.inject({ method: 'POST', url: '/v1/webhook', headers: { 'content-type': 'application/json' }, payload: '{not json' });
    expect(malformed.statusCode).toBe(200);
  });

  it('echoes a safe x-request-id and replaces an unsafe one', async () => {
    const given = await app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'abc-123' } });
    expect(given.headers['x-request-id']).toBe('abc-123');
    const unsafe = await app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'a b\u0001' } });
    expect(unsafe.headers['x-request-id']).toMatch(/^req_[0-9a-f]{16}$/);
  });

  it('GET /health is live, GET /ready reports checks', async () => {
    expect((await app.inject({ method: 'GET', url: '/health' })).json()).toEqual({ status: 'ok' });
    expect((await app.inject({ method: 'GET', url: '/ready' })).json()).toEqual({ status: 'ready', checks: { store: 'ok' } });
    ready = false;
    const notReady = await app.inject({ method: 'GET', url: '/ready' });
    ready = true;
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json()).toEqual({ status: 'not_ready', checks: { store: 'failing' } });
  });

  it('GET /metrics exposes the registry in Prometheus text format', async () => {
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toContain('talkbridge_http_request_duration_seconds_bucket');
  });

  it('serves the OpenAPI document at /docs/json and the UI at /docs', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json() as {
      openapi: string;
      paths: Record<string, Record<string, { security?: unknown; requestBody?: unknown }>>;
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.paths['/v1/things/{id}']?.post?.security).toEqual(BEARER_SECURITY);
    expect(doc.paths['/v1/things/{id}']?.post?.requestBody).toBeDefined();
    expect(doc.paths['/health']).toBeDefined();
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    const ui = await app.inject({ method: 'GET', url: '/docs' });
    expect([200, 302]).toContain(ui.statusCode);
  });

  it('never logs the API key', async () => {
    await app.inject({ method: 'POST', url: '/v1/things/t_1', headers: { authorization: 'Bearer key-a' }, payload: { destination: 'a' } });
    await app.inject({ method: 'POST', url: '/v1/things/t_1', headers: { authorization: 'Bearer wrong-secret-key' }, payload: { destination: 'a' } });
    const all = logLines.join('');
    expect(all).toContain('"reqId"');
    expect(all).not.toContain('key-a');
    expect(all).not.toContain('wrong-secret-key');
  });
});
