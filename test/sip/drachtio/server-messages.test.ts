/**
 * The builders must reproduce, byte for byte (length prefix included), the worked examples of
 * drachtio-protocol.md §11 (copied to fixtures/spec-frames.json by splitting the markdown, with
 * ⏎ turned into CR LF). Metadata is read from the example; the builder computes the byte-count
 * token, the token layout and the frame length itself.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeClientMessage } from '../../../src/sip/drachtio/client-message.js';
import { encodeFrame, FrameDecoder } from '../../../src/sip/drachtio/frame-decoder.js';
import { parsePayload } from '../../../src/sip/drachtio/payload.js';
import {
  authenticateOk,
  authenticateRejected,
  cdr,
  failureResponse,
  formatWireTime,
  networkMessage,
  networkRequest,
  okResponse,
  pong,
  proxyDone,
  proxyResponse,
  requestEcho,
  responseEcho,
  unknownMessageType,
  unsolicitedRequest,
  type WireMeta,
} from '../../../src/sip/drachtio/server-messages.js';

interface SpecFrame {
  section: string;
  direction: 'C->S' | 'S->C';
  title: string;
  frame: string;
}

const frames: SpecFrame[] = JSON.parse(readFileSync(new URL('./fixtures/spec-frames.json', import.meta.url), 'utf8'));

function decodeOne(frame: string): { tokens: string[]; sip: Buffer | null } {
  const result = new FrameDecoder().push(Buffer.from(frame, 'utf8'));
  expect(result.error).toBeNull();
  expect(result.frames).toHaveLength(1);
  return parsePayload(result.frames[0]!);
}

const metaAt = (t: string[], first: number): WireMeta => ({
  protocol: t[first]!,
  address: t[first + 1]!,
  port: Number(t[first + 2]),
  time: t[first + 3]!,
});

/** Rebuild a server→client example from its parts with the builder its title names. */
function rebuild(title: string, t: string[], sip: Buffer | null): Buffer {
  const id = t[0]!;
  if (title === 'authenticate OK') return authenticateOk(id, t[2]!, { hostports: t[4]!, version: t[5]!, localHostports: t[6]! });
  if (title === 'route OK') return okResponse(id, t[2]!);
  if (title === 'pong') return pong(id, t[2]!);
  if (title.startsWith('NOK')) return failureResponse(id, t[2]!, 'NOK', t[4]!);
  if (t[1] === 'sip' && t.length === 13) return networkRequest(id, metaAt(t, 4), t[8]!, { address: t[10]!, port: Number(t[11]) }, sip!);
  if (t[1] === 'sip') return networkMessage(id, metaAt(t, 4), t[8]!, t[9]!, sip!);
  if (t[1] === 'response' && t.length === 15) return responseEcho(id, t[2]!, metaAt(t, 6), t[10]!, t[11]!, sip!);
  if (t[1] === 'response' && t.length === 13) return requestEcho(id, t[2]!, metaAt(t, 6), t[10]!, sip!);
  throw new Error(`no builder for example "${title}"`);
}

describe('drachtio-protocol.md §11 worked examples', () => {
  it('fixture holds every example', () => {
    expect(frames.length).toBe(27);
  });

  const serverFrames = frames.filter((f) => f.direction === 'S->C');
  it.each(serverFrames.map((f) => [`${f.section} / ${f.title}`, f] as const))('S->C %s is rebuilt byte for byte', (_name, f) => {
    const { tokens, sip } = decodeOne(f.frame);
    const rebuilt = encodeFrame(rebuild(f.title, tokens, sip));
    expect(rebuilt.toString('utf8')).toBe(f.frame);
    expect(rebuilt.equals(Buffer.from(f.frame, 'utf8'))).toBe(true);
  });

  const clientFrames = frames.filter((f) => f.direction === 'C->S');
  it.each(clientFrames.map((f) => [`${f.section} / ${f.title}`, f] as const))('C->S %s decodes', (_name, f) => {
    const result = new FrameDecoder().push(Buffer.from(f.frame, 'utf8'));
    expect(result.frames).toHaveLength(1);
    const message = decodeClientMessage(result.frames[0]!);
    expect(message.type).not.toBe('unknown');
    // Re-framing the decoded payload reproduces the example.
    expect(encodeFrame(result.frames[0]!).toString('utf8')).toBe(f.frame);
  });

  it('decodes the client messages into the expected values', () => {
    const byTitle = (title: string) => {
      const f = frames.find((x) => x.title.startsWith(title))!;
      return decodeClientMessage(new FrameDecoder().push(Buffer.from(f.frame)).frames[0]!);
    };
    expect(byTitle('authenticate')).toEqual({ type: 'authenticate', id: '0d4f7a2e-8c1b-4a6e-9f3d-1b2c3d4e5f60', secret: 'cymru', tags: [] });
    expect(byTitle('route')).toMatchObject({ type: 'route', verb: 'invite' });
    expect(byTitle('CANCEL:')).toMatchObject({ type: 'sip', transactionId: 'f1000001-0000-4000-8000-000000000001', dialogId: '' });
    expect(byTitle('ACK in dialog')).toMatchObject({ type: 'sip', transactionId: '', dialogId: '7f3c9a1e-5b2d-4c8f-9e0a-2d4b6f8a0c1e;from-tag=aB3dE5fG7hJ9k' });
  });
});

