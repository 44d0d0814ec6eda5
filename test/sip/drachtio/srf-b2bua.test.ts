/**
 * Issue 4 "Must show": `createB2BUA` between a SIPp caller and a SIPp callee through the real
 * drachtio-srf on the embedded server.
 */
import type Srf from 'drachtio-srf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeSippRun } from '../../helpers/sipp.js';
import { asDialog, EmbeddedHarness, startCallee, startCaller } from './helpers/embedded-harness.js';

type InviteHandler = (req: Srf.SrfRequest, res: Srf.SrfResponse) => void;

let harness: EmbeddedHarness;
let srf: Srf;
let onInvite: InviteHandler = (_req, res) => res.send(500);

beforeAll(async () => {
  harness = await EmbeddedHarness.start();
  srf = await harness.connect((s) => s.invite((req, res) => onInvite(req, res)));
});

afterAll(async () => {
  await harness.close();
});

/** Route the next call to `uri` as a B2BUA; resolves with both dialogs (or the error). */
function bridgeTo(uri: string, opts: Record<string, unknown> = {}) {
  return new Promise<{ uac: ReturnType<typeof asDialog>; uas: ReturnType<typeof asDialog> } | { error: { status?: number } }>((resolve) => {
    onInvite = (req, res) => {
      srf.createB2BUA(req, res, uri, { localSdpB: req.body, ...opts } as never).then(
        ({ uac, uas }: { uac: unknown; uas: unknown }) => resolve({ uac: asDialog(uac), uas: asDialog(uas) }),
        (error: { status?: number }) => resolve({ error }),
      );
    };
  });
}

/** When one leg ends, end the other (what a B2BUA application does). */
function pairHangups(legs: { uac: ReturnType<typeof asDialog>; uas: ReturnType<typeof asDialog> }) {
  legs.uac.on('destroy', () => void legs.uas.destroy().catch(() => undefined));
  legs.uas.on('destroy', () => void legs.uac.destroy().catch(() => undefined));
}

describe('createB2BUA', () => {
  it('caller BYE propagates to the callee; custom header leaves with its exact case', async () => {
    const b = await startCallee('uas-answer-200-expect-bye-check-headers.xml', harness.sipPort);
    const legs = bridgeTo(b.uri, { headers: { 'X-Custom-Header': 'Exact-Case' } });
    const a = startCaller('uac-invite-expect-200-then-bye.xml', harness.sipPort);
    const connected = await legs;
    if ('error' in connected) throw new Error(`B2BUA failed: ${connected.error.status}`);
    pairHangups(connected);
    const [ra, rb] = await Promise.all([a, b.done]);
    expect(ra.code, `${describeSippRun(ra)}\n===== callee =====\n${describeSippRun(rb)}`).toBe(0);
    expect(rb.code, describeSippRun(rb)).toBe(0);
  });

  it('callee BYE propagates to the caller', async () => {
    const b = await startCallee('uas-answer-200-then-bye.xml', harness.sipPort);
    const legs = bridgeTo(b.uri);
    const a = startCaller('uac-invite-expect-200-then-bye-from-server.xml', harness.sipPort);
    const connected = await legs;
    if ('error' in connected) throw new Error(`B2BUA failed: ${connected.error.status}`);
    pairHangups(connected);
    const [ra, rb] = await Promise.all([a, b.done]);
    expect(ra.code, `${describeSippRun(ra)}\n===== callee =====\n${describeSippRun(rb)}`).toBe(0);
    expect(rb.code, describeSippRun(rb)).toBe(0);
  });

  it('re-INVITE from the caller propagates to the callee', async () => {
    const b = await startCallee('uas-answer-200-expect-reinvite-then-bye.xml', harness.sipPort);
    const legs = bridgeTo(b.uri);
    const a = startCaller('uac-invite-reinvite-then-bye.xml', harness.sipPort);
    const connected = await legs;
    if ('error' in connected) throw new Error(`B2BUA failed: ${connected.error.status}`);
    pairHangups(connected);
    connected.uas.on('modify', ((req: Srf.SrfRequest, res: Srf.SrfResponse) => {
      void connected.uac.modify(req.body).then((sdp) => res.send(200, { body: sdp }));
    }) as never);
    const [ra, rb] = await Promise.all([a, b.done]);
    expect(ra.code, `${describeSippRun(ra)}\n===== callee =====\n${describeSippRun(rb)}`).toBe(0);
    expect(rb.code, describeSippRun(rb)).toBe(0);
  });

  it('failure status of the callee is passed back to the caller', async () => {
    const b = await startCallee('uas-reject-486.xml', harness.sipPort);
    const legs = bridgeTo(b.uri);
    const a = startCaller('uac-invite-expect-486.xml', harness.sipPort);
    const outcome = await legs;
    expect('error' in outcome && outcome.error.status).toBe(486);
    const [ra, rb] = await Promise.all([a, b.done]);
    expect(ra.code, `${describeSippRun(ra)}\n===== callee =====\n${describeSippRun(rb)}`).toBe(0);
    expect(rb.code, describeSippRun(rb)).toBe(0);
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
