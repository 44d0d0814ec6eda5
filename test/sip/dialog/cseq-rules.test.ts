import { describe, expect, it } from 'vitest';
import { acceptRemoteCSeq, initialCSeq, MAX_INITIAL_CSEQ, nextLocalCSeq, useLocalCSeq } from '../../../src/sip/dialog/cseq-rules.js';
import { dialogFixture } from './dialog-fixture.js';

describe('local CSeq (RFC 3261 §12.2.1.1)', () => {
  it('increments by one', () => {
    const { seq, dialog } = nextLocalCSeq(dialogFixture({ localSeq: 10 }));
    expect(seq).toBe(11);
    expect(dialog.localSeq).toBe(11);
    expect(nextLocalCSeq(dialog).seq).toBe(12);
  });

  it('chooses an initial value below 2**31 when empty (UAS dialog)', () => {
    const { seq } = nextLocalCSeq(dialogFixture({ localSeq: null }), () => 0.999999);
    expect(seq).toBeGreaterThan(0);
    expect(seq).toBeLessThan(2 ** 31);
    expect(initialCSeq(() => 0)).toBe(1);
    expect(initialCSeq(() => 0.9999999999)).toBeLessThanOrEqual(MAX_INITIAL_CSEQ);
  });

  it('a client-supplied CSeq is used and remembered, never moving back', () => {
    expect(useLocalCSeq(dialogFixture({ localSeq: 10 }), 12).localSeq).toBe(12);
    expect(useLocalCSeq(dialogFixture({ localSeq: 10 }), 9).localSeq).toBe(10);
    expect(useLocalCSeq(dialogFixture({ localSeq: null }), 5).localSeq).toBe(5);
  });
});

describe('remote CSeq (RFC 3261 §12.2.2)', () => {
  it('sets the remote sequence when empty', () => {
    const v = acceptRemoteCSeq(dialogFixture({ remoteSeq: null }), 'BYE', 3);
    expect(v).toMatchObject({ accept: true, dialog: { remoteSeq: 3 } });
  });

  it('in order: higher accepted and remembered', () => {
    expect(acceptRemoteCSeq(dialogFixture({ remoteSeq: 3 }), 'INFO', 4)).toMatchObject({ accept: true, dialog: { remoteSeq: 4 } });
  });

  it('lower → 500', () => {
    expect(acceptRemoteCSeq(dialogFixture({ remoteSeq: 7 }), 'INFO', 6)).toMatchObject({ accept: false, status: 500, reason: 'Server Internal Error' });
  });

  it('ACK and CANCEL are not checked', () => {
    const d = dialogFixture({ remoteSeq: 7 });
    expect(acceptRemoteCSeq(d, 'ACK', 1)).toEqual({ accept: true, dialog: d });
    expect(acceptRemoteCSeq(d, 'CANCEL', 1)).toEqual({ accept: true, dialog: d });
  });
});
