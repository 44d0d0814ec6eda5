import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { getHeader, parseVia } from '../../../src/sip/message/index.js';
import type { SipMessage, SipResponse } from '../../../src/sip/message/sip-message.js';
import { startSipStack, type SipStack } from '../../../src/sip/stack/sip-stack.js';
import type { RequestHandler } from '../../../src/sip/stack/request-handler.js';
import { SipPeer, sipRequest } from './sip-peer.js';

const open: { stacks: SipStack[]; peers: SipPeer[] } = { stacks: [], peers: [] };

afterEach(async () => {
  for (const peer of open.peers.splice(0)) await peer.close();
  for (const stack of open.stacks.splice(0)) await stack.close();
});

async function engine(options: { handler?: RequestHandler; tcp?: boolean; maxMessageSize?: number; t1?: number } = {}) {
  const stack = await startSipStack({
    listen: [{ transport: 'udp', address: '127.0.0.1', port: 0 }, ...(options.tcp ? [{ transport: 'tcp' as const, address: '127.0.0.1', port: 0 }] : [])],
    handler: options.handler,
    timers: { t1: options.t1 ?? 50, t2: 200, t4: 200 },
    transportOptions: options.maxMessageSize ? { maxMessageSize: options.maxMessageSize } : undefined,
  });
  open.stacks.push(stack);
  const [udp, tcp] = stack.listening();
  if (!udp) throw new Error('not listening');
  const peer = await SipPeer.udp(udp);
  open.peers.push(peer);
  return { stack, peer, udp, tcp };
}

const status = (m: SipMessage | undefined): number | string => (m?.kind === 'response' ? m.status : (m?.method ?? 'none'));

