import { describe, expect, it } from 'vitest';
import { DialogTable } from '../../../src/sip/dialog/dialog-table.js';
import { ACK_TIMEOUT_REASON } from '../../../src/sip/dialog/dialog-reasons.js';
import { request } from './build-message.js';
import { dialogFixture } from './dialog-fixture.js';

const inDialog = (from: string, to: string, callId = 'c1') =>
  request('BYE', 'sip:x', [
    ['From', from],
    ['To', to],
    ['Call-ID', callId],
    ['CSeq', '2 BYE'],
  ]);

describe('DialogTable (RFC 3261 §12.2.2 matching)', () => {
  const uac = { dialog: dialogFixture() };
  const uas = {
    dialog: dialogFixture({ id: 'c2;from-tag=caller', role: 'uas', callId: 'c2', localTag: 'mine', remoteTag: 'caller' }),
  };

  it('matches UAC dialogs by To tag = our tag and UAS dialogs by From tag = caller tag', () => {
    const t = new DialogTable<typeof uac>();
    t.add(uac);
    t.add(uas);
    expect(t.match(inDialog('<sip:bob@example.com>;tag=theirs', '<sip:alice@example.com>;tag=ours'))).toBe(uac);
    expect(t.match(inDialog('<sip:a@h>;tag=caller', '<sip:b@h>;tag=mine', 'c2'))).toBe(uas);
  });

  it('no match → null (the caller answers 481)', () => {
    const t = new DialogTable<typeof uac>();
    t.add(uac);
    t.add(uas);
    expect(t.match(inDialog('<sip:a@h>;tag=caller', '<sip:b@h>;tag=wrong', 'c2'))).toBeNull();
    expect(t.match(inDialog('<sip:a@h>;tag=other', '<sip:b@h>;tag=ours'))).toBeNull();
    expect(t.match(inDialog('<sip:a@h>;tag=theirs', '<sip:b@h>;tag=ours', 'other-call'))).toBeNull();
    expect(t.match(request('BYE', 'sip:x', [['From', '<sip:a@h>;tag=theirs']]))).toBeNull();
  });

  it('an empty remote tag (peer 2xx without To tag) matches any From tag', () => {
    const t = new DialogTable<typeof uac>();
    const loose = { dialog: dialogFixture({ remoteTag: '' }) };
    t.add(loose);
    expect(t.match(inDialog('<sip:bob@example.com>;tag=whatever', '<sip:alice@example.com>;tag=ours'))).toBe(loose);
  });

  it('indexes by Call-ID and deletes cleanly', () => {
    const t = new DialogTable<typeof uac>();
    t.add(uac);
    expect(t.byCall('c1')).toEqual([uac]);
    expect(t.delete(uac.dialog.id)).toBe(uac);
    expect(t.byCall('c1')).toEqual([]);
    expect(t.size).toBe(0);
    expect(t.delete('nope')).toBeUndefined();
  });

  it('ACK timeout reason text as drachtio-server sends it', () => {
    expect(ACK_TIMEOUT_REASON).toBe('SIP ;cause=200 ;text="ACK timeout"');
  });
});
