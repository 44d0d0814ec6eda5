/**
 * Issue 4 "Must show": two applications on one server (round robin, one disconnects mid-call, the
 * other's calls are untouched, 481 for the orphaned dialog), and two embedded servers on one host
 * calling each other ("is this address myself?" compares host and port).
 */
import type Srf from 'drachtio-srf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asDialog, EmbeddedHarness, type SrfDialog } from './helpers/embedded-harness.js';

const SDP = ['v=0', 'o=app 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 20000 RTP/AVP 0', ''].join('\r\n');

interface Answerer {
  srf: Srf;
  dialogs: SrfDialog[];
}

let callee: EmbeddedHarness;
let caller: EmbeddedHarness;
let callerApp: Srf;

async function answerer(): Promise<Answerer> {
  const state: Answerer = { srf: undefined as unknown as Srf, dialogs: [] };
  state.srf = await callee.connect((s) =>
    s.invite((req, res) => {
      void s.createUAS(req, res, { localSdp: SDP }).then((d) => state.dialogs.push(asDialog(d)));
    }),
  );
  return state;
}

async function until(probe: () => boolean): Promise<void> {
  while (!probe()) await new Promise<void>((resolve) => setImmediate(resolve));
}

beforeAll(async () => {
  callee = await EmbeddedHarness.start();
  caller = await EmbeddedHarness.start();
  callerApp = await caller.connect();
});

afterAll(async () => {
  await caller.close();
  await callee.close();
});

describe('two embedded servers on one host', () => {
  it('call each other (different ports), and refuse a request to their own address', async () => {
    const b = await answerer();
    const uac = asDialog(await callerApp.createUAC(`sip:b@127.0.0.1:${callee.sipPort}`, { localSdp: SDP }));
    await until(() => b.dialogs.length === 1);
    const ended = new Promise<void>((resolve) => b.dialogs[0]!.on('destroy', () => resolve()));
    await uac.destroy();
    await ended;
    const self = await callerApp.createUAC(`sip:me@127.0.0.1:${caller.sipPort}`, { localSdp: SDP }).then(
      () => null,
      (e: Error) => e,
    );
    expect(self?.message).toBe('can not send request to myself');
    b.srf.disconnect();
  });
});

describe('two applications on one server', () => {
  it('round robin; one disconnects: its dialog gets 481, the other keeps working', async () => {
    const first = await answerer();
    const second = await answerer();
    const call1 = asDialog(await callerApp.createUAC(`sip:one@127.0.0.1:${callee.sipPort}`, { localSdp: SDP }));
    const call2 = asDialog(await callerApp.createUAC(`sip:two@127.0.0.1:${callee.sipPort}`, { localSdp: SDP }));
    await until(() => first.dialogs.length + second.dialogs.length === 2);
    // Round robin: one call each.
    expect([first.dialogs.length, second.dialogs.length]).toEqual([1, 1]);
    const [gone, kept] = [first, second];

    gone.srf.disconnect();
    await until(() => callee.server.stats().applications === 1);
    // The orphaned call: in-dialog requests are answered 481 by the server (drachtio-protocol.md §15).
    const goneCall = gone === first ? call1 : call2;
    const keptCall = gone === first ? call2 : call1;
    const info1 = (await goneCall.request({ method: 'INFO', body: 'x', headers: { 'Content-Type': 'text/plain' } })) as Srf.SrfResponse;
    expect(info1.status).toBe(481);

    // The other application's call is untouched.
    const info2 = (await keptCall.request({ method: 'INFO', body: 'x', headers: { 'Content-Type': 'text/plain' } })) as Srf.SrfResponse;
    expect(info2.status).toBe(200);
    const ended = new Promise<void>((resolve) => kept.dialogs[0]!.on('destroy', () => resolve()));
    await keptCall.destroy();
    await ended;

    // New calls go to the application still connected.
    const call3 = asDialog(await callerApp.createUAC(`sip:three@127.0.0.1:${callee.sipPort}`, { localSdp: SDP }));
    await until(() => kept.dialogs.length === 2);
    await call3.destroy();
  });
});

