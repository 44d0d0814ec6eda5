import { describe, expect, it } from 'vitest';
import { RetransmitRunner } from '../../../src/sip/dialog/retransmit-runner.js';
import { ackWaitSettings, initialRetransmitState, prackWaitSettings, retransmitReducer } from '../../../src/sip/dialog/retransmit-schedule.js';
import { FakeScheduler } from './fake-scheduler.js';

const timers = { t1: 500, t2: 4000 };

function run(settings: ReturnType<typeof ackWaitSettings>) {
  const clock = new FakeScheduler();
  const sends: number[] = [];
  let timedOutAt: number | null = null;
  const runner = new RetransmitRunner(settings, { send: () => sends.push(clock.now), timedOut: () => (timedOutAt = clock.now) }, clock);
  return { clock, sends, runner, timedOutAt: () => timedOutAt };
}

describe('2xx retransmission until ACK (RFC 3261 §13.3.1.4)', () => {
  it('UDP: T1 doubling to T2, 11 sends in all, ACK timeout at 64×T1', () => {
    const { clock, sends, runner, timedOutAt } = run(ackWaitSettings(timers, false));
    runner.start();
    clock.advance(40_000);
    expect(sends).toEqual([0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
    expect(timedOutAt()).toBe(32_000);
    expect(runner.phase).toBe('timed-out');
    expect(clock.armed).toBe(0);
  });

  it('the ACK stops retransmission and the timeout', () => {
    const { clock, sends, runner, timedOutAt } = run(ackWaitSettings(timers, false));
    runner.start();
    clock.advance(1600);
    runner.acknowledge();
    clock.advance(60_000);
    expect(sends).toEqual([0, 500, 1500]);
    expect(timedOutAt()).toBeNull();
    expect(runner.phase).toBe('acknowledged');
    expect(clock.armed).toBe(0);
  });

  it('TCP: sent once, the ACK timeout still applies', () => {
    const { clock, sends, runner, timedOutAt } = run(ackWaitSettings(timers, true));
    runner.start();
    clock.advance(32_000);
    expect(sends).toEqual([0]);
    expect(timedOutAt()).toBe(32_000);
  });

  it('injected T1/T2 are honoured', () => {
    const { clock, sends, runner, timedOutAt } = run(ackWaitSettings({ t1: 10, t2: 40 }, false));
    runner.start();
    clock.advance(1000);
    expect(sends).toEqual([0, 10, 30, 70, 110, 150, 190, 230, 270, 310, 350, 390, 430, 470, 510, 550, 590, 630]);
    expect(timedOutAt()).toBe(640);
  });

  it('close() disarms everything silently', () => {
    const { clock, sends, runner, timedOutAt } = run(ackWaitSettings(timers, false));
    runner.start();
    runner.close();
    clock.advance(60_000);
    expect(sends).toEqual([0]);
    expect(timedOutAt()).toBeNull();
  });

  it('reducer ignores events that do not apply', () => {
    const s = ackWaitSettings(timers, false);
    expect(retransmitReducer(s, initialRetransmitState, { type: 'acknowledged' }).effects).toEqual([]);
    expect(retransmitReducer(s, initialRetransmitState, { type: 'resend-timer' }).effects).toEqual([]);
    const started = retransmitReducer(s, initialRetransmitState, { type: 'start' }).state;
    expect(retransmitReducer(s, started, { type: 'start' }).effects).toEqual([]);
    const acked = retransmitReducer(s, started, { type: 'acknowledged' }).state;
    expect(retransmitReducer(s, acked, { type: 'give-up-timer' }).effects).toEqual([]);
  });
});

describe('reliable provisional retransmission (RFC 3262 §3)', () => {
  it('doubles without cap until PRACK or 64×T1', () => {
    const { clock, sends, runner, timedOutAt } = run(prackWaitSettings(timers, false));
    runner.start();
    clock.advance(40_000);
    expect(sends).toEqual([0, 500, 1500, 3500, 7500, 15500, 31500]);
    expect(timedOutAt()).toBe(32_000);
  });
});
