import { TalkbridgeError } from '../../errors.js';

/** Map a UNIQUE/PRIMARY KEY violation to API_ERR_CONFLICT; rethrow anything else unchanged. */
export function uniqueViolation(error: unknown, message: string): unknown {
  const code = (error as { code?: string }).code;
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return new TalkbridgeError('API_ERR_CONFLICT', message, {}, { cause: error });
  }
  return error;
}
