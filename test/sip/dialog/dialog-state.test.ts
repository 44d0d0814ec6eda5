import { describe, expect, it } from 'vitest';
import {
  confirmUacDialog,
  confirmUasDialog,
  createUacDialog,
  createUasDialog,
  dialogId,
  isTargetRefresh,
  refreshRemoteTarget,
  terminateDialog,
  type DialogState,
} from '../../../src/sip/dialog/dialog-state.js';
import { request, response } from './build-message.js';

const invite = request('INVITE', 'sip:bob@127.0.0.1:5060', [
  ['Via', 'SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bK-1'],
  ['Record-Route', '<sip:p1.example.com;lr>'],
  ['Record-Route', '<sip:p2.example.com;lr>, <sip:p3.example.com;lr>'],
  ['From', '"Alice" <sip:alice@example.com>;tag=a1'],
  ['To', 'Bob <sip:bob@example.com>'],
  ['Call-ID', 'call-1@host'],
  ['CSeq', '17 INVITE'],
  ['Contact', '<sip:alice@10.0.0.1:5070;transport=udp>'],
]);

const ok = (extra: [string, string][] = []) =>
  response(200, 'OK', [
    ['Via', 'SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bK-1'],
    ['From', '"Alice" <sip:alice@example.com>;tag=a1'],
    ['To', 'Bob <sip:bob@example.com>;tag=b2'],
    ['Call-ID', 'call-1@host'],
    ['CSeq', '17 INVITE'],
    ...extra,
  ]);

function unwrap(result: ReturnType<typeof createUasDialog>): DialogState {
  if (!result.ok) throw new Error(result.error.reason);
  return result.dialog;
}

describe('dialog id', () => {
  it('is <Call-ID>;from-tag=<tag>', () => {
    expect(dialogId('abc@h', 'x1')).toBe('abc@h;from-tag=x1');
  });
});

describe('UAS dialog (RFC 3261 §12.1.1)', () => {
  const d = unwrap(createUasDialog(invite, ok([['Contact', '<sip:127.0.0.1:5060>']]), { localContact: '<sip:127.0.0.1:5060>' }));

  it('takes ids, tags and parties from request and response', () => {
    expect(d).toMatchObject({
      id: 'call-1@host;from-tag=a1',
      role: 'uas',
      usage: 'invite',
      phase: 'confirmed',
      callId: 'call-1@host',
      localTag: 'b2',
      remoteTag: 'a1',
      localParty: 'Bob <sip:bob@example.com>;tag=b2',
      remoteParty: '"Alice" <sip:alice@example.com>;tag=a1',
      remoteSeq: 17,
      localSeq: null,
      remoteTarget: 'sip:alice@10.0.0.1:5070;transport=udp',
    });
  });

  it('keeps the Record-Route order of the request', () => {
    expect(d.routeSet).toEqual(['<sip:p1.example.com;lr>', '<sip:p2.example.com;lr>', '<sip:p3.example.com;lr>']);
  });

  it('a reliable 1xx gives an early dialog, the 2xx confirms it', () => {
    const early = unwrap(createUasDialog(invite, response(183, 'Session Progress', ok().headers.map((h) => [h.name, h.value])), { localContact: 'c' }));
    expect(early.phase).toBe('early');
    expect(confirmUasDialog(early).phase).toBe('confirmed');
  });

  it('fails as a value when the caller From has no tag or the response no To tag', () => {
    const noTag = request('INVITE', 'sip:b@h', [['From', '<sip:a@h>'], ['To', '<sip:b@h>'], ['Call-ID', 'c'], ['CSeq', '1 INVITE'], ['Contact', '<sip:a@h>']]);
    expect(createUasDialog(noTag, ok(), { localContact: 'c' })).toMatchObject({ ok: false, error: { code: 'DIALOG_ERR_NO_TAG' } });
    const noToTag = response(200, 'OK', [['To', '<sip:b@h>']]);
    expect(createUasDialog(invite, noToTag, { localContact: 'c' })).toMatchObject({ ok: false, error: { code: 'DIALOG_ERR_NO_TAG' } });
  });

  it('an INVITE without Contact uses the fallback target', () => {
    const noContact = request('INVITE', 'sip:b@h', invite.headers.filter((h) => h.name !== 'Contact').map((h) => [h.name, h.value]));
    expect(createUasDialog(noContact, ok(), { localContact: 'c' })).toMatchObject({ ok: false, error: { code: 'DIALOG_ERR_NO_CONTACT' } });
    expect(unwrap(createUasDialog(noContact, ok(), { localContact: 'c', remoteTargetFallback: 'sip:10.0.0.1:5070' })).remoteTarget).toBe('sip:10.0.0.1:5070');
  });
});

