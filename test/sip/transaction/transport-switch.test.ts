/**
 * RFC 3261 §18.1.1: the transport moves a request over MTU − 200 bytes from UDP to TCP. The client
 * transaction must then behave as one on a reliable transport (§17.1.1.2 / §17.1.2.2: timers A and
 * E only for unreliable transports; D and K zero) and send its CANCEL (§9.1) and its ACK for a
 * non-2xx (§17.1.1.3) over that transport with the request's top Via as actually sent.
 */
import { describe, expect, it } from 'vitest';
import type { SipAddress, SipMessage, SipRequest } from '../../../src/sip/message/sip-message.js';
import { TransactionLayer } from '../../../src/sip/transaction/transaction-layer.js';
import type { SendTarget, SentInfo } from '../../../src/sip/transport/transport.js';
import { FakeClock } from './fake-clock.js';
import { flushPromises } from './harness.js';
import { header, request, response } from './sip-fixtures.js';

const local: SipAddress = { transport: 'udp', address: '127.0.0.1', port: 5060 };
const T1 = 100;

/** A transport double that moves every request to TCP, as TransportLayer does with large ones. */
function setup() {
  const clock = new FakeClock();
  const wire: { message: SipMessage; to: string; via: string | undefined }[] = [];
  const toTcp = (message: SipMessage): SipMessage => ({
    ...message,
    headers: message.headers.map((h, i) => (i === 0 && h.name === 'Via' ? { name: 'Via', value: h.value.replace('SIP/2.0/UDP', 'SIP/2.0/TCP') } : h)),
  });
  const transport = {
    send: async (message: SipMessage, target: SendTarget): Promise<SentInfo> => {
      const viaSaysTcp = header(message as SipRequest, 'Via')?.startsWith('SIP/2.0/TCP') ?? false;
      const sent = target.transport === 'udp' && !viaSaysTcp ? toTcp(message) : message;
      wire.push({ message: sent, to: target.transport === 'tcp' ? `tcp:${target.connectionId}` : `udp-switched:${target.port}`, via: header(sent as SipRequest, 'Via') });
      const destination = { transport: 'tcp' as const, address: target.address, port: target.port };
      return { transport: 'tcp', destination, local, bytes: 2000, wire: Buffer.alloc(0), message: sent, connectionId: 'c1' };
    },
    sendResponse: async (): Promise<SentInfo> => {
      throw new Error('no responses here');
    },
  };
  const layer = new TransactionLayer({ transport, clock, timers: { t1: T1, t2: 4 * T1, t4: 5 * T1 } });
  const target: SendTarget = { transport: 'udp', address: '127.0.0.1', port: 5070 };
  return { clock, wire, layer, target };
}

const methods = (wire: { message: SipMessage }[]) => wire.map((w) => (w.message.kind === 'request' ? w.message.method : w.message.status));

describe('client transaction after the transport moved its request to TCP', () => {
  it('INVITE: no Timer A retransmissions; CANCEL and the ACK for a non-2xx follow over TCP with the TCP Via', async () => {
    const { clock, wire, layer, target } = setup();
    const invite = request({ method: 'INVITE', branch: 'z9hG4bK-big' });
    const txn = layer.sendRequest(invite, target, {});
    await flushPromises();
    expect(txn.reliable).toBe(true);
    expect(txn.target).toMatchObject({ transport: 'tcp', connectionId: 'c1' });
    expect(txn.armedTimers()).not.toContain('A');
    clock.advance(20 * T1);
    expect(methods(wire)).toEqual(['INVITE']);

    layer.receiveResponse(response(txn.request, 180));
    txn.cancel();
    await flushPromises();
    const cancel = wire[1];
    expect(methods(wire)).toEqual(['INVITE', 'CANCEL']);
    expect(cancel?.to).toBe('tcp:c1');
    expect(cancel?.via).toBe('SIP/2.0/TCP 127.0.0.1:5070;branch=z9hG4bK-big');

    layer.receiveResponse(response(txn.request, 487));
    await flushPromises();
    const ack = wire[2];
    expect(methods(wire)).toEqual(['INVITE', 'CANCEL', 'ACK']);
    expect(ack?.to).toBe('tcp:c1');
    expect(ack?.via).toBe('SIP/2.0/TCP 127.0.0.1:5070;branch=z9hG4bK-big');
    // §17.1.1.2: Timer D is zero for reliable transports.
    expect(txn.terminated).toBe(true);
  });

  it('non-INVITE: no Timer E retransmissions, and Timer K is zero', async () => {
    const { clock, wire, layer, target } = setup();
    const txn = layer.sendRequest(request({ method: 'OPTIONS', branch: 'z9hG4bK-big-options' }), target, {});
    await flushPromises();
    expect(txn.armedTimers()).not.toContain('E');
    clock.advance(20 * T1);
    expect(methods(wire)).toEqual(['OPTIONS']);
    layer.receiveResponse(response(txn.request, 200));
    expect(txn.terminated).toBe(true);
  });

  it('a request that stayed on UDP keeps retransmitting (the switch is taken from what was sent)', async () => {
    const clock = new FakeClock();
    const wire: string[] = [];
    const transport = {
      send: async (message: SipMessage, t: SendTarget): Promise<SentInfo> => {
        wire.push(message.kind === 'request' ? message.method : String(message.status));
        return { transport: 'udp', destination: { transport: 'udp', address: t.address, port: t.port }, local, bytes: 500, wire: Buffer.alloc(0), message, connectionId: null };
      },
      sendResponse: async (): Promise<SentInfo> => {
        throw new Error('no responses here');
      },
    };
    const layer = new TransactionLayer({ transport, clock, timers: { t1: T1, t2: 4 * T1, t4: 5 * T1 } });
    const txn = layer.sendRequest(request({ method: 'INVITE', branch: 'z9hG4bK-small' }), { transport: 'udp', address: '127.0.0.1', port: 5070 }, {});
    await flushPromises();
    expect(txn.reliable).toBe(false);
    clock.advance(3 * T1);
    expect(wire).toEqual(['INVITE', 'INVITE', 'INVITE']);
  });
});
