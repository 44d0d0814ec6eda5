/**
 * problem+json (RFC 9457) for refusals of call commands: the same shape as src/http/problem.ts,
 * with the call-control codes (CALL_ERR_*, src/calls/call-errors.ts) and their HTTP statuses.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CallCommandError } from '../../calls/call-errors.js';
import { ERROR_CODES } from '../../errors.js';
import { PROBLEM_CONTENT_TYPE, type Problem } from '../problem.js';

export function sendCallProblem(request: FastifyRequest, reply: FastifyReply, error: CallCommandError): FastifyReply {
  const def = ERROR_CODES[error.code];
  const problem: Problem = {
    type: `urn:talkbridge:problem:${error.code}`,
    title: def.title,
    status: def.http,
    detail: error.message,
    instance: request.url.split('?')[0] ?? request.url,
    code: error.code,
    requestId: String(request.id),
  };
  if (def.http === 503) reply.header('retry-after', '1');
  return reply.code(def.http).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
}
