/**
 * The engine core on loopback, driven by SIPp scenarios from sip-scenarios/engine/.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SipAddress } from '../../../src/sip/message/sip-message.js';
import type { RequestHandler } from '../../../src/sip/stack/request-handler.js';
import { startSipStack, type SipStack } from '../../../src/sip/stack/sip-stack.js';
import { describeSippRun, receivedStartLines, runSipp, type SippOptions } from '../../helpers/sipp.js';

const OPTIONS_PING = 'sip-scenarios/engine/uac-options-expect-200.xml';
const INVITE_RETRANSMIT = 'sip-scenarios/engine/uac-invite-retransmit-expect-one-100.xml';
const INVITE_LOSE_FINAL = 'sip-scenarios/engine/uac-invite-lose-final-expect-retransmission.xml';
/** SIPp's own UDP retransmission handling swallows byte-identical responses; -nr turns it off. */
const NO_SIPP_RETRANSMISSIONS = ['-nr'];

let stack: SipStack | null = null;

afterEach(async () => {
  await stack?.close();
  stack = null;
});

async function engine(options: { t1?: number; handler?: RequestHandler } = {}): Promise<{ udp: SipAddress; tcp: SipAddress }> {
  stack = await startSipStack({
    listen: [
      { transport: 'udp', address: '127.0.0.1', port: 0 },
      { transport: 'tcp', address: '127.0.0.1', port: 0 },
    ],
    timers: options.t1 === undefined ? undefined : { t1: options.t1, t4: 1000 },
    handler: options.handler,
  });
  const [udp, tcp] = stack.listening();
  if (!udp || !tcp) throw new Error('engine is not listening');
  return { udp, tcp };
}

async function sippPasses(options: SippOptions) {
  const result = await runSipp(options);
  expect(result.code, describeSippRun(result)).toBe(0);
  return result;
}

async function until(condition: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('engine did not reach the expected state');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('engine core driven by SIPp on loopback', () => {
  it('OPTIONS ping over UDP is answered 200', async () => {
    const { udp } = await engine();
    const result = await sippPasses({ scenario: OPTIONS_PING, target: udp, transport: 'udp' });
    // SIPp may retransmit the OPTIONS on a loaded machine (its own Timer E); each copy gets the 200 again.
    expect(new Set(receivedStartLines(result))).toEqual(new Set(['SIP/2.0 200 OK']));
  });

  it('OPTIONS ping over TCP is answered 200', async () => {
    const { tcp } = await engine();
    const result = await sippPasses({ scenario: OPTIONS_PING, target: tcp, transport: 'tcp' });
    // SIPp may retransmit the OPTIONS on a loaded machine (its own Timer E); each copy gets the 200 again.
    expect(new Set(receivedStartLines(result))).toEqual(new Set(['SIP/2.0 200 OK']));
  });

  it('a retransmitted INVITE is one transaction: exactly one 100, the final re-sent for the retransmission', async () => {
    // T1 = 2 s: Timer G (first at T1) cannot be the source of the second 480 nor land before the ACK.
    const { udp } = await engine({ t1: 2000 });
    const result = await sippPasses({ scenario: INVITE_RETRANSMIT, target: udp, extraArgs: NO_SIPP_RETRANSMISSIONS });
    expect(receivedStartLines(result)).toEqual(['SIP/2.0 100 Trying', 'SIP/2.0 480 Temporarily Unavailable', 'SIP/2.0 480 Temporarily Unavailable']);
    // The INVITE retransmission and the ACK both matched the one INVITE server transaction.
    await until(() => stack?.stats().transactions.requestsMatched === 2);
    expect(stack?.stats().transactions).toMatchObject({ serverCreated: 1, requestsMatched: 2, responsesRetransmitted: 1 });
  });

  it('a lost final response is retransmitted on Timer G and then ACKed', async () => {
    const { udp } = await engine({ t1: 100 });
    const result = await sippPasses({ scenario: INVITE_LOSE_FINAL, target: udp, extraArgs: NO_SIPP_RETRANSMISSIONS });
    expect(receivedStartLines(result)).toEqual(['SIP/2.0 100 Trying', 'SIP/2.0 480 Temporarily Unavailable', 'SIP/2.0 480 Temporarily Unavailable']);
    await until(() => stack?.stats().transactions.requestsMatched === 1); // the ACK
    expect(stack?.stats().transactions).toMatchObject({ serverCreated: 1, responsesRetransmitted: 1 });
  });

  describe('the INVITE scenarios are strict', () => {
    it('a second 100 Trying fails the retransmission scenario', async () => {
      const { udp } = await engine({
        handler: {
          onRequest: async (txn) => {
            await Promise.resolve();
            txn.reply(100); // a second 100 after the transaction's own
            txn.reply(480);
          },
        },
      });
      const result = await runSipp({ scenario: INVITE_RETRANSMIT, target: udp, extraArgs: NO_SIPP_RETRANSMISSIONS, timeoutSeconds: 5 });
      expect(result.code, describeSippRun(result)).not.toBe(0);
    });

    it('a missing final response fails the lost-final scenario', async () => {
      const { udp } = await engine({ t1: 100, handler: { onRequest: () => undefined } });
      const result = await runSipp({ scenario: INVITE_LOSE_FINAL, target: udp, extraArgs: NO_SIPP_RETRANSMISSIONS, timeoutSeconds: 1 });
      expect(result.code, describeSippRun(result)).not.toBe(0);
    });
  });

  it('the SIPp helper fails with an install hint when the binary is missing', async () => {
    await expect(runSipp({ scenario: OPTIONS_PING, target: { address: '127.0.0.1', port: 9 }, binary: 'sipp-not-installed' })).rejects.toThrow(
      /apt-get install -y sip-tester/,
    );
  });
});
