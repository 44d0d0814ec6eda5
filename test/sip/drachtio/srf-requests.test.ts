/**
 * Issue 4 "Must show": `srf.request` out of dialog (OPTIONS both ways), in-dialog INFO, REFER with
 * NOTIFY, and 503 when no application routes the method.
 */
import type Srf from 'drachtio-srf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeSippRun } from '../../helpers/sipp.js';
import { asDialog, EmbeddedHarness, startCallee, startCaller, withSipp } from './helpers/embedded-harness.js';

const LOCAL_SDP = ['v=0', 'o=app 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 20000 RTP/AVP 0', ''].join('\r\n');

let harness: EmbeddedHarness;
let srf: Srf;
const optionsSeen: string[] = [];

beforeAll(async () => {
  harness = await EmbeddedHarness.start();
  srf = await harness.connect((s) =>
    (s as unknown as { options(fn: (req: Srf.SrfRequest, res: Srf.SrfResponse) => void): void }).options((req, res) => {
      optionsSeen.push(req.get('Call-ID'));
      res.send(200);
    }),
  );
});

afterAll(async () => {
  await harness.close();
});

interface SentRequest {
  on(event: 'response', fn: (res: Srf.SrfResponse) => void): void;
}

describe('out-of-dialog requests', () => {
  it('srf.request OPTIONS → 200 from the far end', async () => {
    const b = await startCallee('uas-options-200.xml', harness.sipPort);
    const status = await withSipp(
      b.done,
      new Promise<number>((resolve, reject) => {
        (srf as unknown as { request(uri: string, opts: object, cb: (err: Error | null, req: SentRequest) => void): void }).request(
          b.uri,
          { method: 'OPTIONS', headers: { 'X-Probe': 'yes' } },
          (err, req) => {
            if (err) return reject(err);
            req.on('response', (res) => resolve(res.status));
          },
        );
      }),
    );
    expect(status).toBe(200);
    const result = await b.done;
    expect(result.code, describeSippRun(result)).toBe(0);
  });

  it('OPTIONS from the network reaches the application, which answers 200', async () => {
    const before = optionsSeen.length;
    const result = await startCaller('uac-options-expect-200.xml', harness.sipPort);
    expect(result.code, describeSippRun(result)).toBe(0);
    expect(optionsSeen.length).toBe(before + 1);
  });

  it('no application routed for INVITE → 100 then 503', async () => {
    const result = await startCaller('uac-invite-expect-503.xml', harness.sipPort);
    expect(result.code, describeSippRun(result)).toBe(0);
  });
});

describe('in-dialog requests from the application', () => {
  it('INFO inside a createUAC dialog', async () => {
    const b = await startCallee('uas-answer-200-expect-info-then-bye.xml', harness.sipPort);
    const dialog = asDialog(await withSipp(b.done, srf.createUAC(b.uri, { localSdp: LOCAL_SDP })));
    const res = (await dialog.request({
      method: 'INFO',
      headers: { 'Content-Type': 'application/dtmf-relay' },
      body: 'Signal=5\r\nDuration=160\r\n',
    })) as Srf.SrfResponse;
    expect(res.status).toBe(200);
    await dialog.destroy();
    const result = await b.done;
    expect(result.code, describeSippRun(result)).toBe(0);
  });

  it('REFER answered 202, then the NOTIFY reaches the dialog', async () => {
    const b = await startCallee('uas-answer-200-expect-refer-send-notify.xml', harness.sipPort);
    const dialog = asDialog(await withSipp(b.done, srf.createUAC(b.uri, { localSdp: LOCAL_SDP })));
    const notified = new Promise<string>((resolve) => {
      dialog.on('notify', ((req: Srf.SrfRequest, res: Srf.SrfResponse) => {
        res.send(200);
        resolve(req.get('Subscription-State'));
      }) as never);
    });
    const res = (await dialog.request({ method: 'REFER', headers: { 'Refer-To': '<sip:carol@example.com>' } })) as Srf.SrfResponse;
    expect(res.status).toBe(202);
    expect(await withSipp(b.done, notified)).toMatch(/^terminated/);
    await dialog.destroy();
    const result = await b.done;
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