describe('UAC dialog (RFC 3261 §12.1.2)', () => {
  const sent = request('INVITE', 'sip:bob@10.0.0.2', [
    ['From', '<sip:alice@example.com>;tag=ours'],
    ['To', '<sip:bob@example.com>'],
    ['Call-ID', 'c2'],
    ['CSeq', '100 INVITE'],
    ['Contact', '<sip:127.0.0.1:5060>'],
  ]);
  const answer = response(200, 'OK', [
    ['Record-Route', '<sip:p1;lr>, <sip:p2;lr>'],
    ['From', '<sip:alice@example.com>;tag=ours'],
    ['To', '<sip:bob@example.com>;tag=theirs'],
    ['Call-ID', 'c2'],
    ['CSeq', '100 INVITE'],
    ['Contact', '<sip:bob@10.0.0.2:5080>'],
  ]);

  it('uses our From tag for the id, reverses the route set', () => {
    const d = unwrap(createUacDialog(sent, answer, { localContact: '' }));
    expect(d).toMatchObject({
      id: 'c2;from-tag=ours',
      role: 'uac',
      localTag: 'ours',
      remoteTag: 'theirs',
      localSeq: 100,
      remoteSeq: null,
      remoteTarget: 'sip:bob@10.0.0.2:5080',
      localContact: '<sip:127.0.0.1:5060>',
      localParty: '<sip:alice@example.com>;tag=ours',
      remoteParty: '<sip:bob@example.com>;tag=theirs',
    });
    expect(d.routeSet).toEqual(['<sip:p2;lr>', '<sip:p1;lr>']);
  });

  it('early dialog from a 1xx with To tag; the 2xx recomputes route set and target (§13.2.2.4)', () => {
    const ringing = response(180, 'Ringing', [
      ['Record-Route', '<sip:old;lr>'],
      ['To', '<sip:bob@example.com>;tag=theirs'],
      ['Contact', '<sip:early@10.0.0.2>'],
    ]);
    const early = unwrap(createUacDialog(sent, ringing, { localContact: '' }));
    expect(early.phase).toBe('early');
    expect(early.routeSet).toEqual(['<sip:old;lr>']);
    const confirmed = confirmUacDialog(early, answer);
    expect(confirmed.phase).toBe('confirmed');
    expect(confirmed.routeSet).toEqual(['<sip:p2;lr>', '<sip:p1;lr>']);
    expect(confirmed.remoteTarget).toBe('sip:bob@10.0.0.2:5080');
  });

  it('a 2xx without To tag or Contact still makes a usable dialog', () => {
    const broken = response(200, 'OK', [['To', '<sip:bob@example.com>'], ['Call-ID', 'c2'], ['CSeq', '100 INVITE']]);
    const d = unwrap(createUacDialog(sent, broken, { localContact: '' }));
    expect(d.remoteTag).toBe('');
    expect(d.remoteTarget).toBe('sip:bob@10.0.0.2');
  });
});

describe('target refresh (§12.2)', () => {
  const d = unwrap(createUasDialog(invite, ok(), { localContact: 'c' }));

  it('replaces the remote target from Contact, keeps the route set', () => {
    const reinvite = request('INVITE', 'sip:x', [['Contact', '<sip:alice@10.9.9.9:5099>'], ['Record-Route', '<sip:ignored;lr>']]);
    const refreshed = refreshRemoteTarget(d, reinvite);
    expect(refreshed.remoteTarget).toBe('sip:alice@10.9.9.9:5099');
    expect(refreshed.routeSet).toEqual(d.routeSet);
    expect(refreshRemoteTarget(d, request('INVITE', 'sip:x', []))).toBe(d);
  });

  it('knows the target refresh methods', () => {
    expect(['INVITE', 'UPDATE', 'SUBSCRIBE', 'NOTIFY'].every(isTargetRefresh)).toBe(true);
    expect(isTargetRefresh('INFO')).toBe(false);
    expect(terminateDialog(d).phase).toBe('terminated');
  });
});
