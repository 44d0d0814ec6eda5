/**
 * Expected refusals of call commands (values, not exceptions), each with the HTTP status the API
 * answers. Codes follow `<AREA>_ERR_<WHAT>` (STYLE.md).
 */
export const CALL_ERRORS = {
  CALL_ERR_SESSION_NOT_FOUND: { http: 404, title: 'Session not found' },
  CALL_ERR_AGENT_NOT_FOUND: { http: 404, title: 'Agent not found' },
  CALL_ERR_DESTINATION_NOT_FOUND: { http: 422, title: 'Unknown transfer destination for this agent' },
  CALL_ERR_NOT_ANSWERED: { http: 409, title: 'The call is not answered yet' },
  CALL_ERR_ENDED: { http: 409, title: 'The call has ended' },
  CALL_ERR_ALREADY_TRANSFERRED: { http: 409, title: 'The call was already transferred' },
  CALL_ERR_TRANSFER_IN_PROGRESS: { http: 409, title: 'A transfer is already in progress for this session' },
  CALL_ERR_IDEMPOTENCY_MISMATCH: { http: 422, title: 'Idempotency-Key reused with a different request' },
  CALL_ERR_NOT_OWNED: { http: 503, title: 'The call is handled by another instance' },
} as const;

export type CallErrorCode = keyof typeof CALL_ERRORS;

export interface CallCommandError {
  code: CallErrorCode;
  message: string;
}

export function callError(code: CallErrorCode, message: string = CALL_ERRORS[code].title): CallCommandError {
  return { code, message };
}
