/**
 * Issue 4 "Must show": `srf.invite` + `createUAS` with the real drachtio-srf against the embedded
 * server, SIPp playing the caller on loopback.
 */
import type Srf from 'drachtio-srf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeSippRun, receivedStartLines, runSipp } from '../../helpers/sipp.js';
import { asDialog, EmbeddedHarness } from './helpers/embedded-harness.js';

const LOCAL_SDP = ['v=0', 'o=app 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 20000 RTP/AVP 0', ''].join('\r\n');

type InviteHandler = (req: Srf.SrfRequest, res: Srf.SrfResponse) => void;

let harness: EmbeddedHarness;
let onInvite: InviteHandler = (_req, res) => res.send(500);
let srf: Srf;

beforeAll(async () => {
  harness = await EmbeddedHarness.start();
  srf = await harness.connect((s) => s.invite((req, res) => onInvite(req, res)));
});

afterAll(async () => {
  await harness.close();
});

function caller(scenario: string) {
  return runSipp({ scenario: `sip-scenarios/drachtio/${scenario}`, target: { address: '127.0.0.1', port: harness.sipPort } });
}

describe('srf.invite + createUAS', () => {
  it('answers with SDP, caller hangs up: dialog destroy event, dialog id format', async () => {
    const destroyed = new Promise<{ id: string; reason: unknown }>((resolve) => {
      onInvite = (req, res) => {
        void srf.createUAS(req, res, { localSdp: LOCAL_SDP }).then((dialog) => {
          asDialog(dialog).on('destroy', () => resolve({ id: asDialog(dialog).id, reason: null }));
        });
      };
    });
    const result = await caller('uac-invite-expect-200-then-bye.xml');
    expect(result.code, describeSippRun(result)).toBe(0);
    const { id } = await destroyed;
    expect(id).toMatch(/;from-tag=\d+SIPpTag001$/);
    expect(receivedStartLines(result)).toContain('SIP/2.0 100 Trying');
  });

  it('rejects with 486', async () => {
    onInvite = (_req, res) => res.send(486);
    const result = await caller('uac-invite-expect-486.xml');
    expect(result.code, describeSippRun(result)).toBe(0);
  });

  it('application hangs up with BYE after the ACK', async () => {
    onInvite = (req, res) => {
      void srf.createUAS(req, res, { localSdp: LOCAL_SDP }).then((dialog) => {
        setImmediate(() => dialog.destroy());
      });
    };
    const result = await caller('uac-invite-expect-200-then-bye-from-server.xml');
    expect(result.code, describeSippRun(result)).toBe(0);
  });

  it('caller CANCELs before the answer: 200 + 487, request emits cancel', async () => {
    const cancelled = new Promise<void>((resolve) => {
      onInvite = (req, res) => {
        req.on('cancel', () => resolve());
        res.send(180);
      };
    });
    const result = await caller('uac-invite-cancel-expect-487.xml');
    expect(result.code, describeSippRun(result)).toBe(0);
    await cancelled;
  });
});

describe('merged requests (RFC 3261 §8.2.2.2)', () => {
  it('the same INVITE again on another branch gets 482; the application sees one call, which stays cancellable', async () => {
    const seen: string[] = [];
    const cancelled = new Promise<void>((resolve) => {
      onInvite = (req, res) => {
        seen.push(req.get('Call-ID'));
        req.on('cancel', () => resolve());
        res.send(180);
      };
    });
    const result = await caller('uac-invite-merged-expect-482.xml');
    expect(result.code, describeSippRun(result)).toBe(0);
    expect(receivedStartLines(result)).toContain('SIP/2.0 482 Loop Detected');
    await cancelled;
    expect(seen).toHaveLength(1);
  });
});

describe('ACK never arrives (RFC 3261 §13.3.1.4)', () => {
  it('2xx retransmitted, then BYE with Reason "ACK timeout"; srf destroys the dialog with that reason', async () => {
    // Short T1 so 64×T1 is 1.28 s instead of 32 s.
    const fast = await EmbeddedHarness.start({ timers: { t1: 20, t2: 160, t4: 200 } });
    try {
      let resolveReason!: (reason: string) => void;
      const destroyed = new Promise<string>((resolve) => (resolveReason = resolve));
      const app: Srf = await fast.connect((s) =>
        s.invite((req, res) => {
          void app.createUAS(req, res, { localSdp: LOCAL_SDP }).then((dialog) => {
            asDialog(dialog).on('destroy', (_msg: never, reason: string) => resolveReason(reason));
          });
        }),
      );
      const result = await runSipp({
        scenario: 'sip-scenarios/drachtio/uac-invite-drop-ack-expect-bye.xml',
        target: { address: '127.0.0.1', port: fast.sipPort },
      });
      expect(result.code, describeSippRun(result)).toBe(0);
      expect(await destroyed).toBe('ACK timeout');
      const twoHundreds = receivedStartLines(result).filter((l) => l === 'SIP/2.0 200 OK');
      expect(twoHundreds.length).toBeGreaterThan(3);
    } finally {
      await fast.close();
    }
  });
});

describe('over TCP', () => {
  it('INVITE/200/ACK/BYE over TCP; hostports list both transports', async () => {
    const tcp = await EmbeddedHarness.start({
      sip: [
        { transport: 'udp', address: '127.0.0.1', port: 0 },
        { transport: 'tcp', address: '127.0.0.1', port: 0 },
      ],
    });
    try {
      let hostport = '';
      const app: Srf = await tcp.connect((s) => {
        s.on('connect', (_err: unknown, hp: string) => (hostport = hp));
        s.invite((req, res) => void app.createUAS(req, res, { localSdp: LOCAL_SDP }));
      });
      const tcpPort = tcp.server.addresses().sip[1]!.port;
      const result = await runSipp({
        scenario: 'sip-scenarios/drachtio/uac-invite-expect-200-then-bye.xml',
        target: { address: '127.0.0.1', port: tcpPort },
        transport: 'tcp',
      });
      expect(result.code, describeSippRun(result)).toBe(0);
      expect(hostport).toBe(`udp/127.0.0.1:${tcp.sipPort},tcp/127.0.0.1:${tcpPort}`);
    } finally {
      await tcp.close();
    }
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
