import { describe, expect, it } from 'vitest';
import { AckRetention } from '../../../src/sip/drachtio/ack-retention.js';
import type { DialogEntry, LastAck } from '../../../src/sip/drachtio/bridge-types.js';
import type { SipRequest } from '../../../src/sip/message/sip-message.js';
import { FakeScheduler } from '../dialog/fake-scheduler.js';

const HOLD = 32_000; // 64 × T1

function entry(): DialogEntry {
  return { lastAck: null } as unknown as DialogEntry;
}

function ack(cseq: number): LastAck {
  const request = { kind: 'request', method: 'ACK', uri: 'sip:b@10.0.0.2', version: 'SIP/2.0', headers: [], body: Buffer.alloc(0) } as unknown as SipRequest;
  return { request, target: { transport: 'udp', address: '10.0.0.2', port: 5060 }, cseq };
}

describe('AckRetention (RFC 3261 §13.2.2.4: the ACK answers 2xx retransmissions, which stop after 64×T1)', () => {
  it('keeps an ACK for at least 64×T1 and drops it within 1.25×64×T1', () => {
    const clock = new FakeScheduler();
    const acks = new AckRetention(clock, HOLD);
    const other = entry();
    acks.hold(other, ack(7)); // starts the generations before `e` is held mid-period
    clock.advance(HOLD / 4 - 1);
    const e = entry();
    acks.hold(e, ack(1));
    clock.advance(HOLD - 1);
    expect(e.lastAck?.cseq).toBe(1);
    clock.advance(HOLD / 4 + 1);
    expect(e.lastAck).toBeNull();
    expect(other.lastAck).toBeNull();
    expect(acks.size).toBe(0);
    expect(clock.armed).toBe(0);
  });

  it('uses one timer for every dialog, and stops when nothing is held', () => {
    const clock = new FakeScheduler();
    const acks = new AckRetention(clock, HOLD);
    const entries = Array.from({ length: 50 }, entry);
    entries.forEach((e, i) => {
      acks.hold(e, ack(i));
      clock.advance(100);
    });
    expect(clock.armed).toBe(1);
    clock.advance(3 * HOLD);
    expect(entries.every((e) => e.lastAck === null)).toBe(true);
    expect(clock.armed).toBe(0);
  });

  it('a newer ACK (re-INVITE) restarts the hold for that dialog', () => {
    const clock = new FakeScheduler();
    const acks = new AckRetention(clock, HOLD);
    const e = entry();
    acks.hold(e, ack(1));
    clock.advance(HOLD - 1_000);
    acks.hold(e, ack(2));
    clock.advance(HOLD - 1);
    expect(e.lastAck?.cseq).toBe(2);
    clock.advance(2 * HOLD);
    expect(e.lastAck).toBeNull();
  });

  it('release() forgets an ended dialog at once (nothing keeps it referenced)', () => {
    const clock = new FakeScheduler();
    const acks = new AckRetention(clock, HOLD);
    const e = entry();
    acks.hold(e, ack(1));
    acks.release(e);
    expect(e.lastAck).toBeNull();
    expect(acks.size).toBe(0);
  });

  it('close() clears the timer', () => {
    const clock = new FakeScheduler();
    const acks = new AckRetention(clock, HOLD);
    acks.hold(entry(), ack(1));
    acks.close();
    expect(clock.armed).toBe(0);
    expect(acks.size).toBe(0);
  });
});
