/**
 * The only body type the API accepts is JSON (other types → 415 problem). The parser keeps the raw
 * bytes on `request.rawBody` for every JSON request.
 *
 * RAW BODY (webhooks): a route that must verify a signature over the exact bytes (Zendesk:
 * HMAC-SHA256 over timestamp + body) sets `config: { rawBody: true }`. For such routes the parser
 * does NOT parse: `request.body` is the raw `Buffer` (also on `request.rawBody`), and the handler
 * verifies the signature first, then parses the JSON itself (malformed → 400 WEBHOOK_ERR_MALFORMED).
 * Such routes must not declare a zod `body` schema. Other content types are accepted on those
 * routes as raw bytes too (`rawBodyAnyType: true`), if a sender needs it.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { TalkbridgeError } from '../errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Exact request body bytes (JSON requests and raw-body routes); undefined without a body. */
    rawBody?: Buffer;
  }
  interface FastifyContextConfig {
    /** Keep the body as a Buffer (no JSON parsing) so the handler can verify a signature first. */
    rawBody?: boolean;
    /** With rawBody: accept any content type as raw bytes (default: JSON only). */
    rawBodyAnyType?: boolean;
  }
}

/** Like fastify's default (secure-json-parse): a `__proto__` key is refused, not silently kept. */
function rejectProtoKeys(key: string, value: unknown): unknown {
  if (key === '__proto__') throw new SyntaxError('"__proto__" is not allowed as a key');
  return value;
}

function wantsRaw(request: FastifyRequest): boolean {
  return request.routeOptions.config?.rawBody === true;
}

export function installJsonBodyParser(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(/^application\/([\w.+-]+\+)?json\s*(;.*)?$/i, { parseAs: 'buffer' }, (request, body, done) => {
    const raw = body as Buffer;
    request.rawBody = raw;
    if (wantsRaw(request)) {
      done(null, raw);
      return;
    }
    if (raw.length === 0) {
      done(new TalkbridgeError('API_ERR_VALIDATION', 'the request body is empty; send a JSON document'), undefined);
      return;
    }
    try {
      done(null, JSON.parse(raw.toString('utf8'), rejectProtoKeys) as unknown);
    } catch (error) {
      done(new TalkbridgeError('API_ERR_VALIDATION', `the request body is not valid JSON: ${(error as Error).message}`), undefined);
    }
  });
  // Anything else: raw bytes for routes that opted in, 415 for the rest.
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => {
    const raw = body as Buffer;
    if (wantsRaw(request) && request.routeOptions.config?.rawBodyAnyType === true) {
      request.rawBody = raw;
      done(null, raw);
      return;
    }
    const type = request.headers['content-type'] ?? '(none)';
    done(new TalkbridgeError('API_ERR_UNSUPPORTED_MEDIA_TYPE', `content type ${type} is not accepted; send application/json`), undefined);
  });
}
