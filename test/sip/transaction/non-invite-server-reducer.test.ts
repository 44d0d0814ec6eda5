import { describe, expect, it } from 'vitest';
import { nonInviteServerReducer, startNonInviteServer } from '../../../src/sip/transaction/non-invite-server-reducer.js';
import { computeTimerValues } from '../../../src/sip/transaction/timer-values.js';
import { flushPromises, harness } from './harness.js';
import { request, response } from './sip-fixtures.js';

const T1 = 500;
const udp = computeTimerValues(false, { t1: T1 });
const tcp = computeTimerValues(true, { t1: T1 });
const bye = request({ method: 'BYE', toTag: 'x' });
const start = (reliable = false) => harness(nonInviteServerReducer, startNonInviteServer(bye, reliable ? tcp : udp));

describe('non-INVITE server transaction (RFC 3261 §17.2.2)', () => {
  it('starts in Trying, passes the request up and absorbs retransmissions; no timers, no 100', () => {
    const t = start();
    expect(t.state.name).toBe('Trying');
    expect(t.tuSummary()).toEqual(['BYE']);
    t.dispatch({ type: 'request', request: bye });
    expect(t.sentSummary()).toEqual([]);
    expect(t.runner.armedTimers()).toEqual([]);
  });

  it('Trying → Proceeding on a provisional; retransmissions get the latest provisional', () => {
    const t = start();
    t.dispatch({ type: 'tu-response', response: response(bye, 100) });
    expect(t.state.name).toBe('Proceeding');
    t.dispatch({ type: 'request', request: bye });
    t.dispatch({ type: 'tu-response', response: response(bye, 183) });
    t.dispatch({ type: 'request', request: bye });
    expect(t.sentSummary()).toEqual([100, 100, 183, 183]);
  });

  it.each([
    ['Trying', false],
    ['Proceeding', true],
  ])('%s → Completed on a final: retransmissions re-send it, other finals discarded, Timer J = 64*T1', (_from, provisional) => {
    const t = start();
    if (provisional) t.dispatch({ type: 'tu-response', response: response(bye, 100) });
    t.dispatch({ type: 'tu-response', response: response(bye, 200) });
    expect(t.state.name).toBe('Completed');
    t.dispatch({ type: 'request', request: bye });
    t.dispatch({ type: 'tu-response', response: response(bye, 500) });
    expect(t.sentSummary()).toEqual(provisional ? [100, 200, 200] : [200, 200]);
    t.clock.advance(64 * T1 - 1);
    expect(t.state.name).toBe('Completed');
    t.clock.advance(1);
    expect(t.state.name).toBe('Terminated');
    expect(t.clock.size).toBe(0);
  });

  it('reliable: Timer J is zero, the final response terminates at once', () => {
    const t = start(true);
    t.dispatch({ type: 'tu-response', response: response(bye, 200) });
    expect(t.sentSummary()).toEqual([200]);
    expect(t.state.name).toBe('Terminated');
    expect(t.clock.size).toBe(0);
  });

  it('Proceeding: a transport error is reported (503) and terminates', async () => {
    const t = start();
    t.control.failSends = true;
    t.dispatch({ type: 'tu-response', response: response(bye, 100) });
    await flushPromises();
    expect(t.tuSummary()).toEqual(['BYE', 'failure:503']);
    expect(t.state.name).toBe('Terminated');
  });

  it('Completed: a failure to send the final is reported (503) and terminates', async () => {
    const t = start();
    t.control.failSends = true;
    t.dispatch({ type: 'tu-response', response: response(bye, 200) });
    await flushPromises();
    expect(t.tuSummary()).toEqual(['BYE', 'failure:503']);
    expect(t.state.name).toBe('Terminated');
    expect(t.clock.size).toBe(0);
  });

  it('Trying ignores transport errors and timers (nothing was sent)', () => {
    const t = start();
    t.dispatch({ type: 'transport-error', error: new Error('late') });
    t.dispatch({ type: 'timer', timer: 'J' });
    expect(t.state.name).toBe('Trying');
    expect(t.tuSummary()).toEqual(['BYE']);
  });

  it('Terminated ignores everything', () => {
    const t = start(true);
    t.dispatch({ type: 'tu-response', response: response(bye, 200) });
    expect(nonInviteServerReducer(t.state, { type: 'request', request: bye })).toEqual({ state: t.state, effects: [] });
  });
});
