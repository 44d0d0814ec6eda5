/**
 * Expected refusals of call commands (values, not exceptions), each with the HTTP status the API
 * answers. Codes follow `<AREA>_ERR_<WHAT>` (STYLE.md) and are defined once, in src/errors.ts.
 */
import { ERROR_CODES, type ErrorCode } from '../errors.js';


export type CallErrorCode = Extract<ErrorCode, `CALL_ERR_${string}`>;

export interface CallCommandError {
  code: CallErrorCode;
  message: string;
}

export function callError(code: CallErrorCode, message: string = ERROR_CODES[code].title): CallCommandError {
  return { code, message };
}
