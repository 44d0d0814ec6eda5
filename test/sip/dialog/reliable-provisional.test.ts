import { describe, expect, it } from 'vitest';
import {
  initialRSeq,
  issueReliable,
  matchPrack,
  newUacReliableState,
  newUasReliableState,
  parseRAck,
  rackValue,
  receiveReliable,
} from '../../../src/sip/dialog/reliable-provisional.js';

describe('UAS reliable provisionals (RFC 3262 §3)', () => {
  it('RSeq starts in 1..2**31-1 and grows by exactly one', () => {
    expect(initialRSeq(() => 0)).toBe(1);
    expect(initialRSeq(() => 0.99999999999)).toBeLessThanOrEqual(2 ** 31 - 1);
    let state = newUasReliableState(() => 0);
    const first = issueReliable(state, 1, 'INVITE');
    expect(first).toMatchObject({ ok: true, rseq: 1 });
    if (!first.ok) throw new Error();
    state = first.state;
    // Not a second one before the PRACK.
    expect(issueReliable(state, 1, 'INVITE')).toMatchObject({ ok: false, reason: 'unacknowledged' });
    const prack = matchPrack(state, '1 1 INVITE');
    expect(prack.matched).toBe(true);
    if (!prack.matched) throw new Error();
    expect(issueReliable(prack.state, 1, 'INVITE')).toMatchObject({ ok: true, rseq: 2 });
  });

  it('PRACK not matching the unacknowledged response → 481', () => {
    const issued = issueReliable(newUasReliableState(() => 0), 5, 'INVITE');
    if (!issued.ok) throw new Error();
    expect(matchPrack(issued.state, '2 5 INVITE')).toEqual({ matched: false, status: 481 });
    expect(matchPrack(issued.state, '1 6 INVITE')).toEqual({ matched: false, status: 481 });
    expect(matchPrack(issued.state, '1 5 UPDATE')).toEqual({ matched: false, status: 481 });
    expect(matchPrack(issued.state, undefined)).toEqual({ matched: false, status: 481 });
    expect(matchPrack(newUasReliableState(), '1 5 INVITE')).toEqual({ matched: false, status: 481 });
  });

  it('RAck parse/format (§7.2)', () => {
    expect(parseRAck('776656 1 INVITE')).toEqual({ rseq: 776656, cseq: 1, method: 'INVITE' });
    expect(parseRAck('  1   2\tINVITE ')).toEqual({ rseq: 1, cseq: 2, method: 'INVITE' });
    expect(parseRAck('x 1 INVITE')).toBeNull();
    expect(rackValue({ rseq: 3, cseq: 4, method: 'INVITE' })).toBe('3 4 INVITE');
  });
});

describe('UAC reliable provisionals (RFC 3262 §4)', () => {
  it('first sets the sequence, retransmissions and gaps are not processed', () => {
    let s = newUacReliableState;
    let r = receiveReliable(s, 100);
    expect(r.verdict).toBe('new');
    s = r.state;
    expect(receiveReliable(s, 100).verdict).toBe('retransmission');
    expect(receiveReliable(s, 102).verdict).toBe('out-of-order');
    r = receiveReliable(s, 101);
    expect(r.verdict).toBe('new');
    expect(r.state.lastRSeq).toBe(101);
  });
});
