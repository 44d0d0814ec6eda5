import { describe, expect, it } from 'vitest';
import { inviteServerReducer, startInviteServer, type InviteServerState } from '../../../src/sip/transaction/invite-server-reducer.js';
import { computeTimerValues } from '../../../src/sip/transaction/timer-values.js';
import { TransactionRunner } from '../../../src/sip/transaction/transaction-runner.js';
import type { InviteServerEvent } from '../../../src/sip/transaction/transaction-types.js';
import { FakeClock } from './fake-clock.js';
import { flushPromises } from './harness.js';
import { request, response } from './sip-fixtures.js';

const invite = request();

describe('TransactionRunner', () => {
  it('queues events raised while effects run (a TU answering synchronously) and handles them in order', () => {
    const clock = new FakeClock();
    const sent: number[] = [];
    let runner: TransactionRunner<InviteServerState, InviteServerEvent> | null = null;
    runner = new TransactionRunner(inviteServerReducer, startInviteServer(invite, computeTimerValues(false)), clock, {
      send: async (m) => {
        if (m.kind === 'response') sent.push(m.status);
      },
      notify: (effect) => {
        if (effect.type === 'to-tu-request') {
          runner?.dispatch({ type: 'tu-response', response: response(invite, 180) });
          runner?.dispatch({ type: 'tu-response', response: response(invite, 486) });
          expect(sent).toEqual([]); // not re-entered
        }
      },
      terminated: () => undefined,
    });
    runner.start();
    runner.dispatch({ type: 'tu-deferred' });
    expect(sent).toEqual([180, 486]);
    expect(runner.state.name).toBe('Completed');
    runner.dispose();
    expect(clock.size).toBe(0);
  });

  it('a send that throws synchronously becomes a transport-error event', async () => {
    const clock = new FakeClock();
    const failures: number[] = [];
    const runner = new TransactionRunner(inviteServerReducer, startInviteServer(invite, computeTimerValues(false)), clock, {
      send: () => {
        throw new Error('socket gone');
      },
      notify: (effect) => {
        if (effect.type === 'to-tu-failure') failures.push(effect.failure.status);
      },
      terminated: () => undefined,
    });
    runner.start();
    runner.dispatch({ type: 'tu-deferred' });
    await flushPromises();
    expect(failures).toEqual([503]);
    expect(runner.terminated).toBe(true);
  });

  it('re-arming a timer replaces it; terminate clears all timers; later events are dropped', () => {
    const clock = new FakeClock();
    let terminated = 0;
    const runner = new TransactionRunner(inviteServerReducer, startInviteServer(invite, computeTimerValues(false, { t1: 10 })), clock, {
      send: async () => undefined,
      notify: () => undefined,
      terminated: () => terminated++,
    });
    runner.start();
    runner.dispatch({ type: 'tu-response', response: response(invite, 500) });
    expect(runner.armedTimers().sort()).toEqual(['G', 'H']);
    clock.advance(10);
    expect(clock.size).toBe(2); // G re-armed, H still pending
    runner.dispatch({ type: 'request', request: request({ method: 'ACK', toTag: 't9' }) });
    clock.advance(5000);
    expect(terminated).toBe(1);
    expect(clock.size).toBe(0);
    runner.dispatch({ type: 'tu-deferred' });
    expect(runner.state.name).toBe('Terminated');
  });
});
