import { describe, expect, it } from 'vitest';
import type { SessionState } from '../../src/sessions/session.js';
import { canTransition, transitionSession } from '../../src/sessions/session-lifecycle.js';

const ALL: SessionState[] = ['connecting', 'live', 'transferred', 'ended'];
const ALLOWED = new Set(['connecting>live', 'connecting>ended', 'live>transferred', 'live>ended', 'transferred>ended']);

describe('transitionSession', () => {
  const table = ALL.flatMap((from) => ALL.map((to) => [from, to, ALLOWED.has(`${from}>${to}`)] as const));
  it.each(table)('%s → %s allowed: %s', (from, to, allowed) => {
    const result = transitionSession(from, to);
    expect(result.ok).toBe(allowed);
    expect(canTransition(from, to)).toBe(allowed);
    if (result.ok) expect(result.state).toBe(to);
    else expect(result.reason).toMatch(from === to ? `already ${from}` : `${from} session cannot become ${to}`);
  });

  it('walks the happy path connecting → live → transferred → ended', () => {
    let state: SessionState = 'connecting';
    for (const next of ['live', 'transferred', 'ended'] as const) {
      const step = transitionSession(state, next);
      expect(step.ok).toBe(true);
      if (step.ok) state = step.state;
    }
    expect(state).toBe('ended');
  });
});
