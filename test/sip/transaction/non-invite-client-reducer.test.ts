import { describe, expect, it } from 'vitest';
import { nonInviteClientReducer, startNonInviteClient } from '../../../src/sip/transaction/non-invite-client-reducer.js';
import { computeTimerValues } from '../../../src/sip/transaction/timer-values.js';
import { flushPromises, harness } from './harness.js';
import { request, response } from './sip-fixtures.js';

const T1 = 500;
const T2 = 4000;
const T4 = 5000;
const udp = computeTimerValues(false, { t1: T1, t2: T2, t4: T4 });
const tcp = computeTimerValues(true, { t1: T1, t2: T2, t4: T4 });
const options = request({ method: 'OPTIONS' });
const start = (reliable = false) => harness(nonInviteClientReducer, startNonInviteClient(options, reliable ? tcp : udp));

describe('non-INVITE client transaction (RFC 3261 §17.1.2)', () => {
  it('starts in Trying: sends the request, arms E = T1 and F = 64*T1 (unreliable)', () => {
    const t = start();
    expect(t.state.name).toBe('Trying');
    expect(t.sentSummary()).toEqual(['OPTIONS']);
    expect(t.runner.armedTimers().sort()).toEqual(['E', 'F']);
  });

  it('Trying: Timer E doubles up to T2, Timer F times out at 64*T1 with 408', () => {
    const t = start();
    t.clock.advance(64 * T1 - 1);
    expect(t.retransmissionTimes()).toEqual([500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
    t.clock.advance(1);
    expect(t.tuSummary()).toEqual(['failure:408']);
    expect(t.tu[0]).toMatchObject({ failure: { code: 'TXN_ERR_TIMEOUT', timer: 'F' } });
    expect(t.state.name).toBe('Terminated');
    expect(t.clock.size).toBe(0);
  });

  it('reliable: no Timer E, Timer F at 64*T1', () => {
    const t = start(true);
    expect(t.runner.armedTimers()).toEqual(['F']);
    t.clock.advance(64 * T1);
    expect(t.retransmissionTimes()).toEqual([]);
    expect(t.tuSummary()).toEqual(['failure:408']);
  });

  it('Trying → Proceeding on 1xx; Timer E then fires every T2; Timer F still applies', () => {
    const t = start();
    t.clock.advance(600); // E fired at 500, next due at 1500
    t.dispatch({ type: 'response', response: response(options, 100) });
    expect(t.state.name).toBe('Proceeding');
    t.clock.advance(64 * T1 - 600 - 1);
    expect(t.retransmissionTimes()).toEqual([500, 1500, 5500, 9500, 13500, 17500, 21500, 25500, 29500]);
    t.dispatch({ type: 'response', response: response(options, 180) });
    t.clock.advance(1);
    expect(t.tuSummary()).toEqual([100, 180, 'failure:408']);
    expect(t.state.name).toBe('Terminated');
  });

  it.each([
    ['Trying', false],
    ['Proceeding', true],
  ])('%s → Completed on a final response: E/F stop, retransmissions absorbed, Timer K = T4', (_from, provisional) => {
    const t = start();
    if (provisional) t.dispatch({ type: 'response', response: response(options, 100) });
    t.dispatch({ type: 'response', response: response(options, 200) });
    expect(t.state.name).toBe('Completed');
    t.dispatch({ type: 'response', response: response(options, 200) });
    expect(t.tuSummary()).toEqual(provisional ? [100, 200] : [200]);
    t.clock.advance(T4 - 1);
    expect(t.retransmissionTimes()).toEqual([]);
    expect(t.state.name).toBe('Completed');
    t.clock.advance(1);
    expect(t.state.name).toBe('Terminated');
  });

  it('reliable: Timer K is zero, Completed ends at once', () => {
    const t = start(true);
    t.dispatch({ type: 'response', response: response(options, 404) });
    expect(t.state.name).toBe('Terminated');
    expect(t.tuSummary()).toEqual([404]);
    expect(t.clock.size).toBe(0);
  });

  it.each([
    ['Trying', false],
    ['Proceeding', true],
  ])('%s: a transport error is reported as 503 and terminates', async (_from, provisional) => {
    const t = start();
    if (provisional) t.dispatch({ type: 'response', response: response(options, 100) });
    t.control.failSends = true;
    t.clock.advance(T2);
    await flushPromises();
    expect(t.tuSummary()).toEqual(provisional ? [100, 'failure:503'] : ['failure:503']);
    expect(t.state.name).toBe('Terminated');
  });

  it('Completed ignores late transport errors and stale timers', () => {
    const t = start();
    t.dispatch({ type: 'response', response: response(options, 200) });
    t.dispatch({ type: 'transport-error', error: new Error('late') });
    t.dispatch({ type: 'timer', timer: 'E' });
    t.dispatch({ type: 'timer', timer: 'F' });
    expect(t.state.name).toBe('Completed');
    expect(t.tuSummary()).toEqual([200]);
  });

  it('Terminated ignores everything', () => {
    const t = start(true);
    t.dispatch({ type: 'response', response: response(options, 200) });
    expect(nonInviteClientReducer(t.state, { type: 'timer', timer: 'K' })).toEqual({ state: t.state, effects: [] });
  });
});