describe('SipStack with the core request handler', () => {
  it('answers OPTIONS 200 with Allow, Accept and Supported; stamps received/rport on the Via', async () => {
    const { peer } = await engine();
    peer.send(sipRequest('OPTIONS'));
    const res = (await peer.nth(0)) as SipResponse;
    expect(res.status).toBe(200);
    expect(getHeader(res, 'Allow')).toBe('INVITE, ACK, CANCEL, BYE, OPTIONS');
    expect(getHeader(res, 'Accept')).toBe('application/sdp');
    expect(getHeader(res, 'Supported')).toBe('');
    expect(getHeader(res, 'To')).toMatch(/;tag=\w+/);
    const via = parseVia(getHeader(res, 'Via') ?? '')[0];
    expect(via?.params).toMatchObject({ rport: String(peer.port), received: '127.0.0.1' });
  });

  it('INVITE: one 100 Trying, then 480; a retransmission gets the 480 again; the ACK ends it', async () => {
    const { peer, stack } = await engine();
    peer.send(sipRequest('INVITE', { branch: 'z9hG4bK-inv1' }));
    expect(status(await peer.nth(0))).toBe(100);
    const final = (await peer.nth(1)) as SipResponse;
    expect(final.status).toBe(480);
    peer.send(sipRequest('INVITE', { branch: 'z9hG4bK-inv1' }));
    expect(status(await peer.nth(2))).toBe(480);
    const toTag = /tag=(\w+)/.exec(getHeader(final, 'To') ?? '')?.[1];
    peer.send(sipRequest('ACK', { branch: 'z9hG4bK-inv1', toTag }));
    await waitUntil(() => stack.stats().transactions.requestsMatched === 2);
    expect(stack.stats().transactions).toMatchObject({ serverCreated: 1, requestsMatched: 2 });
  });

  it('re-sends the final response on Timer G until the ACK (unreliable transport)', async () => {
    const { peer } = await engine();
    peer.send(sipRequest('INVITE', { branch: 'z9hG4bK-g' }));
    expect([status(await peer.nth(0)), status(await peer.nth(1)), status(await peer.nth(2))]).toEqual([100, 480, 480]);
    peer.send(sipRequest('ACK', { branch: 'z9hG4bK-g', toTag: 'x' }));
  });

  it.each<[string, string, number]>([
    ['BYE out of dialog', sipRequest('BYE', { branch: 'z9hG4bK-bye' }), 481],
    ['in-dialog request with a To tag', sipRequest('INFO', { branch: 'z9hG4bK-info', toTag: 'gone' }), 405],
    ['in-dialog OPTIONS with a To tag', sipRequest('OPTIONS', { branch: 'z9hG4bK-opt2', toTag: 'gone' }), 481],
    ['a known method not allowed', sipRequest('REGISTER', { branch: 'z9hG4bK-reg' }), 405],
    ['an unknown method', sipRequest('FROBNICATE', { branch: 'z9hG4bK-frob' }), 501],
    ['a CANCEL matching nothing', sipRequest('CANCEL', { branch: 'z9hG4bK-nothing' }), 481],
    ['an unsupported Require', sipRequest('OPTIONS', { branch: 'z9hG4bK-req', extra: ['Require: 100rel'] }), 420],
  ])('%s is answered %i', async (_what, text, expected) => {
    const { peer } = await engine();
    peer.send(text);
    const res = (await peer.nth(0)) as SipResponse;
    expect(res.status).toBe(expected);
    if (expected === 405 || expected === 501) expect(getHeader(res, 'Allow')).toContain('OPTIONS');
    if (expected === 420) expect(getHeader(res, 'Unsupported')).toBe('100rel');
  });

  it('CANCEL of a pending INVITE: 200 for the CANCEL, 487 for the INVITE, the TU is told', async () => {
    const cancelled: string[] = [];
    const handler: RequestHandler = {
      onRequest: () => undefined, // never answers
      onCancel: (txn, cancel) => cancelled.push(`${txn.method}/${cancel.method}`),
    };
    const { peer } = await engine({ handler });
    peer.send(sipRequest('INVITE', { branch: 'z9hG4bK-c' }));
    expect(status(await peer.nth(0))).toBe(100);
    peer.send(sipRequest('CANCEL', { branch: 'z9hG4bK-c' }));
    const ok = (await peer.nth(1)) as SipResponse;
    expect([ok.status, getHeader(ok, 'CSeq')]).toEqual([200, '1 CANCEL']);
    const terminated = (await peer.nth(2)) as SipResponse;
    expect([terminated.status, getHeader(terminated, 'CSeq')]).toEqual([487, '1 INVITE']);
    expect(cancelled).toEqual(['INVITE/CANCEL']);
  });

  it('a handler that throws or rejects gets 500 sent for it', async () => {
    const handler: RequestHandler = {
      onRequest: (txn) => {
        if (txn.method === 'OPTIONS') throw new Error('bug');
        return Promise.reject(new Error('async bug'));
      },
    };
    const { peer } = await engine({ handler });
    peer.send(sipRequest('OPTIONS', { branch: 'z9hG4bK-h1' }));
    expect(status(await peer.nth(0))).toBe(500);
    peer.send(sipRequest('INVITE', { branch: 'z9hG4bK-h2' }));
    expect([status(await peer.nth(1)), status(await peer.nth(2))]).toEqual([100, 500]);
  });

  it('ACK for a 2xx (no matching transaction) goes to the handler', async () => {
    const acks: string[] = [];
    const { peer, stack } = await engine({ handler: { onRequest: (t) => void t.reply(200), onAck: (ack) => acks.push(ack.method) } });
    peer.send(sipRequest('ACK', { branch: 'z9hG4bK-ack2xx', toTag: 'abc' }));
    await waitUntil(() => stack.stats().acks === 1);
    expect(acks).toEqual(['ACK']);
  });

  describe('bad input', () => {
    it('a request missing Call-ID gets 400 naming the defect', async () => {
      const { peer, stack } = await engine();
      peer.send(sipRequest('OPTIONS', { branch: 'z9hG4bK-bad' }).replace(/Call-ID: .*\n/, ''));
      const res = (await peer.nth(0)) as SipResponse;
      expect(res.status).toBe(400);
      expect(res.reason).toMatch(/Call-ID/i);
      expect(stack.stats().rejected).toBe(1);
    });

    it('a request whose CSeq method differs from the method gets 400', async () => {
      const { peer } = await engine();
      peer.send(sipRequest('OPTIONS', { branch: 'z9hG4bK-cseq', cseqMethod: 'INVITE' }));
      const res = (await peer.nth(0)) as SipResponse;
      expect(res.status).toBe(400);
      expect(res.reason).toMatch(/CSeq/i);
    });

    it('a too large request gets 513', async () => {
      const { peer } = await engine({ maxMessageSize: 600 });
      // The headers fit, the body makes it too large: the parser still returns the headers it read.
      const body = 'a'.repeat(700);
      peer.send(sipRequest('OPTIONS', { branch: 'z9hG4bK-big', extra: ['Content-Type: text/plain'] }).replace('Content-Length: 0\n\n', `Content-Length: ${body.length}\n\n${body}`));
      const res = (await peer.nth(0)) as SipResponse;
      expect([res.status, getHeader(res, 'CSeq')]).toEqual([513, '1 OPTIONS']);
    });

    // Issue 3 leftover: headers alone over the limit. The parser (UDP) and the stream framer (TCP)
    // keep the complete header lines within the limit, so the stack can still answer 513.
    const headerFlood = (branch: string) =>
      sipRequest('OPTIONS', { branch, extra: Array.from({ length: 40 }, (_, i) => `X-Pad-${i}: ${'p'.repeat(40)}`) });

    it('a request whose headers alone are too large gets 513 over UDP', async () => {
      const { peer, stack } = await engine({ maxMessageSize: 600 });
      peer.send(headerFlood('z9hG4bK-flood-udp'));
      const res = (await peer.nth(0)) as SipResponse;
      expect([res.status, getHeader(res, 'CSeq'), getHeader(res, 'Call-ID')]).toEqual([513, '1 OPTIONS', 'stack-test-1']);
      expect(getHeader(res, 'Via')).toContain('branch=z9hG4bK-flood-udp');
      expect(stack.stats().rejected).toBe(1);
    });

    it('a request whose headers alone are too large gets 513 over TCP', async () => {
      const { tcp, stack } = await engine({ tcp: true, maxMessageSize: 600 });
      if (!tcp) throw new Error('no tcp listener');
      const peer = await SipPeer.tcp(tcp);
      open.peers.push(peer);
      peer.send(headerFlood('z9hG4bK-flood-tcp'));
      const res = (await peer.nth(0)) as SipResponse;
      expect([res.status, getHeader(res, 'CSeq'), getHeader(res, 'Call-ID')]).toEqual([513, '1 OPTIONS', 'stack-test-1']);
      expect(getHeader(res, 'Via')).toContain('branch=z9hG4bK-flood-tcp');
      expect(stack.stats().rejected).toBe(1);
    });

    it('garbage, malformed ACKs and malformed responses are dropped and counted; traffic continues', async () => {
      const { peer, stack } = await engine();
      peer.sendRaw(Buffer.from('\x00\x01garbage\r\n\r\n'));
      peer.send(sipRequest('ACK', { branch: 'z9hG4bK-badack' }).replace(/Call-ID: .*\n/, ''));
      peer.send('SIP/2.0 200 OK\nVia: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK-r\nContent-Length: 0\n\n');
      peer.send(sipRequest('OPTIONS', { branch: 'z9hG4bK-after' }));
      expect(status(await peer.nth(0))).toBe(200);
      await waitUntil(() => stack.stats().dropped === 3);
      expect(peer.received).toHaveLength(1);
    });
  });

  it('TCP: OPTIONS answered on the same connection', async () => {
    const { tcp } = await engine({ tcp: true });
    if (!tcp) throw new Error('no tcp listener');
    const peer = await SipPeer.tcp(tcp);
    open.peers.push(peer);
    peer.send(sipRequest('OPTIONS', { branch: 'z9hG4bK-tcp' }));
    expect(status(await peer.nth(0))).toBe(200);
  });

  it('sendRequest: adds Via/branch, retransmits on UDP until answered, reports the response', async () => {
    const { stack, peer } = await engine();
    const responses: number[] = [];
    const txn = stack.sendRequest(
      {
        kind: 'request',
        method: 'OPTIONS',
        uri: `sip:peer@127.0.0.1:${peer.port}`,
        version: 'SIP/2.0',
        headers: [
          { name: 'From', value: '<sip:engine@127.0.0.1>;tag=e1' },
          { name: 'To', value: `<sip:peer@127.0.0.1:${peer.port}>` },
          { name: 'Call-ID', value: 'client-1' },
          { name: 'CSeq', value: '1 OPTIONS' },
        ],
        body: Buffer.alloc(0),
      },
      { transport: 'udp', address: '127.0.0.1', port: peer.port },
      { onResponse: (r) => responses.push(r.status) },
    );
    const first = await peer.nth(0);
    const second = await peer.nth(1); // Timer E (T1 = 50 ms)
    expect([status(first), status(second)]).toEqual(['OPTIONS', 'OPTIONS']);
    const via = getHeader(first, 'Via') ?? '';
    expect(via).toMatch(/^SIP\/2\.0\/UDP 127\.0\.0\.1:\d+;branch=z9hG4bK\w+;rport$/);
    expect(getHeader(first, 'Max-Forwards')).toBe('70');
    peer.send(`SIP/2.0 200 OK\nVia: ${via}\nFrom: <sip:engine@127.0.0.1>;tag=e1\nTo: <sip:peer@127.0.0.1>;tag=p1\nCall-ID: client-1\nCSeq: 1 OPTIONS\nContent-Length: 0\n\n`);
    await waitUntil(() => responses.length === 1);
    expect(responses).toEqual([200]);
    expect(txn.state).toBe('Completed');
  });

  it('sendRequest: timeout reported as 408 (Timer F)', async () => {
    const { stack, peer } = await engine({ t1: 5 });
    const failures: number[] = [];
    stack.sendRequest(
      {
        kind: 'request',
        method: 'MESSAGE',
        uri: 'sip:nobody@127.0.0.1',
        version: 'SIP/2.0',
        headers: [
          { name: 'From', value: '<sip:engine@127.0.0.1>;tag=e2' },
          { name: 'To', value: '<sip:nobody@127.0.0.1>' },
          { name: 'Call-ID', value: 'client-2' },
          { name: 'CSeq', value: '1 MESSAGE' },
        ],
        body: Buffer.alloc(0),
      },
      { transport: 'udp', address: '127.0.0.1', port: peer.port },
      { onFailure: (f) => failures.push(f.status) },
    );
    await waitUntil(() => failures.length === 1, 10_000);
    expect(failures).toEqual([408]);
  });
});

