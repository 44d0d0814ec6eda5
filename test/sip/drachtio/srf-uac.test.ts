/**
 * Issue 4 "Must show": `createUAC` with the real drachtio-srf against the embedded server, SIPp
 * playing the callee on loopback.
 */
import type Srf from 'drachtio-srf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeSippRun } from '../../helpers/sipp.js';
import { asDialog, EmbeddedHarness, startCallee, uacCancelledOnRinging, withSipp } from './helpers/embedded-harness.js';

const LOCAL_SDP = ['v=0', 'o=app 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 20000 RTP/AVP 0', ''].join('\r\n');

let harness: EmbeddedHarness;
let srf: Srf;

beforeAll(async () => {
  harness = await EmbeddedHarness.start();
  srf = await harness.connect();
});

afterAll(async () => {
  await harness.close();
});

const callee = (scenario: string) => startCallee(scenario, harness.sipPort);
const withCallee = withSipp;

describe('createUAC', () => {
  it('200 + ACK, then the application hangs up', async () => {
    const { uri, done } = await callee('uas-answer-200-expect-bye.xml');
    const dialog = asDialog(await withCallee(done, srf.createUAC(uri, { localSdp: LOCAL_SDP, headers: { From: 'sip:alice@example.com', To: 'sip:bob@example.com' } })));
    expect(dialog.id).toMatch(/;from-tag=/);
    expect(dialog.remote.sdp).toContain('m=audio');
    await dialog.destroy();
    const result = await done;
    expect(result.code, describeSippRun(result)).toBe(0);
  });

  it('486 rejects with the status', async () => {
    const { uri, done } = await callee('uas-reject-486.xml');
    const err = await withCallee(done, srf.createUAC(uri, { localSdp: LOCAL_SDP })).then(
      () => null,
      (e: { status?: number }) => e,
    );
    expect(err?.status).toBe(486);
    const result = await done;
    expect(result.code, describeSippRun(result)).toBe(0);
  });

  it('180 then CANCEL from the application → 487', async () => {
    const { uri, done } = await callee('uas-ring-expect-cancel.xml');
    const { status } = await withCallee(done, uacCancelledOnRinging(srf, uri, LOCAL_SDP));
    expect(status).toBe(487);
    const result = await done;
    expect(result.code, describeSippRun(result)).toBe(0);
  });

  it('late offer: INVITE without SDP, the answer goes in the ACK', async () => {
    const { uri, done } = await callee('uas-late-offer-expect-sdp-in-ack.xml');
    const pending = (await withCallee(done, srf.createUAC(uri, { noAck: true } as never))) as unknown as { sdp: string; ack(sdp: string): Promise<Srf.Dialog> };
    expect(pending.sdp).toContain('m=audio');
    const dialog = await pending.ack(LOCAL_SDP);
    await dialog.destroy();
    const result = await done;
    expect(result.code, describeSippRun(result)).toBe(0);
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
