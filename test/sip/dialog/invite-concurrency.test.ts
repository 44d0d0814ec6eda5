import { describe, expect, it } from 'vitest';
import { canSendInvite, checkIncomingInvite, idleInviteActivity } from '../../../src/sip/dialog/invite-concurrency.js';

describe('INVITE concurrency (RFC 3261 §14)', () => {
  it('idle dialog accepts and may send', () => {
    expect(checkIncomingInvite(idleInviteActivity)).toEqual({ accept: true });
    expect(canSendInvite(idleInviteActivity)).toBe(true);
  });

  it('glare: our re-INVITE pending → 491', () => {
    const a = { ...idleInviteActivity, outgoing: true };
    expect(checkIncomingInvite(a)).toEqual({ accept: false, status: 491, reason: 'Request Pending' });
    expect(canSendInvite(a)).toBe(false);
  });

  it('second incoming INVITE before the first is answered → 500 with Retry-After 0..10', () => {
    const a = { ...idleInviteActivity, incomingUnanswered: 3 };
    expect(checkIncomingInvite(a, () => 0.999)).toEqual({ accept: false, status: 500, reason: 'Server Internal Error', retryAfter: 10 });
    expect(checkIncomingInvite(a, () => 0)).toMatchObject({ retryAfter: 0 });
    expect(canSendInvite(a)).toBe(false);
  });

  it('2xx not yet ACKed: incoming 491 (drachtio), outgoing re-INVITE must wait', () => {
    const a = { ...idleInviteActivity, awaitingAck: true };
    expect(checkIncomingInvite(a)).toMatchObject({ status: 491 });
    expect(canSendInvite(a)).toBe(false);
  });
});
