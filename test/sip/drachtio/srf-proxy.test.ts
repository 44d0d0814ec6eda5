/**
 * Issue 4 "proxyRequest": `srf.proxyRequest` between a SIPp caller and SIPp callees, the embedded
 * server acting as a transaction-stateful proxy (RFC 3261 §16; drachtio-protocol.md §5.3, §12).
 */
import type Srf from 'drachtio-srf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeSippRun, type SippResult } from '../../helpers/sipp.js';
import { EmbeddedHarness, startCallee, startCaller } from './helpers/embedded-harness.js';
import { receivedMessages, receivedRequests } from './helpers/sipp-log.js';

interface ProxyResult {
  connected: boolean;
  finalStatus: number;
  responses: { address: string; port: number; msgs: { status: number }[] }[];
}

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

/** The next INVITE is proxied to `destinations`; resolves with srf's result. */
function proxyNext(destinations: string[], opts: Record<string, unknown> = {}): Promise<ProxyResult> {
  return new Promise<ProxyResult>((resolve, reject) => {
    onInvite = (req) => {
      (srf as unknown as { proxyRequest(req: unknown, dest: string[], opts: object): Promise<ProxyResult> })
        .proxyRequest(req, destinations, opts)
        .then(resolve, reject);
    };
  });
}

const both = (a: SippResult, b: SippResult) => `${describeSippRun(a)}\n===== callee =====\n${describeSippRun(b)}`;
const statuses = (result: ProxyResult) => result.responses.flatMap((r) => r.msgs.map((m) => m.status));

describe('srf.proxyRequest', () => {
  it('record-routed INVITE → 200 → ACK → BYE through the proxy', async () => {
    const b = await startCallee('uas-record-routed-answer-200-expect-bye.xml', harness.sipPort);
    const proxied = proxyNext([b.uri], { recordRoute: true });
    const a = startCaller('uac-invite-via-proxy-expect-200-then-bye.xml', harness.sipPort);
    const [ra, rb] = await Promise.all([a, b.done]);
    expect(ra.code, both(ra, rb)).toBe(0);
    expect(rb.code, both(ra, rb)).toBe(0);
    const result = await proxied;
    expect(result).toMatchObject({ connected: true, finalStatus: 200 });
    expect(result.responses[0]).toMatchObject({ address: '127.0.0.1', port: b.port });
    // ACK and BYE came through the proxy: its Via on top, Max-Forwards decremented, Route consumed.
    for (const method of ['ACK', 'BYE']) {
      const request = receivedRequests(rb, method)[0]!;
      expect(request.header('Via')).toMatch(new RegExp(`^SIP/2\\.0/UDP 127\\.0\\.0\\.1:${harness.sipPort};`));
      expect(request.header('Max-Forwards')).toBe('69');
      expect(request.header('Route')).toBeUndefined();
    }
    // The caller saw the callee's 180 relayed and its own Via on top of the 200.
    const statusLines = receivedMessages(ra).map((m) => m.startLine);
    expect(statusLines).toContain('SIP/2.0 180 Ringing');
  });

  it('a 486 from the callee is passed back to the caller', async () => {
    const b = await startCallee('uas-reject-486.xml', harness.sipPort);
    const proxied = proxyNext([b.uri], { recordRoute: true });
    const a = startCaller('uac-invite-expect-486.xml', harness.sipPort);
    const [ra, rb] = await Promise.all([a, b.done]);
    expect(ra.code, both(ra, rb)).toBe(0);
    expect(rb.code, both(ra, rb)).toBe(0);
    expect(await proxied).toMatchObject({ connected: false, finalStatus: 486 });
  });

  it('serial destinations: 486 from the first, the second answers 200', async () => {
    const busy = await startCallee('uas-reject-486.xml', harness.sipPort);
    const b = await startCallee('uas-record-routed-answer-200-expect-bye.xml', harness.sipPort);
    const proxied = proxyNext([busy.uri, b.uri], { recordRoute: true });
    const a = startCaller('uac-invite-via-proxy-expect-200-then-bye.xml', harness.sipPort);
    const [ra, rbusy, rb] = await Promise.all([a, busy.done, b.done]);
    expect(ra.code, both(ra, rb)).toBe(0);
    expect(rbusy.code, describeSippRun(rbusy)).toBe(0);
    expect(rb.code, both(ra, rb)).toBe(0);
    const result = await proxied;
    expect(result).toMatchObject({ connected: true, finalStatus: 200 });
    expect(statuses(result)).toEqual([486, 200]);
    expect(receivedMessages(ra).map((m) => m.startLine)).not.toContain('SIP/2.0 486 Busy Here');
  });

  it('followRedirects: a 302 sends the INVITE on to the Contact', async () => {
    const b = await startCallee('uas-record-routed-answer-200-expect-bye.xml', harness.sipPort);
    const redirect = await startCallee('uas-redirect-302.xml', harness.sipPort, ['-key', 'moved_port', String(b.port)]);
    const proxied = proxyNext([redirect.uri], { recordRoute: true, followRedirects: true });
    const a = startCaller('uac-invite-via-proxy-expect-200-then-bye.xml', harness.sipPort);
    const [ra, rr, rb] = await Promise.all([a, redirect.done, b.done]);
    expect(ra.code, both(ra, rb)).toBe(0);
    expect(rr.code, describeSippRun(rr)).toBe(0);
    expect(rb.code, both(ra, rb)).toBe(0);
    expect(statuses(await proxied)).toEqual([302, 200]);
    expect(receivedRequests(rb, 'INVITE')[0]!.startLine).toBe(`INVITE sip:moved@127.0.0.1:${b.port} SIP/2.0`);
  });

  it('CANCEL from the caller is passed on; the callee 487 goes back', async () => {
    const b = await startCallee('uas-ring-expect-cancel.xml', harness.sipPort);
    const proxied = proxyNext([b.uri]);
    const a = startCaller('uac-invite-cancel-expect-487.xml', harness.sipPort);
    const [ra, rb] = await Promise.all([a, b.done]);
    expect(ra.code, both(ra, rb)).toBe(0);
    expect(rb.code, both(ra, rb)).toBe(0);
    expect(await proxied).toMatchObject({ connected: false, finalStatus: 487 });
    // The 487 is the callee's (relayed from the response context, §16.10), not one of our own.
    const final = receivedMessages(ra).find((m) => m.startLine.startsWith('SIP/2.0 487'));
    expect(final?.header('To'), rb.messages).toMatch(/SIPpTag01/);
  });

  it('Max-Forwards 0: 483 to the caller, the application gets an error (§16.3 step 3)', async () => {
    const proxied = proxyNext(['sip:127.0.0.1:9']);
    const a = startCaller('uac-invite-max-forwards-0-expect-483.xml', harness.sipPort);
    const outcome = await proxied.then(() => 'resolved', (err: unknown) => String(err));
    expect(outcome).toMatch(/Too Many Hops/);
    const ra = await a;
    expect(ra.code, describeSippRun(ra)).toBe(0);
  });
});

describe('state', () => {
  it('no proxy operation, dialog or pending request is left behind', async () => {
    const idle = () => {
      const s = harness.server.stats();
      return s.dialogs === 0 && s.inbound === 0 && s.outbound === 0 && s.proxies === 0;
    };
    while (!idle()) await new Promise<void>((resolve) => setTimeout(resolve, 10));
    expect(harness.server.stats()).toMatchObject({ dialogs: 0, inbound: 0, outbound: 0, proxies: 0 });
  });
});
