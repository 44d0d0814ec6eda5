import { describe, expect, it } from 'vitest';
import {
  cancelTargetMatches,
  clientKeyOf,
  responseClientKey,
  serverKeyOf,
  serverMatches,
  type ServerTransactionIdentity,
} from '../../../src/sip/transaction/transaction-key.js';
import { request, response, type RequestSpec } from './sip-fixtures.js';

const key = (spec: RequestSpec) => {
  const k = serverKeyOf(request(spec));
  if (k === null) throw new Error('no key');
  return k;
};
const identity = (method: string, requestToTag: string | null = null, responseToTag: string | null = null): ServerTransactionIdentity => ({
  method,
  requestToTag,
  responseToTag,
});

describe('client transaction matching (RFC 3261 §17.1.3)', () => {
  it('matches on the top Via branch and the CSeq method', () => {
    const invite = request({ method: 'INVITE', branch: 'z9hG4bK-1' });
    expect(responseClientKey(response(invite, 180))).toBe(clientKeyOf('z9hG4bK-1', 'INVITE'));
  });

  it('a response to a CANCEL with the same branch belongs to a different transaction', () => {
    const cancel = request({ method: 'CANCEL', branch: 'z9hG4bK-1' });
    expect(responseClientKey(response(cancel, 200))).toBe(clientKeyOf('z9hG4bK-1', 'CANCEL'));
    expect(responseClientKey(response(cancel, 200))).not.toBe(clientKeyOf('z9hG4bK-1', 'INVITE'));
  });

  it('no key without a top Via branch or a CSeq', () => {
    const noBranch = response(request({ branch: '' }), 200);
    expect(responseClientKey(noBranch)).toBeNull();
    const noCSeq = response(request(), 200);
    noCSeq.headers = noCSeq.headers.filter((h) => h.name !== 'CSeq');
    expect(responseClientKey(noCSeq)).toBeNull();
  });
});

describe('server transaction matching (RFC 3261 §17.2.3)', () => {
  it('magic cookie: branch + sent-by form the key, the method is compared separately', () => {
    const k = key({ method: 'INVITE', branch: 'z9hG4bK-a', sentBy: 'Host.Example.COM:5070' });
    expect(k).toMatchObject({ key: 's3261|z9hG4bK-a|host.example.com:5070', method: 'INVITE', rfc2543: false });
    expect(serverMatches(k, false, identity('INVITE'))).toBe(true);
    expect(serverMatches(k, false, identity('OPTIONS'))).toBe(false);
  });

  it('ACK matches the INVITE transaction ("except for ACK")', () => {
    const ack = key({ method: 'ACK', branch: 'z9hG4bK-a', toTag: 'any' });
    expect(ack.method).toBe('INVITE');
    expect(ack.key).toBe(key({ method: 'INVITE', branch: 'z9hG4bK-a' }).key);
    expect(serverMatches(ack, true, identity('INVITE'))).toBe(true);
  });

  it('a different branch, sent-by host or port is a different transaction', () => {
    const base = key({ branch: 'z9hG4bK-a', sentBy: '10.0.0.1:5060' }).key;
    expect(key({ branch: 'z9hG4bK-b', sentBy: '10.0.0.1:5060' }).key).not.toBe(base);
    expect(key({ branch: 'z9hG4bK-a', sentBy: '10.0.0.2:5060' }).key).not.toBe(base);
    expect(key({ branch: 'z9hG4bK-a', sentBy: '10.0.0.1:5061' }).key).not.toBe(base);
    expect(key({ branch: 'z9hG4bK-a', sentBy: '10.0.0.1' }).key).not.toBe(base);
  });

  it('received/rport stamped on receipt and other headers do not change the key', () => {
    const base = key({ branch: 'z9hG4bK-a' }).key;
    expect(key({ branch: 'z9hG4bK-a', viaParams: ';rport=5070;received=10.1.1.1', callId: 'other', cseq: 9 }).key).toBe(base);
  });

  it('IPv6 sent-by', () => {
    expect(key({ branch: 'z9hG4bK-6', sentBy: '[::1]:5070' }).key).toBe('s3261|z9hG4bK-6|::1:5070');
  });

  describe('RFC 2543 fallback (no magic cookie)', () => {
    const invite = { method: 'INVITE', branch: '', uri: 'sip:bob@b.example', fromTag: 'ft', callId: 'c1', cseq: 7 } satisfies RequestSpec;

    it('uses Request-URI, From tag, Call-ID, CSeq number and top Via; To tag compared separately', () => {
      const k = key(invite);
      expect(k.rfc2543).toBe(true);
      expect(k.key).toBe(key({ ...invite }).key);
      expect(serverMatches(k, false, identity('INVITE', null))).toBe(true);
      // a branch without the cookie is still RFC 2543
      expect(key({ ...invite, branch: 'old-style-branch' }).rfc2543).toBe(true);
    });

    it.each<[string, RequestSpec]>([
      ['Request-URI', { uri: 'sip:carol@b.example' }],
      ['From tag', { fromTag: 'other' }],
      ['Call-ID', { callId: 'c2' }],
      ['CSeq number', { cseq: 8 }],
      ['top Via', { sentBy: '127.0.0.1:5999' }],
    ])('a different %s is a different transaction', (_what, change) => {
      expect(key({ ...invite, ...change }).key).not.toBe(key(invite).key);
    });

    it('a different To tag does not match a non-ACK request', () => {
      const retransmission = key({ ...invite, toTag: 'late' });
      expect(retransmission.key).toBe(key(invite).key);
      expect(serverMatches(retransmission, false, identity('INVITE', null))).toBe(false);
    });

    it('ACK matches only with the To tag of the response the transaction sent', () => {
      const ack = key({ ...invite, method: 'ACK', toTag: 'srv' });
      expect(ack.key).toBe(key(invite).key);
      expect(serverMatches(ack, true, identity('INVITE', null, 'srv'))).toBe(true);
      expect(serverMatches(ack, true, identity('INVITE', null, 'other'))).toBe(false);
      expect(serverMatches(ack, true, identity('INVITE', null, null))).toBe(false);
    });
  });

  it('no key without a top Via', () => {
    const r = request();
    r.headers = r.headers.filter((h) => h.name !== 'Via');
    expect(serverKeyOf(r)).toBeNull();
  });
});

describe('CANCEL matching (RFC 3261 §9.2)', () => {
  it('targets the INVITE with the same branch and sent-by (method differs)', () => {
    const cancel = key({ method: 'CANCEL', branch: 'z9hG4bK-a' });
    expect(cancel.key).toBe(key({ method: 'INVITE', branch: 'z9hG4bK-a' }).key);
    expect(cancelTargetMatches(cancel, identity('INVITE'))).toBe(true);
    expect(cancelTargetMatches(cancel, identity('OPTIONS'))).toBe(true);
    expect(cancelTargetMatches(cancel, identity('CANCEL'))).toBe(false);
    expect(cancelTargetMatches(cancel, identity('ACK'))).toBe(false);
    expect(key({ method: 'CANCEL', branch: 'z9hG4bK-b' }).key).not.toBe(key({ method: 'INVITE', branch: 'z9hG4bK-a' }).key);
  });

  it('RFC 2543: same key fields and the To tag of the INVITE', () => {
    const cancel = key({ method: 'CANCEL', branch: '', cseq: 3 });
    expect(cancel.key).toBe(key({ method: 'INVITE', branch: '', cseq: 3 }).key);
    expect(cancelTargetMatches(cancel, identity('INVITE', null))).toBe(true);
    expect(cancelTargetMatches(cancel, identity('INVITE', 'x'))).toBe(false);
  });
});
