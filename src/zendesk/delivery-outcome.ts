/** The result of processing one recorded delivery (or internal job); the worker acts on it. */
import type { ZendeskFailure } from './zendesk-client.js';

export type DeliveryOutcome =
  | { kind: 'processed'; note: string }
  | { kind: 'ignored'; reason: string }
  /** Try again later (Zendesk down, rate limited, credentials being fixed). */
  | { kind: 'retry'; error: string; retryAfterMs: number | null }
  /** Retrying cannot help (the ticket is gone, Zendesk refuses the request). */
  | { kind: 'failed'; error: string };

export const processed = (note: string): DeliveryOutcome => ({ kind: 'processed', note });
export const ignored = (reason: string): DeliveryOutcome => ({ kind: 'ignored', reason });

/**
 * A Zendesk failure while processing: 5xx/timeouts/429 and 401/403 are retried (the operator may
 * re-save working credentials meanwhile; the connection is re-read on every attempt); 404 and other
 * refusals are final.
 */
export function outcomeFromFailure(what: string, failure: ZendeskFailure): DeliveryOutcome {
  const error = `${what}: ${failure.kind} (${failure.message})`;
  switch (failure.kind) {
    case 'unavailable':
    case 'rate_limited':
    case 'unauthorized':
    case 'forbidden':
      return { kind: 'retry', error, retryAfterMs: failure.retryAfterMs };
    case 'not_found':
    case 'rejected':
    case 'bad_response':
      return { kind: 'failed', error };
  }
}
