/**
 * RFC 3261 §8.1.3.1: a transaction timeout "MUST be treated as a 408 (Request Timeout) status
 * code" and a fatal transport error "MUST be treated as a 503 (Service Unavailable) status code".
 * For TUs that handle every outcome as a response, this builds that local response.
 */
import type { SipRequest, SipResponse } from '../message/sip-message.js';
import { createResponse } from './create-response.js';
import type { TransactionFailure } from './transaction-types.js';

export function failureResponse(request: SipRequest, failure: TransactionFailure): SipResponse {
  return createResponse(request, failure.status, failure.reason);
}
