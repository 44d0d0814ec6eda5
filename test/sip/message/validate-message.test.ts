import { describe, expect, it } from 'vitest';
import { parseMessage, validateRequest, validateResponse, type SipParseError } from '../../../src/sip/message/index.js';
import { INVITE_HEADERS, sip } from './sip-text.js';

function defect(lines: string[], body = ''): SipParseError | null {
  const r = parseMessage(sip(lines, body));
  if (!r.ok) throw new Error(`parse failed: ${r.error.reason}`);
  return r.message.kind === 'request' ? validateRequest(r.message) : validateResponse(r.message);
}

const replace = (name: string, line: string | null): string[] => {
  const out = INVITE_HEADERS.filter((h) => !h.startsWith(name + ':'));
  return line === null ? out : [...out, line];
};

describe('validateRequest (RFC 3261 §8.2, §16.3)', () => {
  it('accepts a well-formed INVITE', () => {
    expect(defect(['INVITE sip:bob@example.com SIP/2.0', ...INVITE_HEADERS, 'Content-Length: 0'])).toBeNull();
  });

  it.each([
    ['SIP/3.0 version', 'INVITE sip:bob@example.com SIP/3.0', INVITE_HEADERS, 'SIP_ERR_BAD_VERSION', 505],
    ['Request-URI in <>', 'INVITE <sip:bob@example.com> SIP/2.0', INVITE_HEADERS, 'SIP_ERR_BAD_URI', 400],
    ['bad sip Request-URI', 'INVITE sip:bob@exa_mple.com SIP/2.0', INVITE_HEADERS, 'SIP_ERR_BAD_URI', 400],
    ['headers in the Request-URI', 'INVITE sip:bob@example.com?Subject=x SIP/2.0', INVITE_HEADERS, 'SIP_ERR_BAD_URI', 400],
    ['unknown Request-URI scheme', 'INVITE mailto:bob@example.com SIP/2.0', INVITE_HEADERS, 'SIP_ERR_UNSUPPORTED_URI_SCHEME', 416],
    ['missing Via', 'INVITE sip:bob@example.com SIP/2.0', replace('Via', null), 'SIP_ERR_MISSING_HEADER', 400],
    ['missing CSeq', 'INVITE sip:bob@example.com SIP/2.0', replace('CSeq', null), 'SIP_ERR_MISSING_HEADER', 400],
    ['duplicate To', 'INVITE sip:bob@example.com SIP/2.0', [...INVITE_HEADERS, 't: <sip:x@y>'], 'SIP_ERR_DUPLICATE_HEADER', 400],
    ['bad Via', 'INVITE sip:bob@example.com SIP/2.0', replace('Via', 'Via: SIP/2.0/UDP'), 'SIP_ERR_BAD_VIA', 400],
    ['bad From', 'INVITE sip:bob@example.com SIP/2.0', replace('From', 'From: Bell, A <sip:a@b>'), 'SIP_ERR_BAD_DISPLAY_NAME', 400],
    ['bad To URI', 'INVITE sip:bob@example.com SIP/2.0', replace('To', 'To: <sip:bob@[::1>'), 'SIP_ERR_BAD_URI', 400],
    ['bad Call-ID', 'INVITE sip:bob@example.com SIP/2.0', replace('Call-ID', 'Call-ID: a@b@c'), 'SIP_ERR_BAD_CALL_ID', 400],
    ['empty Call-ID', 'INVITE sip:bob@example.com SIP/2.0', replace('Call-ID', 'Call-ID:'), 'SIP_ERR_BAD_CALL_ID', 400],
    ['bad CSeq', 'INVITE sip:bob@example.com SIP/2.0', replace('CSeq', 'CSeq: x INVITE'), 'SIP_ERR_BAD_CSEQ', 400],
    ['CSeq method mismatch', 'INVITE sip:bob@example.com SIP/2.0', replace('CSeq', 'CSeq: 1 BYE'), 'SIP_ERR_CSEQ_METHOD_MISMATCH', 400],
    ['Max-Forwards 300', 'INVITE sip:bob@example.com SIP/2.0', replace('Max-Forwards', 'Max-Forwards: 300'), 'SIP_ERR_BAD_MAX_FORWARDS', 400],
    ['bad Contact', 'INVITE sip:bob@example.com SIP/2.0', replace('Contact', 'Contact: <sip:a@b>;;'), 'SIP_ERR_BAD_PARAM', 400],
    ['Contact expires too large', 'INVITE sip:bob@example.com SIP/2.0', replace('Contact', 'Contact: <sip:a@b>;expires=99999999999'), 'SIP_ERR_BAD_EXPIRES', 400],
    ['Expires too large', 'INVITE sip:bob@example.com SIP/2.0', [...INVITE_HEADERS, 'Expires: 99999999999'], 'SIP_ERR_BAD_EXPIRES', 400],
  ])('%s', (_what, startLine, headers, code, status) => {
    const d = defect([startLine, ...headers, 'l: 0']);
    expect(d).toMatchObject({ code, status, partial: { kind: 'request', method: 'INVITE' } });
    expect(d?.reason).not.toMatch(/[\r\n]/);
  });

  it('names every missing header in the reason phrase', () => {
    expect(defect(['INVITE sip:bob@example.com SIP/2.0', 'Via: SIP/2.0/UDP h;branch=z9hG4bK1', 'CSeq: 1 INVITE', 'l: 0'])?.reason).toBe(
      'Missing Header: To, From, Call-ID',
    );
  });

  it('accepts a request without Max-Forwards (RFC 2543 compatibility)', () => {
    expect(defect(['INVITE sip:bob@example.com SIP/2.0', ...replace('Max-Forwards', null), 'l: 0'])).toBeNull();
  });

  it('accepts unknown schemes in To/From/Contact, tel Request-URIs and Contact: *', () => {
    expect(defect(['REGISTER tel:+14155550100 SIP/2.0', ...replace('CSeq', 'CSeq: 1 REGISTER').filter((h) => !h.startsWith('Contact')), 'Contact: *', 'l: 0'])).toBeNull();
    expect(defect(['INVITE sip:bob@example.com SIP/2.0', ...replace('To', 'To: isbn:2983792873'), 'l: 0'])).toBeNull();
  });
});

describe('validateResponse', () => {
  const RESPONSE = ['Via: SIP/2.0/UDP h;branch=z9hG4bK1', 'From: <sip:a@b>;tag=1', 'To: <sip:c@d>;tag=2', 'Call-ID: abc', 'CSeq: 1 INVITE'];

  it('accepts a well-formed response (its CSeq method need not match anything)', () => {
    expect(defect(['SIP/2.0 200 OK', ...RESPONSE, 'l: 0'])).toBeNull();
  });

  it.each([
    ['SIP/2.1 200 OK', RESPONSE, 'SIP_ERR_BAD_VERSION'],
    ['SIP/2.0 200 OK', RESPONSE.slice(1), 'SIP_ERR_MISSING_HEADER'],
    ['SIP/2.0 200 OK', [...RESPONSE.slice(0, 4), 'CSeq: 9292394834772304023312 OPTIONS'], 'SIP_ERR_BAD_CSEQ'],
    ['SIP/2.0 200 OK', [...RESPONSE, 'Call-ID: other'], 'SIP_ERR_DUPLICATE_HEADER'],
  ])('%s → %s', (line, headers, code) => {
    expect(defect([line, ...headers, 'l: 0'])?.code).toBe(code);
    expect(defect([line, ...headers, 'l: 0'])?.partial.kind).toBe('response');
  });
});
