/** Loads the RFC 4475 / RFC 5118 torture messages copied into test/fixtures/sip/torture. */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseMessage, validateRequest, validateResponse, type ParseResult, type SipParseError } from '../../../src/sip/message/index.js';

export const TORTURE_DIR = fileURLToPath(new URL('../../fixtures/sip/torture/', import.meta.url));

export function torture(name: string): Buffer {
  return readFileSync(TORTURE_DIR + name);
}

export function tortureFiles(): string[] {
  return readdirSync(TORTURE_DIR).filter((f) => f.endsWith('.sip')).sort();
}

/** The stack's inbound pipeline: parse → validate. */
export function parseAndValidate(data: Buffer): { parsed: ParseResult; defect: SipParseError | null; stage: 'parse' | 'validate' | null } {
  const parsed = parseMessage(data);
  if (!parsed.ok) return { parsed, defect: parsed.error, stage: 'parse' };
  const m = parsed.message;
  const defect = m.kind === 'request' ? validateRequest(m) : validateResponse(m);
  return { parsed, defect, stage: defect ? 'validate' : null };
}

/**
 * RFC 5118 §4.6/4.8/4.9 print a Content-Length that does not match their body (INDEX.md quirks);
 * the RFC calls them valid, so the harness rewrites Content-Length to the real body length.
 */
export function withTrueContentLength(data: Buffer): Buffer {
  const end = data.indexOf('\r\n\r\n');
  const head = data.subarray(0, end).toString('latin1');
  const bodyLength = data.length - end - 4;
  const fixed = head.replace(/^(Content-Length|l)[ \t]*:[ \t]*\d+$/im, `$1: ${bodyLength}`);
  return Buffer.concat([Buffer.from(fixed, 'latin1'), data.subarray(end)]);
}
