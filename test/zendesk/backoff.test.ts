import { describe, expect, it } from 'vitest';
import { backoffDelay, parseRetryAfter } from '../../src/zendesk/backoff.js';

describe('parseRetryAfter (RFC 9110 §10.2.3)', () => {
  const now = Date.parse('2025-06-01T10:00:00Z');
  it.each<[string | string[] | undefined, number | null]>([
    ['2', 2_000],
    [' 0 ', 0],
    [['7', '9'], 7_000],
    ['Sun, 01 Jun 2025 10:00:30 GMT', 30_000],
    ['Sun, 01 Jun 2025 09:59:00 GMT', 0],
    ['soon', null],
    ['-1', null],
    [undefined, null],
  ])('%j → %j ms', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});

describe('backoffDelay', () => {
  const policy = { baseMs: 100, maxMs: 1_000 };
  it.each([
    [1, 0, 50],
    [1, 1, 100],
    [2, 1, 200],
    [3, 0.5, 300],
    [10, 1, 1_000],
    [10, 0, 500],
  ])('attempt %i with random %f → %i ms', (attempt, random, expected) => {
    expect(backoffDelay(policy, attempt, () => random)).toBe(expected);
  });
});
