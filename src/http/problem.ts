/**
 * RFC 9457 problem details: every error response of the HTTP API is `application/problem+json`
 * with type, title, status, detail, instance, plus our stable `code` (src/errors.ts) and, for
 * validation failures, the failing fields.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ERROR_CODES, type ErrorCode } from '../errors.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export const problemSchema = z
  .object({
    type: z.string().describe('URI identifying the problem type (urn:talkbridge:problem:<code>)'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().describe('The request path the problem occurred on'),
    code: z.string().describe('Stable error code, e.g. API_ERR_VALIDATION'),
    requestId: z.string(),
    errors: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional()
      .describe('Validation failures: `body.destination`, `querystring.state` …'),
  })
  .meta({ id: 'Problem' });

export type Problem = z.infer<typeof problemSchema>;

export interface ProblemInput {
  code: ErrorCode;
  detail: string;
  /** Overrides the code's mapped HTTP status (rare: e.g. 405). */
  status?: number;
  errors?: { path: string; message: string }[];
}

export function problemType(code: ErrorCode): string {
  return `urn:talkbridge:problem:${code}`;
}

export function buildProblem(request: FastifyRequest, input: ProblemInput): Problem {
  const def = ERROR_CODES[input.code];
  const problem: Problem = {
    type: problemType(input.code),
    title: def.title,
    status: input.status ?? def.http,
    detail: input.detail,
    instance: request.url.split('?')[0] ?? request.url,
    code: input.code,
    requestId: String(request.id),
  };
  if (input.errors) problem.errors = input.errors;
  return problem;
}

/** Send a problem response (use from route handlers for expected failures). */
export function sendProblem(request: FastifyRequest, reply: FastifyReply, input: ProblemInput): FastifyReply {
  const problem = buildProblem(request, input);
  return reply.code(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
}
