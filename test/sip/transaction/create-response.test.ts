import { describe, expect, it } from 'vitest';
import { createResponse, reasonPhrase } from '../../../src/sip/transaction/create-response.js';
import { failureResponse } from '../../../src/sip/transaction/failure-response.js';
import { timeoutFailure, transportFailure } from '../../../src/sip/transaction/transaction-types.js';
import { header, request } from './sip-fixtures.js';

describe('createResponse (RFC 3261 §8.2.6)', () => {
  const req = request({ extraVia: ['SIP/2.0/UDP proxy.example:5060;branch=z9hG4bK-p'] });
  req.headers.push({ name: 'X-Other', value: 'not copied' }, { name: 'Timestamp', value: '1.5' });

  it('copies Via (all, in order), From, To, Call-ID, CSeq; adds the To tag; writes Content-Length', () => {
    const res = createResponse(req, 486, undefined, { toTag: 'abc', headers: [{ name: 'Retry-After', value: '30' }] });
    expect(res).toMatchObject({ kind: 'response', status: 486, reason: 'Busy Here', version: 'SIP/2.0' });
    expect(res.headers.map((h) => h.name)).toEqual(['Via', 'Via', 'From', 'To', 'Call-ID', 'CSeq', 'Retry-After', 'Content-Length']);
    expect(header(res, 'To')).toBe('<sip:bob@127.0.0.1>;tag=abc');
    expect(header(res, 'Content-Length')).toBe('0');
  });

  it('keeps an existing To tag', () => {
    const res = createResponse(request({ toTag: 'dialog' }), 200, 'OK', { toTag: 'new' });
    expect(header(res, 'To')).toBe('<sip:bob@127.0.0.1>;tag=dialog');
  });

  it('100 Trying: no To tag, Timestamp copied (§8.2.6.1, §17.2.1)', () => {
    const res = createResponse(req, 100, undefined, { toTag: 'abc' });
    expect(header(res, 'To')).toBe('<sip:bob@127.0.0.1>');
    expect(header(res, 'Timestamp')).toBe('1.5');
    expect(header(createResponse(req, 200), 'Timestamp')).toBeUndefined();
  });

  it('Content-Length follows the body', () => {
    const res = createResponse(req, 200, 'OK', { body: Buffer.from('v=0\r\n'), headers: [{ name: 'Content-Length', value: '99' }] });
    expect(header(res, 'Content-Length')).toBe('5');
    expect(res.headers.filter((h) => h.name === 'Content-Length')).toHaveLength(1);
  });

  it('408/503 for timeouts and transport errors (§8.1.3.1)', () => {
    expect(failureResponse(req, timeoutFailure('B'))).toMatchObject({ status: 408, reason: 'Request Timeout' });
    expect(failureResponse(req, transportFailure(new Error('x')))).toMatchObject({ status: 503, reason: 'Service Unavailable' });
    expect(reasonPhrase(299)).toBe('OK');
  });
});
