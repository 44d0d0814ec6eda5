/**
 * Issue 4 "401/407 challenges passed to the application (srf answers digest itself)" beyond the
 * initial INVITE: re-INVITE, BYE and REGISTER. The server ACKs a challenged INVITE itself, keeps
 * the dialog across a challenged BYE, and honours the client's Call-ID/From/CSeq on the retry
 * (drachtio-protocol.md §12 "Digest auth").
 */
import type Srf from 'drachtio-srf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeSippRun } from '../../helpers/sipp.js';
import { asDialog, EmbeddedHarness, startCallee, withSipp } from './helpers/embedded-harness.js';
import { receivedRequests } from './helpers/sipp-log.js';

const SDP = ['v=0', 'o=app 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 20000 RTP/AVP 0', ''].join('\r\n');
const AUTH = { username: 'alice', password: 'secret' };

let harness: EmbeddedHarness;
let srf: Srf;

beforeAll(async () => {
  harness = await EmbeddedHarness.start();
  srf = await harness.connect();
});

afterAll(async () => {
  await harness.close();
});

const cseqOf = (value: string | undefined): number => Number.parseInt(value ?? '', 10);

describe('digest challenges inside a dialog', () => {
  it('re-INVITE challenged with 401: the server ACKs the 401, srf retries with Authorization, 200', async () => {
    const b = await startCallee('uas-answer-200-challenge-reinvite-401-then-bye.xml', harness.sipPort);
    const dialog = asDialog(await withSipp(b.done, srf.createUAC(b.uri, { localSdp: SDP, auth: AUTH })));
    const answer = await withSipp(b.done, dialog.modify(SDP.replace('t=0 0', 't=0 0\r\na=sendonly')));
    expect(answer).toContain('a=sendonly');
    await dialog.destroy();
    const result = await b.done;
    expect(result.code, describeSippRun(result)).toBe(0);
    const invites = receivedRequests(result, 'INVITE');
    const [first, challenged, retry] = [invites[0]!, invites[1]!, invites.at(-1)!];
    expect(retry.header('Authorization')).toMatch(/^Digest .*username="alice"/);
    expect(retry.header('Call-ID')).toBe(first.header('Call-ID'));
    expect(cseqOf(retry.header('CSeq'))).toBeGreaterThan(cseqOf(challenged.header('CSeq')));
    // The ACK for the 401 is the server's (same CSeq number as the challenged re-INVITE).
    const acks = receivedRequests(result, 'ACK').map((a) => cseqOf(a.header('CSeq')));
    expect(acks).toContain(cseqOf(challenged.header('CSeq')));
  });

  it('BYE challenged with 407: the dialog survives the challenge, the retry is answered 200', async () => {
    const b = await startCallee('uas-answer-200-challenge-bye-407.xml', harness.sipPort);
    const dialog = asDialog(await withSipp(b.done, srf.createUAC(b.uri, { localSdp: SDP, auth: AUTH })));
    await withSipp(b.done, dialog.destroy());
    const result = await b.done;
    expect(result.code, describeSippRun(result)).toBe(0);
    const byes = receivedRequests(result, 'BYE');
    const [first, retry] = [byes[0]!, byes.at(-1)!];
    expect(retry.header('Proxy-Authorization')).toMatch(/^Digest .*username="alice"/);
    expect(retry.header('Call-ID')).toBe(first.header('Call-ID'));
    expect(retry.header('From')).toBe(first.header('From'));
    expect(cseqOf(retry.header('CSeq'))).toBeGreaterThan(cseqOf(first.header('CSeq')));
  });
});

describe('digest challenge out of dialog', () => {
  it('REGISTER challenged with 401: srf retries (same Call-ID and From tag, CSeq+1), 200', async () => {
    const b = await startCallee('uas-register-401-then-200.xml', harness.sipPort);
    const response = await withSipp(
      b.done,
      new Promise<Srf.SrfResponse>((resolve, reject) => {
        (srf as unknown as { request(uri: string, opts: object, cb: (err: Error | null, req: Srf.SrfRequest) => void): void }).request(
          `sip:127.0.0.1:${b.port}`,
          {
            method: 'REGISTER',
            headers: { From: '<sip:alice@127.0.0.1>', To: '<sip:alice@127.0.0.1>', Contact: '<sip:alice@localhost>', Expires: '3600' },
            auth: AUTH,
          },
          (err, req) => {
            if (err) return reject(err);
            req.on('response', (res) => (res ? resolve(res) : reject(new Error('no response'))));
          },
        );
      }),
    );
    expect(response.status).toBe(200);
    const result = await b.done;
    expect(result.code, describeSippRun(result)).toBe(0);
    const registers = receivedRequests(result, 'REGISTER');
    const [first, retry] = [registers[0]!, registers.at(-1)!];
    expect(retry.header('Authorization')).toMatch(/^Digest .*username="alice"/);
    expect(retry.header('Call-ID')).toBe(first.header('Call-ID'));
    expect(retry.header('From')).toBe(first.header('From'));
    expect(cseqOf(retry.header('CSeq'))).toBe(cseqOf(first.header('CSeq')) + 1);
    // The Contact placeholder host was replaced with the server's address (§7.1).
    expect(retry.header('Contact')).toBe(`<sip:alice@127.0.0.1:${harness.sipPort}>`);
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
