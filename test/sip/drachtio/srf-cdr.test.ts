/**
 * Issue 4 "CDR events if registered" (drachtio-protocol.md §5.5): an application that routes
 * `cdr:attempt|start|stop` (`srf.on('cdr:start', …)`) hears about every call — here a separate
 * collector application next to the one that handles the calls.
 */
import type Srf from 'drachtio-srf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeSippRun } from '../../helpers/sipp.js';
import { asDialog, EmbeddedHarness, startCallee, startCaller, withSipp } from './helpers/embedded-harness.js';

const SDP = ['v=0', 'o=app 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 20000 RTP/AVP 0', ''].join('\r\n');

interface CdrRecord {
  event: 'attempt' | 'start' | 'stop';
  source: string;
  time: string;
  /** Role for start, reason for stop. */
  detail: string | null;
  callId: string;
  startLine: string;
}

interface SrfMessage {
  get(name: string): string;
  method?: string;
  status?: number;
  reason?: string;
}

/** Collects CDRs and resolves waiters once a call has the records a test waits for. */
class Collector {
  readonly records: CdrRecord[] = [];
  private waiters: (() => void)[] = [];

  add(event: CdrRecord['event'], args: unknown[]): void {
    const msg = args.at(-1) as SrfMessage;
    this.records.push({
      event,
      source: String(args[0]),
      time: String(args[1]),
      detail: event === 'attempt' ? null : String(args[2]),
      callId: msg.get('Call-ID'),
      startLine: msg.method ? msg.method : `${msg.status}`,
    });
    for (const wake of this.waiters.splice(0)) wake();
  }

  async forCall(callId: () => string | undefined, count: number): Promise<CdrRecord[]> {
    for (;;) {
      const id = callId();
      const mine = id === undefined ? [] : this.records.filter((r) => r.callId === id);
      if (mine.length >= count) return mine;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }
}

let harness: EmbeddedHarness;
let srf: Srf;
const collector = new Collector();
let onInvite: (req: Srf.SrfRequest, res: Srf.SrfResponse) => void = (_req, res) => res.send(500);

beforeAll(async () => {
  harness = await EmbeddedHarness.start();
  srf = await harness.connect((s) => s.invite((req, res) => onInvite(req, res)));
  await harness.connect((s) => {
    const on = s.on.bind(s) as (event: string, fn: (...args: unknown[]) => void) => void;
    on('cdr:attempt', (...args) => collector.add('attempt', args));
    on('cdr:start', (...args) => collector.add('start', args));
    on('cdr:stop', (...args) => collector.add('stop', args));
  });
});

afterAll(async () => {
  await harness.close();
});

const shape = (records: CdrRecord[]) => records.map((r) => [r.event, r.source, r.detail, r.startLine]);

describe('CDRs for calls the application answers (UAS)', () => {
  it('answered, caller hangs up: attempt (INVITE in), start uas (200 out), stop normal-release (BYE in)', async () => {
    let callId: string | undefined;
    onInvite = (req, res) => {
      callId = req.get('Call-ID');
      void srf.createUAS(req, res, { localSdp: SDP });
    };
    const result = await startCaller('uac-invite-expect-200-then-bye.xml', harness.sipPort);
    expect(result.code, describeSippRun(result)).toBe(0);
    const records = await collector.forCall(() => callId, 3);
    expect(shape(records)).toEqual([
      ['attempt', 'network', null, 'INVITE'],
      ['start', 'application', 'uas', '200'],
      ['stop', 'network', 'normal-release', 'BYE'],
    ]);
    expect(records[0]!.time).toMatch(/^\d\d:\d\d:\d\d\.\d{6}$/);
  });

  it('rejected by the application: attempt, stop call-rejected (486 out)', async () => {
    let callId: string | undefined;
    onInvite = (req, res) => {
      callId = req.get('Call-ID');
      res.send(486);
    };
    const result = await startCaller('uac-invite-expect-486.xml', harness.sipPort);
    expect(result.code, describeSippRun(result)).toBe(0);
    expect(shape(await collector.forCall(() => callId, 2))).toEqual([
      ['attempt', 'network', null, 'INVITE'],
      ['stop', 'application', 'call-rejected', '486'],
    ]);
  });

  it('canceled by the caller: attempt, stop call-canceled (CANCEL in)', async () => {
    let callId: string | undefined;
    onInvite = (req, res) => {
      callId = req.get('Call-ID');
      res.send(180);
    };
    const result = await startCaller('uac-invite-cancel-expect-487.xml', harness.sipPort);
    expect(result.code, describeSippRun(result)).toBe(0);
    expect(shape(await collector.forCall(() => callId, 2))).toEqual([
      ['attempt', 'network', null, 'INVITE'],
      ['stop', 'network', 'call-canceled', 'CANCEL'],
    ]);
  });
});

describe('CDRs for calls the application places (UAC)', () => {
  it('answered, application hangs up: attempt (INVITE out), start uac (200 in), stop normal-release (BYE out)', async () => {
    const b = await startCallee('uas-answer-200-expect-bye.xml', harness.sipPort);
    const dialog = asDialog(await withSipp(b.done, srf.createUAC(b.uri, { localSdp: SDP })));
    const callId = (dialog as unknown as { sip: { callId: string } }).sip.callId;
    await dialog.destroy();
    const result = await b.done;
    expect(result.code, describeSippRun(result)).toBe(0);
    expect(shape(await collector.forCall(() => callId, 3))).toEqual([
      ['attempt', 'application', null, 'INVITE'],
      ['start', 'network', 'uac', '200'],
      ['stop', 'application', 'normal-release', 'BYE'],
    ]);
  });

  it('rejected by the callee: attempt, stop call-rejected (486 in)', async () => {
    const b = await startCallee('uas-reject-486.xml', harness.sipPort);
    let callId: string | undefined;
    const err = await withSipp(
      b.done,
      srf.createUAC(b.uri, { localSdp: SDP }, { cbRequest: (_e: unknown, req: Srf.SrfRequest) => (callId = req.get('Call-ID')) } as never),
    ).then(
      () => null,
      (e: { status?: number }) => e,
    );
    expect(err?.status).toBe(486);
    expect((await b.done).code).toBe(0);
    expect(shape(await collector.forCall(() => callId, 2))).toEqual([
      ['attempt', 'application', null, 'INVITE'],
      ['stop', 'network', 'call-rejected', '486'],
    ]);
  });
});
