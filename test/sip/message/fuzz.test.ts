/**
 * Bad input never throws out of parseMessage / validate* (issue 3 "Bad input"): random bytes and
 * mutated valid messages always give a result; whatever parses also round-trips.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseCSeq,
  parseMessage,
  parseNameAddr,
  parseUri,
  parseVia,
  serializeMessage,
  SipHeaderError,
  validateRequest,
  validateResponse,
  type ParseResult,
} from '../../../src/sip/message/index.js';

/** The structured accessors may reject a value, but only ever with a SipHeaderError. */
function accessorsOnly(value: string): void {
  for (const parse of [parseVia, parseNameAddr, parseCSeq, parseUri]) {
    try {
      parse(value);
    } catch (e) {
      if (!(e instanceof SipHeaderError)) throw e;
    }
  }
}
import { inviteCorpus, okCorpus } from '../../../bench/parser-corpus.js';
import { torture, tortureFiles } from './torture-fixtures.js';

function pipeline(data: Buffer): ParseResult {
  const r = parseMessage(data);
  expect(typeof r.ok).toBe('boolean');
  if (r.ok) {
    const m = r.message;
    const d = m.kind === 'request' ? validateRequest(m) : validateResponse(m);
    if (d) expect(d.reason).not.toMatch(/[\r\n]/);
    for (const h of m.headers) accessorsOnly(h.value);
    accessorsOnly(m.kind === 'request' ? m.uri : m.reason);
    // whatever parses must serialize and parse back to the same message
    const again = parseMessage(serializeMessage(m));
    expect(again.ok && again.message).toEqual(m);
  } else {
    expect(r.error.reason).not.toMatch(/[\r\n]/);
    expect(r.error.status).toBeGreaterThanOrEqual(400);
  }
  return r;
}

const seeds: Buffer[] = [...tortureFiles().map(torture), ...inviteCorpus(3), ...okCorpus(3)];

type Mutation = { kind: 'flip' | 'insert' | 'delete' | 'truncate' | 'dup'; at: number; len: number; byte: number };
const SPECIAL = [0, 9, 10, 13, 32, 34, 44, 58, 59, 60, 62, 64, 91, 93, 92, 0x80, 0xff];

function mutate(seed: Buffer, ms: Mutation[]): Buffer {
  let b = Buffer.from(seed);
  for (const m of ms) {
    const at = b.length === 0 ? 0 : m.at % b.length;
    switch (m.kind) {
      case 'flip':
        if (b.length > 0) b[at] = m.byte;
        break;
      case 'insert':
        // a raw byte, a line break, or a fold (CRLF + SP)
        b = Buffer.concat([b.subarray(0, at), Buffer.from(m.byte % 3 === 0 ? [m.byte] : m.byte % 3 === 1 ? '\r\n' : '\r\n '), b.subarray(at)]);
        break;
      case 'delete':
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.len)]);
        break;
      case 'truncate':
        b = b.subarray(0, at);
        break;
      case 'dup':
        b = Buffer.concat([b.subarray(0, at + m.len), b.subarray(at)]);
        break;
    }
  }
  return b;
}

const mutation = fc.record({
  kind: fc.constantFrom('flip', 'insert', 'delete', 'truncate', 'dup') as fc.Arbitrary<Mutation['kind']>,
  at: fc.nat(),
  len: fc.integer({ min: 1, max: 40 }),
  byte: fc.oneof(fc.constantFrom(...SPECIAL), fc.integer({ min: 0, max: 255 })),
});

describe('fuzz: parseMessage never throws', () => {
  it('random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (u) => {
        pipeline(Buffer.from(u));
      }),
      { numRuns: 3000 },
    );
  });

  it('random SIP-ish text', () => {
    const piece = fc.constantFrom('INVITE ', 'SIP/2.0', ' 200 ', 'sip:', '@', '[', ']', ':', ';', '=', ',', '"', '\\', '<', '>', '\r\n', '\r\n\r\n', ' ', '\t', 'Via', 'l', 'Content-Length', '0', '9', 'x');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 80 }), (ps) => {
        pipeline(Buffer.from(ps.join('')));
      }),
      { numRuns: 3000 },
    );
  });

  it('mutated valid messages (torture corpus and bench corpus)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: seeds.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 6 }), (i, ms) => {
        pipeline(mutate(seeds[i] as Buffer, ms));
      }),
      { numRuns: 4000 },
    );
  });

  it('every torture message and every truncation of one', () => {
    for (const seed of seeds.slice(0, 61)) pipeline(seed);
    const wsinv = torture('4475-wsinv.sip');
    for (let n = 0; n <= wsinv.length; n++) pipeline(wsinv.subarray(0, n));
  });

  it('answers hostile sizes quickly (no quadratic blow-up on many headers or long folds)', () => {
    const many = Buffer.from('OPTIONS sip:x@example.com SIP/2.0\r\n' + 'X-A: b\r\n'.repeat(6000) + 'l: 0\r\n\r\n');
    const folds = Buffer.from('OPTIONS sip:x@example.com SIP/2.0\r\nX-A: b' + '\r\n c'.repeat(6000) + '\r\nl: 0\r\n\r\n');
    const bareLf = Buffer.from('OPTIONS sip:x@example.com SIP/2.0\r\n' + 'X-A: b\n'.repeat(8000) + '\r\n\r\n');
    const noEnd = Buffer.from('OPTIONS sip:x@example.com SIP/2.0\r\n' + '\n'.repeat(60000));
    const t0 = performance.now();
    expect(parseMessage(many).ok).toBe(true);
    expect(parseMessage(folds).ok).toBe(true);
    expect(parseMessage(bareLf).ok).toBe(false);
    expect(parseMessage(noEnd).ok).toBe(false);
    expect(parseMessage(Buffer.alloc(1_000_000, 'a')).ok).toBe(false);
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});
