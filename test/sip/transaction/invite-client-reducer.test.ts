import { describe, expect, it } from 'vitest';
import { inviteClientReducer, startInviteClient } from '../../../src/sip/transaction/invite-client-reducer.js';
import { computeTimerValues } from '../../../src/sip/transaction/timer-values.js';
import { flushPromises, harness } from './harness.js';
import { header, request, response } from './sip-fixtures.js';

const T1 = 500;
const udp = computeTimerValues(false, { t1: T1 });
const tcp = computeTimerValues(true, { t1: T1 });
const invite = request({ method: 'INVITE' });
const start = (reliable = false) => harness(inviteClientReducer, startInviteClient(invite, reliable ? tcp : udp));

describe('INVITE client transaction (RFC 3261 §17.1.1, RFC 6026)', () => {
  it('starts in Calling: sends the INVITE, arms A = T1 and B = 64*T1 (unreliable)', () => {
    const t = start();
    expect(t.state.name).toBe('Calling');
    expect(t.sentSummary()).toEqual(['INVITE']);
    expect(t.runner.armedTimers().sort()).toEqual(['A', 'B']);
  });

  it('Timer A doubles from T1 and Timer B times out at 64*T1 with a 408 failure (unreliable)', () => {
    const t = start();
    t.clock.advance(64 * T1 - 1);
    // 500, 1500, 3500, 7500, 15500, 31500: A = T1, 2T1, 4T1 … (not capped by T2 for INVITE).
    expect(t.retransmissionTimes()).toEqual([500, 1500, 3500, 7500, 15500, 31500]);
    expect(t.state.name).toBe('Calling');
    t.clock.advance(1);
    expect(t.state.name).toBe('Terminated');
    expect(t.tuSummary()).toEqual(['failure:408']);
    expect(t.tu[0]).toMatchObject({ failure: { code: 'TXN_ERR_TIMEOUT', timer: 'B' } });
    expect(t.control.terminatedAt).toBe(64 * T1);
    expect(t.clock.size).toBe(0);
  });

  it('reliable: no Timer A, Timer B still times out at 64*T1', () => {
    const t = start(true);
    expect(t.runner.armedTimers()).toEqual(['B']);
    t.clock.advance(64 * T1);
    expect(t.retransmissionTimes()).toEqual([]);
    expect(t.tuSummary()).toEqual(['failure:408']);
    expect(t.state.name).toBe('Terminated');
  });

  it('Calling → Proceeding on 1xx: retransmissions stop, B no longer applies, 1xx passed up', () => {
    const t = start();
    t.clock.advance(T1);
    t.dispatch({ type: 'response', response: response(invite, 180) });
    expect(t.state.name).toBe('Proceeding');
    t.dispatch({ type: 'response', response: response(invite, 183) });
    t.clock.advance(64 * T1 * 2);
    expect(t.retransmissionTimes()).toEqual([500]);
    expect(t.tuSummary()).toEqual([180, 183]);
    expect(t.state.name).toBe('Proceeding');
  });

  it.each([
    ['Calling', false],
    ['Proceeding', true],
  ])('%s → Accepted on 2xx; 2xx retransmissions passed up, no ACK; Timer M terminates (unreliable)', (_from, provisional) => {
    const t = start();
    if (provisional) t.dispatch({ type: 'response', response: response(invite, 100) });
    t.dispatch({ type: 'response', response: response(invite, 200) });
    expect(t.state.name).toBe('Accepted');
    t.dispatch({ type: 'response', response: response(invite, 200) });
    t.dispatch({ type: 'response', response: response(invite, 180) });
    expect(t.tuSummary()).toEqual(provisional ? [100, 200, 200] : [200, 200]);
    expect(t.sentSummary()).toEqual(['INVITE']);
    t.clock.advance(64 * T1 - 1);
    expect(t.state.name).toBe('Accepted');
    t.clock.advance(1);
    expect(t.state.name).toBe('Terminated');
  });

  it('reliable: Accepted lasts Timer M = 64*T1 too', () => {
    const t = start(true);
    t.dispatch({ type: 'response', response: response(invite, 200) });
    t.clock.advance(64 * T1 - 1);
    expect(t.state.name).toBe('Accepted');
    t.clock.advance(1);
    expect(t.state.name).toBe('Terminated');
  });

  it('Calling → Completed on 3xx-6xx: ACK per §17.1.1.3, response up once, ACK re-sent on retransmissions, Timer D', () => {
    const t = start();
    const busy = response(invite, 486, 'callee-tag');
    t.dispatch({ type: 'response', response: busy });
    expect(t.state.name).toBe('Completed');
    const ack = t.sent[1]?.message;
    expect(ack).toMatchObject({ kind: 'request', method: 'ACK', uri: invite.uri });
    if (ack?.kind !== 'request') throw new Error('no ACK');
    expect(ack.headers.filter((h) => h.name === 'Via')).toHaveLength(1);
    expect(header(ack, 'Via')).toBe(header(invite, 'Via'));
    expect(header(ack, 'To')).toBe('<sip:bob@127.0.0.1>;tag=callee-tag');
    expect(header(ack, 'From')).toBe(header(invite, 'From'));
    expect(header(ack, 'Call-ID')).toBe(header(invite, 'Call-ID'));
    expect(header(ack, 'CSeq')).toBe('1 ACK');
    t.dispatch({ type: 'response', response: busy });
    t.dispatch({ type: 'response', response: busy });
    expect(t.sentSummary()).toEqual(['INVITE', 'ACK', 'ACK', 'ACK']);
    expect(t.tuSummary()).toEqual([486]);
    // Timer D: at least 32 s on unreliable transports.
    t.clock.advance(32_000 - 1);
    expect(t.state.name).toBe('Completed');
    t.clock.advance(1);
    expect(t.state.name).toBe('Terminated');
    expect(t.retransmissionTimes()).toEqual([0, 0]);
  });

  it('Proceeding → Completed on a non-2xx final', () => {
    const t = start();
    t.dispatch({ type: 'response', response: response(invite, 180) });
    t.dispatch({ type: 'response', response: response(invite, 603) });
    expect(t.state.name).toBe('Completed');
    expect(t.sentSummary()).toEqual(['INVITE', 'ACK']);
    expect(t.tuSummary()).toEqual([180, 603]);
  });

  it('reliable: Timer D is zero, Completed ends at once after the ACK', () => {
    const t = start(true);
    t.dispatch({ type: 'response', response: response(invite, 404) });
    expect(t.sentSummary()).toEqual(['INVITE', 'ACK']);
    expect(t.state.name).toBe('Terminated');
    expect(t.clock.size).toBe(0);
  });

  it('Timer D honours "at least 32 s" even with a small T1, and grows with a large one', () => {
    expect(computeTimerValues(false, { t1: 100 }).D).toBe(32_000);
    expect(computeTimerValues(false, { t1: 1000 }).D).toBe(64_000);
  });

  it('Calling: a transport error is reported as 503 and terminates', async () => {
    const t = start();
    t.control.failSends = true;
    t.clock.advance(T1);
    await flushPromises();
    expect(t.tuSummary()).toEqual(['failure:503']);
    expect(t.tu[0]).toMatchObject({ failure: { code: 'TXN_ERR_TRANSPORT' } });
    expect(t.state.name).toBe('Terminated');
    expect(t.clock.size).toBe(0);
  });

  it('Completed: a failure to send the ACK is reported and terminates', async () => {
    const t = start();
    t.control.failSends = true;
    t.dispatch({ type: 'response', response: response(invite, 500) });
    await flushPromises();
    expect(t.tuSummary()).toEqual([500, 'failure:503']);
    expect(t.state.name).toBe('Terminated');
  });

  it('Proceeding and Accepted ignore late transport errors', () => {
    const t = start();
    t.dispatch({ type: 'response', response: response(invite, 180) });
    t.dispatch({ type: 'transport-error', error: new Error('late') });
    expect(t.state.name).toBe('Proceeding');
    t.dispatch({ type: 'response', response: response(invite, 200) });
    t.dispatch({ type: 'transport-error', error: new Error('late') });
    expect(t.state.name).toBe('Accepted');
    expect(t.tuSummary()).toEqual([180, 200]);
  });

  describe('CANCEL (RFC 3261 §9.1)', () => {
    it('in Calling waits for a provisional response before sending the CANCEL', () => {
      const t = start();
      t.dispatch({ type: 'tu-cancel' });
      expect(t.tuSummary()).toEqual([]);
      expect(t.state.cancelPending).toBe(true);
      t.dispatch({ type: 'response', response: response(invite, 100) });
      expect(t.tuSummary()).toEqual([100, 'send-cancel']);
      expect(t.state.name).toBe('Proceeding');
    });

    it('in Proceeding sends at once, and gives up 64*T1 later without a final response', () => {
      const t = start();
      t.dispatch({ type: 'response', response: response(invite, 180) });
      t.clock.advance(1000);
      t.dispatch({ type: 'tu-cancel' });
      t.dispatch({ type: 'tu-cancel' });
      expect(t.tuSummary()).toEqual([180, 'send-cancel']);
      t.clock.advance(64 * T1 - 1);
      expect(t.state.name).toBe('Proceeding');
      t.clock.advance(1);
      expect(t.state.name).toBe('Terminated');
      expect(t.tuSummary()).toEqual([180, 'send-cancel', 'failure:408']);
    });

    it('the 487 after a CANCEL completes the transaction normally', () => {
      const t = start();
      t.dispatch({ type: 'response', response: response(invite, 180) });
      t.dispatch({ type: 'tu-cancel' });
      t.dispatch({ type: 'response', response: response(invite, 487) });
      expect(t.state.name).toBe('Completed');
      expect(t.sentSummary()).toEqual(['INVITE', 'ACK']);
      t.clock.advance(64 * T1);
      expect(t.tuSummary()).toEqual([180, 'send-cancel', 487]);
    });

    it('has no effect once a final response arrived', () => {
      for (const status of [200, 486]) {
        const t = start();
        t.dispatch({ type: 'response', response: response(invite, status) });
        t.dispatch({ type: 'tu-cancel' });
        expect(t.tuSummary()).toEqual([status]);
      }
    });
  });

  it('ignores stale timers and everything once Terminated', () => {
    const t = start();
    t.dispatch({ type: 'timer', timer: 'D' });
    t.dispatch({ type: 'timer', timer: 'M' });
    expect(t.state.name).toBe('Calling');
    t.dispatch({ type: 'response', response: response(invite, 200) });
    t.dispatch({ type: 'timer', timer: 'A' });
    t.dispatch({ type: 'timer', timer: 'B' });
    expect(t.state.name).toBe('Accepted');
    t.clock.advance(64 * T1);
    const before = t.tu.length;
    const after = inviteClientReducer(t.state, { type: 'response', response: response(invite, 200) });
    expect(after).toEqual({ state: t.state, effects: [] });
    expect(t.tu.length).toBe(before);
  });

  it('is a pure function: the same state and event give the same transition', () => {
    const { state } = startInviteClient(invite, udp);
    const event = { type: 'timer', timer: 'A' } as const;
    expect(inviteClientReducer(state, event)).toEqual(inviteClientReducer(state, event));
    expect(state.name).toBe('Calling');
    expect(state.intervalA).toBe(T1);
  });
});
