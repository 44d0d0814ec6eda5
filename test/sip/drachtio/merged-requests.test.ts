import { describe, expect, it } from 'vitest';
import { MergedRequests } from '../../../src/sip/drachtio/merged-requests.js';
import type { SipRequest } from '../../../src/sip/message/sip-message.js';
import type { ServerTransaction } from '../../../src/sip/transaction/server-transaction.js';

function txn(branch: string, over: { fromTag?: string; cseq?: string; callId?: string } = {}): ServerTransaction & { terminated: boolean } {
  const request: SipRequest = {
    kind: 'request',
    method: 'INVITE',
    uri: 'sip:svc@127.0.0.1',
    version: 'SIP/2.0',
    headers: [
      { name: 'Via', value: `SIP/2.0/UDP 10.0.0.1;branch=${branch}` },
      { name: 'From', value: `<sip:a@10.0.0.1>;tag=${over.fromTag ?? 'f1'}` },
      { name: 'To', value: '<sip:svc@127.0.0.1>' },
      { name: 'Call-ID', value: over.callId ?? 'c1' },
      { name: 'CSeq', value: over.cseq ?? '1 INVITE' },
    ],
    body: Buffer.alloc(0),
  };
  return { request, terminated: false } as unknown as ServerTransaction & { terminated: boolean };
}

describe('MergedRequests (RFC 3261 §8.2.2.2)', () => {
  it('refuses a second live transaction with the same From tag, Call-ID and CSeq', () => {
    const merged = new MergedRequests();
    expect(merged.admit(txn('z9hG4bK-a'))).toBe(true);
    expect(merged.admit(txn('z9hG4bK-b'))).toBe(false);
  });

  it('a different From tag, Call-ID or CSeq is another request', () => {
    const merged = new MergedRequests();
    expect(merged.admit(txn('z9hG4bK-a'))).toBe(true);
    expect(merged.admit(txn('z9hG4bK-b', { fromTag: 'f2' }))).toBe(true);
    expect(merged.admit(txn('z9hG4bK-c', { callId: 'c2' }))).toBe(true);
    expect(merged.admit(txn('z9hG4bK-d', { cseq: '2 INVITE' }))).toBe(true);
  });

  it('once the first transaction is over, the same request is new again (and nothing is kept)', () => {
    const merged = new MergedRequests();
    const first = txn('z9hG4bK-a');
    merged.admit(first);
    first.terminated = true;
    merged.forget(first);
    expect(merged.size).toBe(0);
    expect(merged.admit(txn('z9hG4bK-b'))).toBe(true);
  });
});
