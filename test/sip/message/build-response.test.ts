import { describe, expect, it } from 'vitest';
import {
  BRANCH_MAGIC_COOKIE,
  buildResponse,
  generateBranch,
  generateCallId,
  generateTag,
  getHeader,
  headerValues,
  parseMessage,
  parseNameAddr,
  serializeMessage,
  type SipRequest,
} from '../../../src/sip/message/index.js';
import { sip } from './sip-text.js';

function request(extra: string[] = [], to = 'To: Bob <sip:bob@example.com>'): SipRequest {
  const r = parseMessage(
    sip([
      'INVITE sip:bob@example.com SIP/2.0',
      'v: SIP/2.0/UDP p1.example.com;branch=z9hG4bK1, SIP/2.0/UDP p2.example.com;branch=z9hG4bK2',
      'Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK3;rport',
      'Max-Forwards: 70',
      to,
      'From: "Alice" <sip:alice@example.org>;tag=1928301774',
      'i: a84b4c76e66710',
      'CSeq: 314159 INVITE',
      'Timestamp: 54',
      ...extra,
      'l: 0',
    ]),
  );
  if (!r.ok || r.message.kind !== 'request') throw new Error('bad fixture');
  return r.message;
}

describe('buildResponse (RFC 3261 §8.2.6)', () => {
  it('copies Via (all, in order), From, Call-ID and CSeq, adds a To tag, Content-Length 0', () => {
    const res = buildResponse(request(), 486, 'Busy Here', { toTag: 'xyz' });
    expect(res).toMatchObject({ kind: 'response', status: 486, reason: 'Busy Here', version: 'SIP/2.0' });
    expect(headerValues(res, 'Via')).toEqual([
      'SIP/2.0/UDP p1.example.com;branch=z9hG4bK1',
      'SIP/2.0/UDP p2.example.com;branch=z9hG4bK2',
      'SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK3;rport',
    ]);
    expect(getHeader(res, 'From')).toBe('"Alice" <sip:alice@example.org>;tag=1928301774');
    expect(getHeader(res, 'To')).toBe('Bob <sip:bob@example.com>;tag=xyz');
    expect(getHeader(res, 'Call-ID')).toBe('a84b4c76e66710');
    expect(getHeader(res, 'CSeq')).toBe('314159 INVITE');
    expect(getHeader(res, 'Content-Length')).toBe('0');
    expect(getHeader(res, 'Timestamp')).toBeUndefined();
    const again = parseMessage(serializeMessage(res));
    expect(again.ok && again.message).toEqual(res);
  });

  it('keeps an existing To tag and generates one when none is given', () => {
    expect(getHeader(buildResponse(request([], 'To: <sip:bob@example.com>;tag=abc'), 200, 'OK'), 'To')).toBe('<sip:bob@example.com>;tag=abc');
    expect(parseNameAddr(getHeader(buildResponse(request(), 200, 'OK'), 'To') as string).tag).toMatch(/^[0-9a-f]{16}$/);
  });

  it('100 Trying: no To tag, Timestamp copied (§8.2.6.1)', () => {
    const res = buildResponse(request(), 100, 'Trying');
    expect(getHeader(res, 'To')).toBe('Bob <sip:bob@example.com>');
    expect(getHeader(res, 'Timestamp')).toBe('54');
  });

  it('appends extra headers and strips CR/LF from the reason phrase', () => {
    const res = buildResponse(request(), 400, 'Bad\r\nVia: x', { headers: [{ name: 'Warning', value: '399 talkbridge "bad"' }] });
    expect(res.reason).toBe('Bad  Via: x');
    expect(getHeader(res, 'Warning')).toBe('399 talkbridge "bad"');
  });
});

describe('identifiers', () => {
  it('branches carry the magic cookie and are unique', () => {
    const b = new Set(Array.from({ length: 2000 }, generateBranch));
    expect(b.size).toBe(2000);
    for (const x of b) expect(x.startsWith(BRANCH_MAGIC_COOKIE) && x.length > BRANCH_MAGIC_COOKIE.length + 8).toBe(true);
  });

  it('tags and Call-IDs are random tokens', () => {
    const tags = new Set(Array.from({ length: 2000 }, generateTag));
    expect(tags.size).toBe(2000);
    expect(generateCallId()).toMatch(/^[0-9a-f]{32}$/);
    expect(generateCallId('tb.example.com')).toMatch(/^[0-9a-f]{32}@tb\.example\.com$/);
  });
});

describe('answering a broken request', () => {
  it('builds the 400 from the partial of a validation defect', async () => {
    const { validateRequest } = await import('../../../src/sip/message/index.js');
    const r = parseMessage(sip(['INVITE sip:bob@example.com SIP/2.0', 'Via: SIP/2.0/UDP h;branch=z9hG4bK1', 'From: <sip:a@b>;tag=1', 'To: <sip:c@d>', 'Call-ID: x', 'CSeq: 1 BYE', 'l: 0']));
    if (!r.ok || r.message.kind !== 'request') throw new Error('fixture');
    const defect = validateRequest(r.message);
    if (!defect) throw new Error('expected a defect');
    const res = buildResponse(defect.partial, defect.status, defect.reason);
    expect(res).toMatchObject({ status: 400, reason: 'CSeq Method Mismatch: BYE vs INVITE' });
    expect(getHeader(res, 'CSeq')).toBe('1 BYE');
  });
});
