/**
 * RFC 3261 §18.1.1 through the whole server: an application's INVITE over 1300 bytes to a UDP URI
 * leaves over TCP; the callee's provisional comes back on that connection, and the application's
 * CANCEL must follow the INVITE there (§9.1: "the same ... transport"), with the INVITE's top Via.
 * SIPp plays a callee that listens on TCP only, so anything sent over UDP is lost and fails it.
 */
import type Srf from 'drachtio-srf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeSippRun, freePort, runSipp } from '../../helpers/sipp.js';
import { EmbeddedHarness, tcpPortListening, uacCancelledOnRinging, withSipp } from './helpers/embedded-harness.js';

// An SDP offer of about 2 KB (many attributes), so the INVITE cannot stay on UDP.
const LARGE_SDP = [
  'v=0',
  'o=app 1 1 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 20000 RTP/AVP 0',
  ...Array.from({ length: 60 }, (_, i) => `a=x-padding-${i}:${'p'.repeat(20)}`),
  '',
].join('\r\n');

let harness: EmbeddedHarness;
let srf: Srf;

beforeAll(async () => {
  harness = await EmbeddedHarness.start({
    sip: [
      { transport: 'udp', address: '127.0.0.1', port: 0 },
      { transport: 'tcp', address: '127.0.0.1', port: 0 },
    ],
  });
  srf = await harness.connect();
});

afterAll(async () => {
  await harness.close();
});

describe('a large INVITE moved to TCP', () => {
  it('180 over the TCP connection, then the application CANCEL follows on it → 487', async () => {
    const port = await freePort('tcp');
    const done = runSipp({ scenario: 'sip-scenarios/drachtio/uas-ring-expect-cancel.xml', transport: 'tcp', localPort: port, target: { address: '127.0.0.1', port: harness.sipPort } });
    await Promise.race([tcpPortListening(port), done.then((r) => Promise.reject(new Error(`SIPp exited before listening:\n${describeSippRun(r)}`)))]);
    const { status, sent } = await withSipp(done, uacCancelledOnRinging(srf, `sip:callee@127.0.0.1:${port}`, LARGE_SDP));
    expect(status).toBe(487);
    const result = await done;
    expect(result.code, describeSippRun(result)).toBe(0);
    // What srf was told it sent: the TCP copy (top Via names TCP), as the wire carried it.
    expect(String((sent as unknown as { get(h: string): string }).get('Via'))).toMatch(/^SIP\/2\.0\/TCP /);
  });
});
