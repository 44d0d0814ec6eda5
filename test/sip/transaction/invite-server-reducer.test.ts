import { describe, expect, it } from 'vitest';
import { inviteServerReducer, startInviteServer } from '../../../src/sip/transaction/invite-server-reducer.js';
import { computeTimerValues } from '../../../src/sip/transaction/timer-values.js';
import { flushPromises, harness } from './harness.js';
import { header, request, response } from './sip-fixtures.js';

const T1 = 500;
const T2 = 4000;
const T4 = 5000;
const udp = computeTimerValues(false, { t1: T1, t2: T2, t4: T4 });
const tcp = computeTimerValues(true, { t1: T1, t2: T2, t4: T4 });
const invite = request({ method: 'INVITE' });
invite.headers.push({ name: 'Timestamp', value: '54' });
const ack = request({ method: 'ACK', toTag: 't9' });
const start = (reliable = false) => harness(inviteServerReducer, startInviteServer(invite, reliable ? tcp : udp));

describe('INVITE server transaction (RFC 3261 §17.2.1, RFC 6026)', () => {
  it('starts in Proceeding and passes the INVITE to the TU; no timers', () => {
    const t = start();
    expect(t.state.name).toBe('Proceeding');
    expect(t.tuSummary()).toEqual(['INVITE']);
    expect(t.runner.armedTimers()).toEqual([]);
  });

  it('sends 100 Trying when the TU did not answer at once: no To tag, Timestamp copied, only once', () => {
    const t = start();
    t.dispatch({ type: 'tu-deferred' });
    t.dispatch({ type: 'tu-deferred' });
    expect(t.sentSummary()).toEqual([100]);
    const trying = t.sent[0]?.message;
    if (trying?.kind !== 'response') throw new Error('no 100');
    expect(header(trying, 'To')).toBe('<sip:bob@127.0.0.1>');
    expect(header(trying, 'Timestamp')).toBe('54');
    expect(header(trying, 'Via')).toBe(header(invite, 'Via'));
  });

  it('no 100 Trying when the TU answered first', () => {
    const t = start();
    t.dispatch({ type: 'tu-response', response: response(invite, 480) });
    t.dispatch({ type: 'tu-deferred' });
    expect(t.sentSummary()).toEqual([480]);
  });

  it('Proceeding: INVITE retransmissions get the latest provisional; absorbed before any', () => {
    const t = start();
    t.dispatch({ type: 'request', request: invite });
    expect(t.sentSummary()).toEqual([]);
    t.dispatch({ type: 'tu-deferred' });
    t.dispatch({ type: 'request', request: invite });
    t.dispatch({ type: 'tu-response', response: response(invite, 180) });
    t.dispatch({ type: 'request', request: invite });
    expect(t.sentSummary()).toEqual([100, 100, 180, 180]);
    expect(t.sent.map((s) => s.retransmission)).toEqual([false, true, false, true]);
    expect(t.state.name).toBe('Proceeding');
    expect(t.tuSummary()).toEqual(['INVITE']);
  });

  it('Proceeding → Completed on 3xx-6xx: Timer G from T1 doubling to T2, Timer H at 64*T1 reports 408', () => {
    const t = start();
    t.dispatch({ type: 'tu-response', response: response(invite, 486) });
    expect(t.state.name).toBe('Completed');
    t.clock.advance(64 * T1 - 1);
    expect(t.retransmissionTimes()).toEqual([500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
    t.clock.advance(1);
    expect(t.state.name).toBe('Terminated');
    expect(t.tuSummary()).toEqual(['INVITE', 'failure:408']);
    expect(t.tu[1]).toMatchObject({ failure: { code: 'TXN_ERR_TIMEOUT', timer: 'H' } });
    expect(t.clock.size).toBe(0);
  });

  it('reliable: no Timer G; Timer H still at 64*T1', () => {
    const t = start(true);
    t.dispatch({ type: 'tu-response', response: response(invite, 486) });
    expect(t.runner.armedTimers()).toEqual(['H']);
    t.clock.advance(64 * T1);
    expect(t.retransmissionTimes()).toEqual([]);
    expect(t.tuSummary()).toEqual(['INVITE', 'failure:408']);
  });

  it('Completed: INVITE retransmission re-sends the final; later TU responses are discarded', () => {
    const t = start();
    t.dispatch({ type: 'tu-response', response: response(invite, 503) });
    t.dispatch({ type: 'request', request: invite });
    t.dispatch({ type: 'tu-response', response: response(invite, 200) });
    t.dispatch({ type: 'tu-deferred' });
    expect(t.sentSummary()).toEqual([503, 503]);
    expect(t.state.name).toBe('Completed');
  });

  it('Completed → Confirmed on ACK: G and H stop, ACKs absorbed, Timer I = T4 terminates (unreliable)', () => {
    const t = start();
    t.dispatch({ type: 'tu-response', response: response(invite, 404) });
    t.clock.advance(T1);
    t.dispatch({ type: 'request', request: ack });
    expect(t.state.name).toBe('Confirmed');
    expect(t.runner.armedTimers()).toEqual(['I']);
    t.dispatch({ type: 'request', request: ack });
    t.dispatch({ type: 'request', request: invite });
    t.clock.advance(T4 - 1);
    expect(t.state.name).toBe('Confirmed');
    expect(t.sentSummary()).toEqual([404, 404]);
    t.clock.advance(1);
    expect(t.state.name).toBe('Terminated');
    expect(t.tuSummary()).toEqual(['INVITE']);
  });

  it('reliable: Timer I is zero, the ACK terminates at once', () => {
    const t = start(true);
    t.dispatch({ type: 'tu-response', response: response(invite, 404) });
    t.dispatch({ type: 'request', request: ack });
    expect(t.state.name).toBe('Terminated');
    expect(t.clock.size).toBe(0);
  });

  it.each([false, true])('Proceeding → Accepted on 2xx (reliable=%s): INVITE absorbed, ACK to TU, TU 2xx re-sent, Timer L', (reliable) => {
    const t = start(reliable);
    t.dispatch({ type: 'tu-deferred' });
    t.dispatch({ type: 'tu-response', response: response(invite, 200) });
    expect(t.state.name).toBe('Accepted');
    expect(t.runner.armedTimers()).toEqual(['L']);
    t.dispatch({ type: 'request', request: invite });
    t.dispatch({ type: 'tu-response', response: response(invite, 200) });
    t.dispatch({ type: 'tu-response', response: response(invite, 486) });
    t.dispatch({ type: 'request', request: ack });
    expect(t.sentSummary()).toEqual([100, 200, 200]);
    expect(t.tuSummary()).toEqual(['INVITE', 'ACK']);
    t.clock.advance(64 * T1 - 1);
    expect(t.state.name).toBe('Accepted');
    t.clock.advance(1);
    expect(t.state.name).toBe('Terminated');
  });

  it('Proceeding: a transport error is reported (503) and terminates', async () => {
    const t = start();
    t.control.failSends = true;
    t.dispatch({ type: 'tu-deferred' });
    await flushPromises();
    expect(t.tuSummary()).toEqual(['INVITE', 'failure:503']);
    expect(t.state.name).toBe('Terminated');
  });

  it('Completed: a transport error is reported (503) and terminates', async () => {
    const t = start();
    t.dispatch({ type: 'tu-response', response: response(invite, 486) });
    t.control.failSends = true;
    t.clock.advance(T1);
    await flushPromises();
    expect(t.tuSummary()).toEqual(['INVITE', 'failure:503']);
    expect(t.state.name).toBe('Terminated');
    expect(t.clock.size).toBe(0);
  });

  it('Accepted: a transport error is reported but the transaction keeps absorbing until Timer L', async () => {
    const t = start();
    t.control.failSends = true;
    t.dispatch({ type: 'tu-response', response: response(invite, 200) });
    await flushPromises();
    expect(t.tuSummary()).toEqual(['INVITE', 'failure:503']);
    expect(t.state.name).toBe('Accepted');
  });

  it('Confirmed ignores TU responses, transport errors and stale timers; Terminated ignores everything', () => {
    const t = start();
    t.dispatch({ type: 'tu-response', response: response(invite, 404) });
    t.dispatch({ type: 'request', request: ack });
    t.dispatch({ type: 'tu-response', response: response(invite, 500) });
    t.dispatch({ type: 'transport-error', error: new Error('late') });
    t.dispatch({ type: 'timer', timer: 'G' });
    t.dispatch({ type: 'timer', timer: 'H' });
    expect(t.state.name).toBe('Confirmed');
    expect(t.sentSummary()).toEqual([404]);
    t.clock.advance(T4);
    expect(inviteServerReducer(t.state, { type: 'request', request: invite })).toEqual({ state: t.state, effects: [] });
  });

  it('ignores timers that do not belong to the state', () => {
    const t = start();
    for (const timer of ['G', 'H', 'I', 'L'] as const) t.dispatch({ type: 'timer', timer });
    expect(t.state.name).toBe('Proceeding');
    t.dispatch({ type: 'tu-response', response: response(invite, 200) });
    for (const timer of ['G', 'H', 'I'] as const) t.dispatch({ type: 'timer', timer });
    expect(t.state.name).toBe('Accepted');
  });
});