describe('SipStack lifecycle', () => {
  it('close() releases every socket and timer, even with transactions in flight', async () => {
    const before = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap');
    const { stack, peer } = await engine({ t1: 1000 });
    peer.send(sipRequest('INVITE', { branch: 'z9hG4bK-inflight' }));
    expect(status(await peer.nth(1))).toBe(480); // Completed: Timers G and H armed
    expect(stack.stats().live.server).toBe(1);
    await peer.close();
    open.peers.splice(open.peers.indexOf(peer), 1);
    await stack.close();
    open.stacks.splice(open.stacks.indexOf(stack), 1);
    const after = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap');
    expect(after.filter((r) => r !== 'Timeout').sort()).toEqual(before.filter((r) => r !== 'Timeout').sort());
    expect(after.filter((r) => r === 'Timeout').length).toBeLessThanOrEqual(before.filter((r) => r === 'Timeout').length);
  });

  it('accepts a pino logger and logs defects at debug level', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const stack = await startSipStack({ listen: [{ transport: 'udp', address: '127.0.0.1', port: 0 }], logger: pino({ level: 'debug' }, sink) });
    open.stacks.push(stack);
    const peer = await SipPeer.udp(stack.listening()[0]!);
    open.peers.push(peer);
    peer.send(sipRequest('OPTIONS', { branch: 'z9hG4bK-log' }).replace(/CSeq: .*\n/, ''));
    expect(status(await peer.nth(0))).toBe(400);
    expect(lines.some((line) => line.includes('bad request rejected'))).toBe(true);
  });
});

/** Poll a condition on the event loop (setImmediate ticks, bounded by `ms`) — no fixed sleeps. */
async function waitUntil(condition: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((resolve) => setImmediate(resolve));
  }
}
