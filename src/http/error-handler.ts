/**
 * Turns every failure into a problem+json response: TalkbridgeError (its code's status), zod
 * request validation (400 listing each failing path), fastify's own errors (413, 415, malformed
 * JSON) and anything else (500, detail withheld, logged with the request id).
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { type ErrorCode, TalkbridgeError } from '../errors.js';
import { sendProblem } from './problem.js';

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'API_ERR_PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'API_ERR_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'API_ERR_VALIDATION',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'API_ERR_VALIDATION',
  FST_ERR_CTP_INVALID_JSON_BODY: 'API_ERR_VALIDATION',
  FST_ERR_VALIDATION: 'API_ERR_VALIDATION',
};

export function installErrorHandlers(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) =>
    sendProblem(request, reply, { code: 'API_ERR_NOT_FOUND', detail: `no route for ${request.method} ${request.url.split('?')[0]}` }),
  );
  app.setErrorHandler((error: FastifyError, request, reply) => handleError(error, request, reply));
}

export function handleError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof TalkbridgeError) {
    if (error.httpStatus >= 500) request.log.error({ err: error }, 'request failed');
    const errors = Array.isArray(error.context.errors) ? (error.context.errors as { path: string; message: string }[]) : undefined;
    return sendProblem(request, reply, { code: error.code, detail: error.message, ...(errors ? { errors } : {}) });
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = (error as { validationContext?: string }).validationContext ?? 'body';
    const errors = error.validation.map((v) => ({
      path: [where, ...v.instancePath.split('/').filter((p) => p !== '')].join('.'),
      message: v.message ?? 'invalid',
    }));
    return sendProblem(request, reply, {
      code: 'API_ERR_VALIDATION',
      detail: `${errors.length} field${errors.length === 1 ? '' : 's'} failed validation: ${errors.map((e) => e.path).join(', ')}`,
      errors,
    });
  }
  const fastifyCode = (error as FastifyError).code;
  const mapped = fastifyCode ? FASTIFY_CODES[fastifyCode] : undefined;
  if (mapped) return sendProblem(request, reply, { code: mapped, detail: error.message });
  const status = (error as FastifyError).statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    // Other client errors fastify raises (e.g. 405/406): keep their status, generic code.
    return sendProblem(request, reply, { code: 'API_ERR_VALIDATION', status, detail: error.message });
  }
  request.log.error({ err: error }, 'unhandled error');
  return sendProblem(request, reply, { code: 'API_ERR_INTERNAL', detail: 'internal error; quote the requestId when reporting it' });
}
