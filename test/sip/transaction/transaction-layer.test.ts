import { describe, expect, it } from 'vitest';
import type { SipAddress, SipMessage, SipResponse } from '../../../src/sip/message/sip-message.js';
import type { ServerTransaction } from '../../../src/sip/transaction/server-transaction.js';
import { TransactionLayer } from '../../../src/sip/transaction/transaction-layer.js';
import type { TransactionFailure } from '../../../src/sip/transaction/transaction-types.js';
import type { SendTarget, SentInfo } from '../../../src/sip/transport/transport.js';
import { FakeClock } from './fake-clock.js';
import { flushPromises } from './harness.js';
import { header, request, response } from './sip-fixtures.js';

const peer: SipAddress = { transport: 'udp', address: '127.0.0.1', port: 5070 };
const local: SipAddress = { transport: 'udp', address: '127.0.0.1', port: 5060 };
const inbound = { source: peer, local, connectionId: null };

function setup() {
  const clock = new FakeClock();
  const wire: { message: SipMessage; to: string }[] = [];
  const control = { fail: false };
  const info = (): SentInfo => ({ transport: 'udp', destination: peer, local, bytes: 0, wire: Buffer.alloc(0) });
  const transport = {
    send: async (message: SipMessage, target: SendTarget) => {
      wire.push({ message, to: `${target.transport}:${target.port}` });
      if (control.fail) throw new Error('EHOSTUNREACH');
      return info();
    },
    sendResponse: async (message: SipResponse, origin: { source: SipAddress }) => {
      wire.push({ message, to: `response:${origin.source.port}` });
      if (control.fail) throw new Error('EHOSTUNREACH');
      return info();
    },
  };
  const layer = new TransactionLayer({ transport, clock, timers: { t1: 100, t2: 400, t4: 500 } });
  const summary = () => wire.map((w) => (w.message.kind === 'request' ? w.message.method : w.message.status));
  return { clock, wire, layer, control, summary };
}

function newServer(layer: TransactionLayer, req = request()): ServerTransaction {
  const disposition = layer.receiveRequest(req, inbound);
  if (disposition.kind !== 'new') throw new Error(`expected new, got ${disposition.kind}`);
  return disposition.transaction;
}

describe('TransactionLayer — server side', () => {
  it('a TU answering synchronously suppresses 100 Trying', () => {
    const { layer, summary } = setup();
    const txn = newServer(layer);
    txn.start({ onRequest: (t) => t.reply(480) });
    expect(summary()).toEqual([480]);
    expect(txn.state).toBe('Completed');
  });

  it('tells the TU when the transaction terminates (onTerminated), once; the layer forgets it', () => {
    const { layer, clock } = setup();
    const txn = newServer(layer, request({ method: 'OPTIONS' }));
    const ended: ServerTransaction[] = [];
    txn.start({ onRequest: (t) => t.reply(200), onTerminated: (t) => ended.push(t) });
    expect(ended).toEqual([]);
    // RFC 3261 §17.2.2: Timer J (64×T1 on UDP) ends the Completed state.
    clock.advance(64 * 100);
    expect(ended).toEqual([txn]);
    expect(txn.state).toBe('Terminated');
    expect(layer.size.server).toBe(0);
  });

  it('a TU answering later gets 100 Trying first; the final carries the transaction To tag', async () => {
    const { layer, summary, wire } = setup();
    const txn = newServer(layer);
    txn.start({ onRequest: (t) => void Promise.resolve().then(() => t.reply(486)) });
    expect(summary()).toEqual([100]);
    await flushPromises();
    expect(summary()).toEqual([100, 486]);
    expect(header(wire[1]!.message, 'To')).toBe(`<sip:bob@127.0.0.1>;tag=${txn.toTag}`);
    expect(txn.finalStatus).toBe(486);
  });

  it('absorbs retransmissions (re-sends the last response) and counts them', () => {
    const { layer, summary } = setup();
    const txn = newServer(layer);
    txn.start({ onRequest: () => undefined });
    expect(layer.receiveRequest(request(), inbound)).toEqual({ kind: 'matched', transaction: txn });
    txn.reply(480);
    layer.receiveRequest(request(), inbound);
    expect(summary()).toEqual([100, 100, 480, 480]);
    expect(layer.stats).toMatchObject({ serverCreated: 1, requestsMatched: 2, responsesRetransmitted: 2 });
  });

  it('the ACK for a non-2xx matches the INVITE transaction; the ACK for a 2xx (new branch) does not', () => {
    const { layer, clock } = setup();
    const txn = newServer(layer);
    txn.start({ onRequest: (t) => t.reply(404) });
    expect(layer.receiveRequest(request({ method: 'ACK', toTag: txn.toTag }), inbound).kind).toBe('matched');
    expect(txn.state).toBe('Confirmed');
    expect(layer.receiveRequest(request({ method: 'ACK', branch: 'z9hG4bK-2xx-ack', toTag: 'x' }), inbound)).toEqual({ kind: 'ack-unmatched' });
    clock.advance(500);
    expect(txn.state).toBe('Terminated');
    expect(layer.size.server).toBe(0);
  });

  it('CANCEL matches the pending INVITE (§9.2); a CANCEL for nothing has no target', () => {
    const { layer } = setup();
    const txn = newServer(layer);
    txn.start({ onRequest: () => undefined });
    const disposition = layer.receiveRequest(request({ method: 'CANCEL' }), inbound);
    expect(disposition.kind).toBe('cancel');
    if (disposition.kind !== 'cancel') return;
    expect(disposition.target).toBe(txn);
    expect(disposition.transaction.method).toBe('CANCEL');
    // A retransmitted CANCEL matches the CANCEL transaction itself.
    expect(layer.receiveRequest(request({ method: 'CANCEL' }), inbound)).toEqual({ kind: 'matched', transaction: disposition.transaction });
    const stray = layer.receiveRequest(request({ method: 'CANCEL', branch: 'z9hG4bK-unknown' }), inbound);
    expect(stray).toMatchObject({ kind: 'cancel', target: null });
  });

  it('RFC 2543 peer: the ACK matches with the To tag of our final response', () => {
    const { layer } = setup();
    const old = { branch: '', callId: 'old@host', cseq: 5 };
    const txn = newServer(layer, request(old));
    txn.start({ onRequest: (t) => t.reply(486) });
    expect(layer.receiveRequest(request({ ...old, method: 'ACK', toTag: 'wrong' }), inbound).kind).toBe('ack-unmatched');
    expect(layer.receiveRequest(request({ ...old, method: 'ACK', toTag: txn.toTag }), inbound).kind).toBe('matched');
    expect(txn.state).toBe('Confirmed');
  });

  it('Timer H without ACK reports a 408 failure to the TU', () => {
    const { layer, clock } = setup();
    const failures: TransactionFailure[] = [];
    const txn = newServer(layer);
    txn.start({ onRequest: (t) => t.reply(486), onFailure: (_t, f) => failures.push(f) });
    clock.advance(64 * 100);
    expect(failures.map((f) => f.status)).toEqual([408]);
    expect(layer.size.server).toBe(0);
  });

  it('a TU that throws does not break the layer', () => {
    const { layer, summary } = setup();
    const txn = newServer(layer, request({ method: 'OPTIONS' }));
    txn.start({
      onRequest: () => {
        throw new Error('bug');
      },
    });
    txn.reply(500);
    expect(summary()).toEqual([500]);
  });
});

