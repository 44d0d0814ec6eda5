/**
 * Property: parse → serialize → parse is stable (issue 3), for generated messages with arbitrary
 * header names and values (X- headers in odd case, compact forms, UTF-8), binary bodies, and raw
 * text with folding and whitespace variants.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseMessage, serializeMessage, type HeaderField, type SipMessage } from '../../../src/sip/message/index.js';

const TOKEN_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`'~";
const token = (max: number) => fc.string({ unit: fc.constantFrom(...TOKEN_CHARS), minLength: 1, maxLength: max });

/** Header names: any token, X- headers in odd case, compact forms; never Content-Length (framing is set below). */
const headerName = fc
  .oneof(
    token(24),
    token(16).map((s) => `X-${s}`),
    fc.constantFrom('X-Zendesk-Ticket-Id', 'x-OPENCX-session-ID', 'X-oPeNcX-TrAnSfEr', 'Via', 'v', 'f', 't', 'i', 'm', 'Route', 'Call-ID', 'CSeq'),
  )
  .filter((n) => n.toLowerCase() !== 'l' && n.toLowerCase() !== 'content-length');

/** Values as the model stores them: no CR/LF, no leading/trailing SP/HTAB; any other Unicode. */
const headerValue = fc
  .string({ unit: fc.oneof(fc.constantFrom(' ', '\t', ',', ';', '"', '<', '>', ':', '\\', '\x00'), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 })), maxLength: 60 })
  .map((s) => s.replace(/[\r\n]/g, '').replace(/^[ \t]+|[ \t]+$/g, ''));

const headers = fc.array(fc.record({ name: headerName, value: headerValue }), { maxLength: 12 });
const body = fc.uint8Array({ maxLength: 300 }).map((u) => Buffer.from(u));

/** Where to put Content-Length (index into the headers), or none (datagram: body runs to the end). */
const framing = fc.option(fc.record({ at: fc.nat(), name: fc.constantFrom('Content-Length', 'l', 'CONTENT-length') }), { nil: null });

function withFraming(hs: HeaderField[], b: Buffer, f: { at: number; name: string } | null): HeaderField[] {
  if (f === null) return hs;
  const out = [...hs];
  out.splice(f.at % (out.length + 1), 0, { name: f.name, value: String(b.length) });
  return out;
}

const request = fc
  .record({
    method: fc.oneof(fc.constantFrom('INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'REGISTER', 'REFER'), token(20)),
    uri: fc.constantFrom('sip:bob@example.com', 'sips:[2001:db8::1]:5061;transport=tls', 'tel:+14155550100', 'sip:%61lice@h;x=1?a=b', 'urn:service:sos'),
    headers,
    body,
    framing,
  })
  .map(({ method, uri, headers: hs, body: b, framing: f }): SipMessage => ({ kind: 'request', method, uri, version: 'SIP/2.0', headers: withFraming(hs, b, f), body: b }));

const response = fc
  .record({
    status: fc.integer({ min: 100, max: 699 }),
    reason: fc.string({ unit: 'grapheme', maxLength: 30 }).map((s) => s.replace(/[\r\n]/g, '')),
    headers,
    body,
    framing,
  })
  .map(({ status, reason, headers: hs, body: b, framing: f }): SipMessage => ({ kind: 'response', status, reason, version: 'SIP/2.0', headers: withFraming(hs, b, f), body: b }));

describe('round trip (property)', () => {
  it('parse(serialize(m)) equals m for generated requests and responses', () => {
    fc.assert(
      fc.property(fc.oneof(request, response), (m) => {
        const wire = serializeMessage(m);
        const parsed = parseMessage(wire);
        if (!parsed.ok) throw new Error(`${parsed.error.code}: ${parsed.error.reason}`);
        expect(parsed.message).toEqual(m);
        expect(serializeMessage(parsed.message).equals(wire)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  /** Raw text with folding, LWS around the colon and compact names: the first parse normalises. */
  it('parse → serialize → parse is stable for raw text with folding and whitespace variants', () => {
    const rawHeader = fc
      .record({
        name: headerName,
        beforeColon: fc.constantFrom('', ' ', '\t ', '   '),
        afterColon: fc.constantFrom('', ' ', '\t', '    '),
        words: fc.array(token(12), { minLength: 0, maxLength: 4 }),
        folds: fc.array(fc.constantFrom(' ', '\r\n ', '\r\n\t', '\r\n   ', ' \t'), { minLength: 4, maxLength: 4 }),
      })
      .map(({ name, beforeColon, afterColon, words, folds }) => {
        let value = '';
        words.forEach((w, i) => {
          value += (i === 0 ? '' : folds[i % folds.length]) + w;
        });
        return `${name}${beforeColon}:${afterColon}${value}`;
      });
    fc.assert(
      fc.property(fc.array(rawHeader, { maxLength: 10 }), body, (lines, b) => {
        const raw = Buffer.concat([Buffer.from(['OPTIONS sip:x@example.com SIP/2.0', ...lines, `Content-Length: ${b.length}`, '', ''].join('\r\n')), b]);
        const first = parseMessage(raw);
        if (!first.ok) throw new Error(`${first.error.code}: ${first.error.reason}`);
        const second = parseMessage(serializeMessage(first.message));
        expect(second.ok && second.message).toEqual(first.message);
        for (const h of first.message.headers) expect(h.value).not.toMatch(/\r|\n|^[ \t]|[ \t]$/);
      }),
      { numRuns: 500 },
    );
  });
});
