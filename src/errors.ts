/**
 * Application error codes (`<AREA>_ERR_<WHAT>`), each defined once with the HTTP status it maps to.
 * Expected failures are values; these are thrown only across boundaries that turn them into an
 * HTTP problem (src/http) or a config refusal (src/config). The SIP engine has its own codes in
 * src/sip/message/sip-error-codes.ts because src/sip imports nothing from the rest of the application.
 */
export const ERROR_CODES = {
  CONFIG_ERR_INVALID: { http: 500, title: 'Invalid configuration' },
  API_ERR_VALIDATION: { http: 400, title: 'Request validation failed' },
  API_ERR_UNAUTHORIZED: { http: 401, title: 'Missing or invalid API key' },
  API_ERR_NOT_FOUND: { http: 404, title: 'Not found' },
  API_ERR_CONFLICT: { http: 409, title: 'Conflict' },
  API_ERR_UNSUPPORTED_MEDIA_TYPE: { http: 415, title: 'Unsupported media type' },
  API_ERR_PAYLOAD_TOO_LARGE: { http: 413, title: 'Payload too large' },
  API_ERR_INTERNAL: { http: 500, title: 'Internal error' },
  WEBHOOK_ERR_SIGNATURE: { http: 401, title: 'Webhook signature invalid' },
  WEBHOOK_ERR_STALE: { http: 401, title: 'Webhook timestamp outside the accepted window' },
  WEBHOOK_ERR_MALFORMED: { http: 400, title: 'Webhook body malformed' },
  ZD_ERR_UNAUTHORIZED: { http: 422, title: 'Zendesk rejected the credentials' },
  ZD_ERR_NOT_FOUND: { http: 422, title: 'Zendesk account or resource not found' },
  ZD_ERR_FORBIDDEN: { http: 422, title: 'Zendesk user lacks the needed role or permission' },
  ZD_ERR_RATE_LIMITED: { http: 503, title: 'Zendesk rate limit reached' },
  ZD_ERR_UNAVAILABLE: { http: 502, title: 'Zendesk unavailable' },
  ZD_ERR_BAD_RESPONSE: { http: 502, title: 'Zendesk answered something unexpected' },
  STORE_ERR_UNAVAILABLE: { http: 503, title: 'Store unavailable' },
  CALL_ERR_SESSION_NOT_FOUND: { http: 404, title: 'Session not found' },
  CALL_ERR_AGENT_NOT_FOUND: { http: 404, title: 'Agent not found' },
  CALL_ERR_DESTINATION_NOT_FOUND: { http: 422, title: 'Unknown transfer destination for this agent' },
  CALL_ERR_NOT_ANSWERED: { http: 409, title: 'The call is not answered yet' },
  CALL_ERR_ENDED: { http: 409, title: 'The call has ended' },
  CALL_ERR_ALREADY_TRANSFERRED: { http: 409, title: 'The call was already transferred' },
  CALL_ERR_TRANSFER_IN_PROGRESS: { http: 409, title: 'A transfer is already in progress for this session' },
  CALL_ERR_IDEMPOTENCY_MISMATCH: { http: 422, title: 'Idempotency-Key reused with a different request' },
  CALL_ERR_NOT_OWNED: { http: 503, title: 'The call is handled by another instance' },
  CALL_ERR_OWNER_UNREACHABLE: { http: 503, title: 'The instance that owns the call cannot be reached' },
  CALL_ERR_OWNER_TIMEOUT: { http: 504, title: 'The instance that owns the call did not answer in time' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class TalkbridgeError extends Error {
  readonly code: ErrorCode;
  readonly context: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, context: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TalkbridgeError';
    this.code = code;
    this.context = context;
  }

  get httpStatus(): number {
    return ERROR_CODES[this.code].http;
  }

  get title(): string {
    return ERROR_CODES[this.code].title;
  }
}
