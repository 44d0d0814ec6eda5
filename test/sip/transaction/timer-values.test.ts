import { describe, expect, it } from 'vitest';
import { computeTimerValues, DEFAULT_TIMER_SETTINGS } from '../../../src/sip/transaction/timer-values.js';

describe('timer values (RFC 3261 Table 4, RFC 6026)', () => {
  it('defaults T1/T2/T4 to 500 ms / 4 s / 5 s', () => {
    expect(DEFAULT_TIMER_SETTINGS).toEqual({ t1: 500, t2: 4000, t4: 5000 });
  });

  it('unreliable transports', () => {
    expect(computeTimerValues(false)).toEqual({
      reliable: false,
      t1: 500,
      t2: 4000,
      A: 500,
      B: 32_000,
      D: 32_000,
      E: 500,
      F: 32_000,
      G: 500,
      H: 32_000,
      I: 5000,
      J: 32_000,
      K: 5000,
      L: 32_000,
      M: 32_000,
    });
  });

  it('reliable transports: A/E/G not armed, D/I/J/K zero, B/F/H/L/M still 64*T1', () => {
    expect(computeTimerValues(true, { t1: 100 })).toMatchObject({ A: null, E: null, G: null, D: 0, I: 0, J: 0, K: 0, B: 6400, F: 6400, H: 6400, L: 6400, M: 6400 });
  });

  it('values are injected per instance', () => {
    expect(computeTimerValues(false, { t1: 100, t2: 400, t4: 1000 })).toMatchObject({ A: 100, E: 100, G: 100, t2: 400, I: 1000, K: 1000, J: 6400 });
  });
});
