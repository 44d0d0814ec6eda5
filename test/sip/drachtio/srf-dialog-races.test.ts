/**
 * Issue 4: several overlapping `dialog.modify()` re-INVITEs, and a re-INVITE that arrives (or is
 * asked for) before the caller's ACK. RFC 3261 §14.1: "a UAC MUST NOT initiate a new INVITE
 * transaction within a dialog while another INVITE transaction is in progress in either direction";
 * the server queues such re-INVITEs instead of losing or rejecting them.
 */
import type Srf from 'drachtio-srf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeSippRun } from '../../helpers/sipp.js';
import { asDialog, EmbeddedHarness, startCallee, startCaller, withSipp, type SrfDialog } from './helpers/embedded-harness.js';
import { receivedRequests, sentRequests } from './helpers/sipp-log.js';

const SDP = ['v=0', 'o=app 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 20000 RTP/AVP 0', ''].join('\r\n');
const sdpVersion = (n: number) => SDP.replace('o=app 1 1', `o=app 1 ${n}`);

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

describe('overlapping modify()', () => {
  it('three modify() calls at once: three re-INVITEs, each after the previous ACK, all resolve', async () => {
    const b = await startCallee('uas-answer-200-expect-3-reinvites-then-bye.xml', harness.sipPort);
    const dialog = asDialog(await withSipp(b.done, srf.createUAC(b.uri, { localSdp: SDP })));
    const answers = await withSipp(b.done, Promise.all([dialog.modify(sdpVersion(2)), dialog.modify(sdpVersion(3)), dialog.modify(sdpVersion(4))]));
    expect(answers.every((sdp) => sdp.includes('m=audio'))).toBe(true);
    await dialog.destroy();
    const result = await b.done;
    expect(result.code, describeSippRun(result)).toBe(0);
    const reinvites = receivedRequests(result, 'INVITE').slice(1);
    const cseqs = [...new Set(reinvites.map((m) => Number.parseInt(m.header('CSeq') ?? '', 10)))];
    expect(cseqs).toHaveLength(3);
    expect(cseqs).toEqual([...cseqs].sort((x, y) => x - y));
    // The offers went out in the order the application asked for them.
    expect(reinvites.map((m) => /o=app 1 (\d)/.exec(m.text)?.[1])).toEqual(['2', '3', '4']);
  });
});

describe('re-INVITE before the caller ACKed the 2xx', () => {
  it('UAS: modify() right after the answer waits for the ACK (§14.1), then goes out', async () => {
    const modified = new Promise<string>((resolve, reject) => {
      onInvite = (req, res) => {
        void srf.createUAS(req, res, { localSdp: SDP }).then((d) => {
          // The caller delays its ACK; this re-INVITE must wait for it.
          asDialog(d).modify(sdpVersion(2)).then(resolve, reject);
        }, reject);
      };
    });
    const a = startCaller('uac-invite-delay-ack-expect-reinvite-then-bye.xml', harness.sipPort);
    expect(await withSipp(a, modified)).toContain('m=audio');
    const result = await a;
    expect(result.code, describeSippRun(result)).toBe(0);
    const ack = sentRequests(result, 'ACK')[0]!;
    const reinvite = receivedRequests(result, 'INVITE')[0]!;
    expect(reinvite.time).toBeGreaterThanOrEqual(ack.time);
  });

  it('B2BUA: the callee re-INVITEs before the caller ACKs; it reaches the caller after the ACK', async () => {
    const b = await startCallee('uas-answer-200-send-reinvite-expect-bye.xml', harness.sipPort);
    const legs = new Promise<{ uas: SrfDialog; uac: SrfDialog }>((resolve, reject) => {
      onInvite = (req, res) => {
        let uasLeg: Promise<SrfDialog> | null = null;
        let release!: (uas: SrfDialog) => void;
        uasLeg = new Promise<SrfDialog>((r) => (release = r));
        srf
          .createB2BUA(req, res, b.uri, { localSdpB: req.body } as never, {
            cbFinalizedUac: (uac: unknown) => {
              // srf holds requests on the B leg until the A leg's ACK; then this propagates it.
              asDialog(uac).on('modify', ((mreq: Srf.SrfRequest, mres: Srf.SrfResponse) => {
                void uasLeg!.then((uas) => uas.modify(mreq.body)).then((sdp) => mres.send(200, { body: sdp }));
              }) as never);
            },
          } as never)
          .then(({ uas, uac }: { uas: unknown; uac: unknown }) => {
            release(asDialog(uas));
            resolve({ uas: asDialog(uas), uac: asDialog(uac) });
          }, reject);
      };
    });
    const a = startCaller('uac-invite-delay-ack-expect-reinvite-then-bye.xml', harness.sipPort);
    const connected = await withSipp(a, legs);
    connected.uas.on('destroy', () => void connected.uac.destroy().catch(() => undefined));
    connected.uac.on('destroy', () => void connected.uas.destroy().catch(() => undefined));
    const [ra, rb] = await Promise.all([a, b.done]);
    expect(ra.code, `${describeSippRun(ra)}\n===== callee =====\n${describeSippRun(rb)}`).toBe(0);
    expect(rb.code, describeSippRun(rb)).toBe(0);
    // The race really happened: B's re-INVITE left before A's ACK.
    const bReinvite = sentRequests(rb, 'INVITE')[0]!;
    const aAck = sentRequests(ra, 'ACK')[0]!;
    expect(bReinvite.time).toBeLessThan(aAck.time);
    expect(receivedRequests(ra, 'INVITE')[0]!.text).toContain('a=sendonly');
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
