/**
 * Issue 4 "Also used by real drachtio-srf applications": digest challenge on INVITE, reliable
 * provisionals with PRACK (UAC leg), UPDATE with SDP right after the answer with an app-chosen To
 * tag and a display name, SUBSCRIBE → 202 → NOTIFY.
 */
import type Srf from 'drachtio-srf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeSippRun } from '../../helpers/sipp.js';
import { asDialog, EmbeddedHarness, startCallee, startCaller, withSipp } from './helpers/embedded-harness.js';

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

describe('createUAC extras', () => {
  it('401 challenge: srf answers the digest, the retry (same Call-ID, CSeq+1) is answered 200', async () => {
    const b = await startCallee('uas-401-then-200-expect-bye.xml', harness.sipPort);
    const dialog = asDialog(await withSipp(b.done, srf.createUAC(b.uri, { localSdp: SDP, auth: { username: 'alice', password: 'secret' } })));
    await dialog.destroy();
    const result = await b.done;
    expect(result.code, describeSippRun(result)).toBe(0);
  });

  it('302 with followRedirects: the server ACKs the 302, srf re-sends the INVITE to the Contact', async () => {
    const moved = await startCallee('uas-answer-200-expect-bye.xml', harness.sipPort);
    const redirect = await startCallee('uas-redirect-302.xml', harness.sipPort, ['-key', 'moved_port', String(moved.port)]);
    const dialog = asDialog(await withSipp(redirect.done, srf.createUAC(redirect.uri, { localSdp: SDP, followRedirects: true } as never)));
    await dialog.destroy();
    const [r1, r2] = await Promise.all([redirect.done, moved.done]);
    expect(r1.code, describeSippRun(r1)).toBe(0);
    expect(r2.code, describeSippRun(r2)).toBe(0);
  });

  it('reliable 183 (100rel): PRACK with RAck in the early dialog, then 200', async () => {
    const b = await startCallee('uas-183-reliable-expect-prack.xml', harness.sipPort);
    const dialog = asDialog(await withSipp(b.done, srf.createUAC(b.uri, { localSdp: SDP })));
    await dialog.destroy();
    const result = await b.done;
    expect(result.code, describeSippRun(result)).toBe(0);
  });

  it('SUBSCRIBE → 202 → NOTIFY active, NOTIFY terminated (both reach the dialog)', async () => {
    const b = await startCallee('uas-subscribe-202-then-notify.xml', harness.sipPort);
    const dialog = asDialog(
      await withSipp(b.done, srf.createUAC(b.uri, { method: 'SUBSCRIBE', headers: { Event: 'presence', Expires: '3600', Accept: 'application/pidf+xml' } } as never)),
    );
    const states: string[] = [];
    // (srf itself only ends a SUBSCRIBE dialog when the NOTIFY's To matches the SUBSCRIBE's To.)
    await withSipp(
      b.done,
      new Promise<void>((resolve) => {
        dialog.on('notify', ((req: Srf.SrfRequest, res: Srf.SrfResponse) => {
          states.push(req.get('Subscription-State'));
          res.send(200);
          if (/^terminated/.test(req.get('Subscription-State'))) resolve();
        }) as never);
      }),
    );
    // The first NOTIFY may beat createUAC's resolution (srf then answers it itself).
    expect(states.map((s) => s.split(';')[0]).at(-1)).toBe('terminated');
    const result = await b.done;
    expect(result.code, describeSippRun(result)).toBe(0);
  });
});

describe('createUAS extras', () => {
  it('app-chosen To tag, display name kept, UPDATE with SDP right after the answer', async () => {
    const updated = new Promise<string>((resolve) => {
      onInvite = (req, res) => {
        expect(req.getParsedHeader('From').name).toContain('Alice Caller');
        void srf.createUAS(req, res, { localSdp: SDP, headers: { To: 'tag=app-chosen-tag' } } as never).then((d) => {
          const dialog = asDialog(d);
          expect(dialog.id).toMatch(/;from-tag=/);
          dialog.on('update', ((update: Srf.SrfRequest, r: Srf.SrfResponse) => {
            r.send(200, { body: SDP });
            resolve(update.method);
          }) as never);
        });
      };
    });
    const result = await startCaller('uac-invite-update-then-bye.xml', harness.sipPort);
    expect(result.code, describeSippRun(result)).toBe(0);
    expect(await updated).toBe('UPDATE');
  });
});

describe('reliable provisional from the application (RFC 3262, UAS leg)', () => {
  it('183 with Require: 100rel gets RSeq, the PRACK reaches the app, then 200', async () => {
    const pracked = new Promise<string>((resolve) => {
      onInvite = (req, res) => {
        res.send(183, { headers: { Require: '100rel' }, body: SDP } as never, () => {}, ((prack: Srf.SrfRequest) => {
          resolve(prack.get('RAck'));
          void srf.createUAS(req, res, { localSdp: SDP });
        }) as never);
      };
    });
    const result = await startCaller('uac-invite-100rel-prack-then-bye.xml', harness.sipPort);
    expect(result.code, describeSippRun(result)).toBe(0);
    expect(await pracked).toMatch(/^\d+ 1 INVITE$/);
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
