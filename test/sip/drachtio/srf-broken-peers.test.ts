/**
 * Issue 4: peers that break the rules. A callee answering 2xx without Contact (RFC 3261 §13.3.1.4
 * "MUST contain a Contact") or without a To tag (§8.2.6.2); a caller whose INVITE has no Contact,
 * which the application, not the server, answers (drachtio-protocol.md §8.13).
 */
import type Srf from 'drachtio-srf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeSippRun } from '../../helpers/sipp.js';
import { asDialog, EmbeddedHarness, startCallee, startCaller, withSipp } from './helpers/embedded-harness.js';
import { receivedRequests } from './helpers/sipp-log.js';

const SDP = ['v=0', 'o=app 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 20000 RTP/AVP 0', ''].join('\r\n');

let harness: EmbeddedHarness;
let srf: Srf;
let onInvite: (req: Srf.SrfRequest, res: Srf.SrfResponse) => void = (_req, res) => res.send(500);

beforeAll(async () => {
  harness = await EmbeddedHarness.start();
  srf = await harness.connect((s) => s.invite((req, res) => onInvite(req, res)));
});

afterAll(async () => {
  await harness.close();
});

describe('callee answers 2xx without Contact or To tag', () => {
  it('no Contact: srf ACKs and fails the call (500); the server hangs the unusable dialog up', async () => {
    const b = await startCallee('uas-answer-200-no-contact-expect-ack-bye.xml', harness.sipPort);
    const err = await withSipp(b.done, srf.createUAC(b.uri, { localSdp: SDP })).then(
      () => null,
      (e: { status?: number }) => e,
    );
    expect(err?.status).toBe(500);
    const result = await b.done;
    expect(result.code, describeSippRun(result)).toBe(0);
    // ACK and BYE both go to the only target the callee gave: the original Request-URI.
    for (const method of ['ACK', 'BYE']) expect(receivedRequests(result, method)[0]!.startLine).toBe(`${method} ${b.uri} SIP/2.0`);
    expect(receivedRequests(result, 'BYE')[0]!.header('Reason')).toMatch(/text="/);
  });

  it('no To tag: the dialog works with an empty remote tag; the application hangs up', async () => {
    const b = await startCallee('uas-answer-200-no-to-tag-expect-bye.xml', harness.sipPort);
    const dialog = asDialog(await withSipp(b.done, srf.createUAC(b.uri, { localSdp: SDP })));
    expect(dialog.remote.sdp).toContain('m=audio');
    await dialog.destroy();
    const result = await b.done;
    expect(result.code, describeSippRun(result)).toBe(0);
    expect(receivedRequests(result, 'BYE')[0]!.header('To')).not.toMatch(/;tag=/);
  });
});

describe('caller sends INVITE without Contact', () => {
  it('reaches the application, which answers 400', async () => {
    const seen = new Promise<boolean>((resolve) => {
      onInvite = (req, res) => {
        resolve(req.has('Contact'));
        res.send(400, 'Missing Contact', {});
      };
    });
    const result = await startCaller('uac-invite-no-contact-expect-400.xml', harness.sipPort);
    expect(result.code, describeSippRun(result)).toBe(0);
    expect(await seen).toBe(false);
  });
});

describe('state', () => {
  it('no dialog or transaction is left behind once the calls are over', async () => {
    const idle = () => {
      const s = harness.server.stats();
      return s.dialogs === 0 && s.inbound === 0 && s.outbound === 0;
    };
    while (!idle()) await new Promise<void>((resolve) => setTimeout(resolve, 10));
    expect(harness.server.stats()).toMatchObject({ dialogs: 0, inbound: 0, outbound: 0 });
  });
});