describe('TransactionLayer — client side', () => {
  const target: SendTarget = { transport: 'udp', address: '127.0.0.1', port: 5070 };

  it('sends, matches responses by branch + method, and stops at the final', () => {
    const { layer, clock, summary } = setup();
    const seen: number[] = [];
    const options = request({ method: 'OPTIONS', branch: 'z9hG4bK-opt' });
    const txn = layer.sendRequest(options, target, { onResponse: (r) => seen.push(r.status) });
    expect(summary()).toEqual(['OPTIONS']);
    clock.advance(100);
    expect(summary()).toEqual(['OPTIONS', 'OPTIONS']);
    expect(layer.receiveResponse(response(options, 200))).toBe(true);
    expect(seen).toEqual([200]);
    expect(txn.state).toBe('Completed');
    expect(layer.receiveResponse(response(request({ method: 'OPTIONS', branch: 'z9hG4bK-other' }), 200))).toBe(false);
    expect(layer.stats).toMatchObject({ clientCreated: 1, requestsRetransmitted: 1, strayResponses: 1 });
    clock.advance(500);
    expect(layer.size.client).toBe(0);
  });

  it('INVITE: ACK for a non-2xx goes to the same target; CANCEL waits for a provisional', () => {
    const { layer, wire } = setup();
    const invite = request({ method: 'INVITE', branch: 'z9hG4bK-inv' });
    const txn = layer.sendRequest(invite, target);
    txn.cancel();
    expect(wire.map((w) => (w.message.kind === 'request' ? w.message.method : 0))).toEqual(['INVITE']);
    layer.receiveResponse(response(invite, 180));
    const cancel = wire[1]?.message;
    expect(cancel).toMatchObject({ kind: 'request', method: 'CANCEL', uri: invite.uri });
    if (cancel?.kind !== 'request') return;
    expect(header(cancel, 'Via')).toBe(header(invite, 'Via'));
    expect(header(cancel, 'CSeq')).toBe('1 CANCEL');
    expect(wire[1]?.to).toBe('udp:5070');
    layer.receiveResponse(response(cancel, 200));
    layer.receiveResponse(response(invite, 487));
    expect(wire.map((w) => (w.message.kind === 'request' ? w.message.method : 0))).toEqual(['INVITE', 'CANCEL', 'ACK']);
    expect(wire[2]?.to).toBe('udp:5070');
  });

  it('a transport error is reported as a 503 failure (§8.1.3.1)', async () => {
    const { layer, control } = setup();
    control.fail = true;
    const failures: number[] = [];
    layer.sendRequest(request({ method: 'OPTIONS', branch: 'z9hG4bK-x' }), target, { onFailure: (f) => failures.push(f.status) });
    await flushPromises();
    expect(failures).toEqual([503]);
    expect(layer.size.client).toBe(0);
  });

  it('refuses requests without a magic-cookie branch, ACKs and duplicate branches', () => {
    const { layer } = setup();
    expect(() => layer.sendRequest(request({ branch: 'old' }), target)).toThrow(/z9hG4bK/);
    expect(() => layer.sendRequest(request({ method: 'ACK' }), target)).toThrow(/ACK/);
    layer.sendRequest(request({ method: 'OPTIONS', branch: 'z9hG4bK-dup' }), target);
    expect(() => layer.sendRequest(request({ method: 'OPTIONS', branch: 'z9hG4bK-dup' }), target)).toThrow(/exists/);
  });

  it('close() stops every transaction and clears every timer', () => {
    const { layer, clock } = setup();
    layer.sendRequest(request({ method: 'INVITE', branch: 'z9hG4bK-c1' }), target);
    newServer(layer).start({ onRequest: (t) => t.reply(486) });
    expect(clock.size).toBeGreaterThan(0);
    layer.close();
    expect(clock.size).toBe(0);
    expect(layer.size).toEqual({ server: 0, client: 0 });
  });
});
