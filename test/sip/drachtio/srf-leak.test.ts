/**
 * Issue 4: no per-call state leaks. 200 calls at 50 calls/s from a SIPp caller through a
 * drachtio-srf `createB2BUA` application to a SIPp callee (INVITE → 200 → ACK → BYE); afterwards
 * the server holds no dialog, pending request, proxy operation or transaction. Short T1 so the
 * transactions' own lifetimes (64×T1 in Accepted, Timer J/K) end within the test.
 */
import type Srf from 'drachtio-srf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeSippRun, runSipp } from '../../helpers/sipp.js';
import { asDialog, EmbeddedHarness, freeUdpPort, udpPortBound } from './helpers/embedded-harness.js';

const CALLS = 200;

let harness: EmbeddedHarness;
let srf: Srf;
let calleeUri = '';

beforeAll(async () => {
  harness = await EmbeddedHarness.start({ timers: { t1: 50, t2: 400, t4: 500 } });
  srf = await harness.connect((s) =>
    s.invite((req, res) => {
      srf.createB2BUA(req, res, calleeUri, { localSdpB: req.body }).then(
        ({ uac, uas }: { uac: unknown; uas: unknown }) => {
          const [a, b] = [asDialog(uas), asDialog(uac)];
          a.on('destroy', () => void b.destroy().catch(() => undefined));
          b.on('destroy', () => void a.destroy().catch(() => undefined));
        },
        () => undefined,
      );
    }),
  );
});

afterAll(async () => {
  await harness.close();
});

describe('per-call state', () => {
  it(`${CALLS} B2BUA calls at 50/s: all succeed, then stats() is back to zero`, async () => {
    const calleePort = await freeUdpPort();
    calleeUri = `sip:callee@127.0.0.1:${calleePort}`;
    const callee = runSipp({
      scenario: 'sip-scenarios/drachtio/uas-answer-200-expect-bye.xml',
      target: { address: '127.0.0.1', port: harness.sipPort },
      localPort: calleePort,
      calls: CALLS,
      timeoutSeconds: 60,
    });
    await udpPortBound(calleePort);
    const caller = runSipp({
      scenario: 'sip-scenarios/drachtio/uac-invite-expect-200-then-bye.xml',
      target: { address: '127.0.0.1', port: harness.sipPort },
      calls: CALLS,
      timeoutSeconds: 60,
      extraArgs: ['-r', '50'],
    });
    const [ra, rb] = await Promise.all([caller, callee]);
    expect(ra.code, describeSippRun(ra)).toBe(0);
    expect(rb.code, describeSippRun(rb)).toBe(0);
    expect(ra.stdout).toMatch(new RegExp(`Successful call\\s*\\|\\s*\\d+\\s*\\|\\s*${CALLS}\\s`));
    expect(ra.stdout).toMatch(/Failed call\s*\|\s*\d+\s*\|\s*0\s/);

    const idle = () => {
      const s = harness.server.stats();
      return s.dialogs === 0 && s.inbound === 0 && s.outbound === 0 && s.proxies === 0 && s.transactions === 0;
    };
    while (!idle()) await new Promise<void>((resolve) => setTimeout(resolve, 20));
    expect(harness.server.stats()).toMatchObject({ applications: 1, dialogs: 0, inbound: 0, outbound: 0, proxies: 0, transactions: 0 });
  }, 60_000);
});