describe('server message shapes', () => {
  const meta: WireMeta = { protocol: 'udp', address: '127.0.0.1', port: 5070, time: '01:02:03.000004' };
  const sip = 'BYE sip:a SIP/2.0\r\n\r\n';

  it('sip shapes carry at least 10 tokens and end with |', () => {
    for (const payload of [
      networkRequest('i', meta, 't', { address: '127.0.0.1', port: 5060 }, sip),
      networkMessage('i', meta, 't', '', sip),
      unsolicitedRequest('i', meta, 'd', sip),
    ]) {
      const { tokens } = parsePayload(payload);
      expect(tokens.length).toBeGreaterThan(10);
      expect(tokens.at(-1)).toBe('');
    }
  });

  it('shape C: source application, transactionId unsolicited', () => {
    expect(parsePayload(unsolicitedRequest('i', meta, 'c;from-tag=x', sip)).tokens).toEqual([
      'i', 'sip', 'application', String(sip.length), 'udp', '127.0.0.1', '5070', '01:02:03.000004', 'unsolicited', 'c;from-tag=x', '',
    ]);
  });

  it('rejections', () => {
    expect(authenticateRejected('i', 'c').toString()).toBe('i|response|c|NO|incorrect secret');
    expect(unknownMessageType('i', 'c').toString()).toBe('i|response|c|NO|Unknown message type');
    expect(failureResponse('i', 'c', 'NOK', 'bad | thing\r\nx').toString()).toBe('i|response|c|NOK|bad   thing x');
  });

  it('proxy stream: continue token at index 12, then done', () => {
    const tokens = parsePayload(proxyResponse('i', 'c', meta, 'SIP/2.0 200 OK\r\n\r\n')).tokens;
    expect(tokens[4]).toBe('network');
    expect(tokens[10]).toBe('');
    expect(tokens[11]).toBe('');
    expect(tokens[12]).toBe('continue');
    expect(proxyDone('i', 'c').toString()).toBe('i|response|c|OK|done');
  });

  it('cdr shapes', () => {
    expect(parsePayload(cdr('i', { event: 'attempt' }, 'network', 't', sip)).tokens).toEqual(['i', 'cdr:attempt', 'network', 't']);
    expect(parsePayload(cdr('i', { event: 'start', role: 'uas' }, 'application', 't', sip)).tokens).toEqual(['i', 'cdr:start', 'application', 't', 'uas']);
    expect(parsePayload(cdr('i', { event: 'stop', reason: 'normal-release' }, 'network', 't', sip)).tokens[4]).toBe('normal-release');
  });

  it('byte count and frame length use UTF-8 bytes', () => {
    const body = 'MESSAGE sip:a SIP/2.0\r\nContent-Length: 6\r\n\r\nhé✓';
    const payload = networkMessage('i', meta, 't', '', body);
    expect(parsePayload(payload).tokens[3]).toBe(String(Buffer.byteLength(body)));
    expect(encodeFrame(payload).toString().startsWith(`${Buffer.byteLength(payload.toString())}#`)).toBe(true);
  });

  it('formats UTC time of day with microseconds', () => {
    expect(formatWireTime(new Date(Date.UTC(2024, 0, 1, 3, 4, 5, 67)))).toBe('03:04:05.067000');
    expect(formatWireTime(new Date(Date.UTC(2024, 0, 1, 23, 59, 9, 0)), 42)).toBe('23:59:09.000042');
  });
});
