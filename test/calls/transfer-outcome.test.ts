import { describe, expect, it } from 'vitest';
import { transferOutcome, type TransferAttemptEnd } from '../../src/calls/transfer-outcome.js';

const status = (s: number, cancelled: TransferAttemptEnd['cancelled'] = null): TransferAttemptEnd => ({
  kind: 'status',
  status: s,
  reason: null,
  cancelled,
});

describe('transferOutcome', () => {
  it.each<[string, TransferAttemptEnd, string, number | null]>([
    ['200 → answered', status(200), 'answered', 200],
    ['202 → answered', status(202), 'answered', 202],
    ['486 → busy', status(486), 'busy', 486],
    ['600 → busy', status(600), 'busy', 600],
    ['487 after ring-timeout CANCEL → no_answer', status(487, 'ring_timeout'), 'no_answer', 487],
    ['408 after ring-timeout CANCEL → no_answer', status(408, 'ring_timeout'), 'no_answer', 408],
    ['480 after ring-timeout CANCEL → no_answer', status(480, 'ring_timeout'), 'no_answer', 480],
    ['480 without our CANCEL → rejected', status(480), 'rejected', 480],
    ['408 without our CANCEL → rejected', status(408), 'rejected', 408],
    ['603 → rejected', status(603), 'rejected', 603],
    ['404 → rejected', status(404), 'rejected', 404],
    ['503 → rejected', status(503), 'rejected', 503],
    ['302 (not followed) → rejected', status(302), 'rejected', 302],
    ['488 → rejected', status(488), 'rejected', 488],
    ['486 even after ring timeout stays busy', status(486, 'ring_timeout'), 'busy', 486],
    ['200 racing our ring-timeout CANCEL → no_answer', status(200, 'ring_timeout'), 'no_answer', 200],
    ['487 after caller hung up → failed', status(487, 'caller_gone'), 'failed', 487],
    ['transport error → failed', { kind: 'error', message: 'connection refused', cancelled: null }, 'failed', null],
    ['error after ring timeout → no_answer', { kind: 'error', message: 'x', cancelled: 'ring_timeout' }, 'no_answer', null],
  ])('%s', (_name, end, outcome, sip) => {
    const verdict = transferOutcome(end);
    expect(verdict.outcome).toBe(outcome);
    expect(verdict.sipStatus).toBe(sip);
    expect(verdict.reason).toBeTruthy();
  });
});
