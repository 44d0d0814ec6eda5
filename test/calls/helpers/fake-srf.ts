/**
 * A stand-in for drachtio-srf with the `SrfPort` shape, for unit tests of call control before the
 * SIP engine is involved. Each far end is scripted by URI: answer with SDP, reject with a status, or
 * ring until cancelled (→ 487). Everything the application "sends" is recorded for assertions.
 */
import { EventEmitter } from 'node:events';
import type {
  B2buaProgress,
  CreateB2buaOptions,
  CreateUacOptions,
  DialogLike,
  InboundRequest,
  OutboundResponse,
  ResponseLike,
  SentRequest,
  SipHeaders,
  SrfPort,
  UacProgress,
} from '../../../src/calls/srf-port.js';

export type FarEnd =
  | { kind: 'answer'; sdp: string; reinviteStatus?: number }
  | { kind: 'reject'; status: number; reason?: string }
  | { kind: 'ring' }
  /** Never answers anything, not even to CANCEL (a destination that dropped the INVITE). */
  | { kind: 'silent' }
  | { kind: 'error'; message: string };

export function sdpFor(owner: string, port: number, codecs = '0 8 101'): string {
  return [
    'v=0',
    `o=${owner} 1000 1 IN IP4 127.0.0.1`,
    's=-',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=audio ${port} RTP/AVP ${codecs}`,
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:101 telephone-event/8000',
    'a=sendrecv',
    '',
  ].join('\r\n');
}

export class FakeDialog extends EventEmitter implements DialogLike {
  static seq = 0;
  id = `dlg-${++FakeDialog.seq}`;
  connected = true;
  sip = { callId: `call-${FakeDialog.seq}`, localTag: 'l', remoteTag: 'r' };
  readonly byes: SipHeaders[] = [];
  readonly reinvites: string[] = [];
  readonly requests: { method: string; body?: string }[] = [];
  reinviteAnswer: (offer: string) => Promise<string>;

  constructor(
    readonly type: 'uac' | 'uas',
    readonly name: string,
    public local: { uri: string; sdp: string },
    public remote: { uri: string; sdp: string },
  ) {
    super();
    this.reinviteAnswer = async () => this.remote.sdp;
  }

  async destroy(opts?: { headers?: SipHeaders }): Promise<unknown> {
    this.byes.push(opts?.headers ?? {});
    this.connected = false;
    this.removeAllListeners();
    return {};
  }

  async modify(sdp: string): Promise<string> {
    this.reinvites.push(sdp);
    this.local.sdp = sdp;
    const answer = await this.reinviteAnswer(sdp);
    this.remote.sdp = answer;
    return answer;
  }

  async request(opts: { method: string; headers?: SipHeaders; body?: string }): Promise<ResponseLike> {
    this.requests.push({ method: opts.method, ...(opts.body !== undefined ? { body: opts.body } : {}) });
    return { status: 200, reason: 'OK', body: '', get: () => undefined, has: () => false };
  }

  /** The far end sends BYE. */
  hangUp(): void {
    this.connected = false;
    this.emit('destroy', {}, 'normal release');
  }

  /** The far end sends a re-INVITE; resolves with the response the application gave. */
  reinviteFromFarEnd(sdp: string): Promise<SentResponse> {
    const req = new FakeInboundRequest({ uri: this.local.uri, body: sdp, headers: {} });
    const res = new FakeResponse();
    this.remote.sdp = sdp;
    this.emit('modify', req, res);
    return res.final;
  }
}

export interface SentResponse {
  status: number;
  reason?: string;
  headers: SipHeaders;
  body?: string;
}

export class FakeResponse implements OutboundResponse {
  finalResponseSent = false;
  readonly sent: SentResponse[] = [];
  private resolveFinal!: (r: SentResponse) => void;
  readonly final = new Promise<SentResponse>((resolve) => (this.resolveFinal = resolve));

  send(status: number, a?: string | { headers?: SipHeaders; body?: string }, b?: { headers?: SipHeaders; body?: string }): void {
    const reason = typeof a === 'string' ? a : undefined;
    const opts = (typeof a === 'string' ? b : a) ?? {};
    const entry: SentResponse = { status, headers: opts.headers ?? {}, ...(reason ? { reason } : {}), ...(opts.body ? { body: opts.body } : {}) };
    this.sent.push(entry);
    if (status >= 200 && !this.finalResponseSent) {
      this.finalResponseSent = true;
      this.resolveFinal(entry);
    }
  }
}

export class FakeInboundRequest extends EventEmitter implements InboundRequest {
  static seq = 0;
  method = 'INVITE';
  uri: string;
  readonly callId: string;
  source_address: string;
  source_port = 5060;
  protocol = 'udp';
  body: string;
  private readonly headers: Map<string, string>;

  constructor(init: { uri: string; body: string; headers: Record<string, string>; source?: string; callId?: string }) {
    super();
    this.uri = init.uri;
    this.body = init.body;
    this.source_address = init.source ?? '127.0.0.1';
    this.callId = init.callId ?? `inbound-${++FakeInboundRequest.seq}@carrier`;
    this.headers = new Map(Object.entries(init.headers).map(([k, v]) => [k.toLowerCase(), v]));
    this.headers.set('call-id', this.callId);
  }

  get(name: string): string | undefined {
    return this.headers.get(name.toLowerCase());
  }

  has(name: string): boolean {
    return this.headers.has(name.toLowerCase());
  }
}

export interface RecordedInvite {
  uri: string;
  headers: SipHeaders;
  sdp: string;
  cancelled: boolean;
  /** Resolves when the application sends CANCEL. */
  cancelledPromise: Promise<void>;
}

export class FakeSrf implements SrfPort {
  private handler: ((req: InboundRequest, res: OutboundResponse) => void) | null = null;
  private readonly farEnds = new Map<string, FarEnd>();
  readonly invites: RecordedInvite[] = [];
  /** Make the caller's BYE arrive in the same read as the answer: handled before the app resumes. */
  byeRacesAnswer = false;
  readonly dialogs: FakeDialog[] = [];
  private inviteWaiters: { count: number; resolve: () => void }[] = [];

  farEnd(uri: string, behaviour: FarEnd): void {
    this.farEnds.set(uri, behaviour);
  }

  invite(handler: (req: InboundRequest, res: OutboundResponse) => void): void {
    this.handler = handler;
  }

  /** A carrier INVITE arrives. */
  placeCall(init: { to: string; from: string; sdp: string; source?: string; headers?: Record<string, string> }): { req: FakeInboundRequest; res: FakeResponse } {
    if (!this.handler) throw new Error('no INVITE handler registered (start() not called)');
    const req = new FakeInboundRequest({
      uri: `sip:${init.to}@127.0.0.1:5060`,
      body: init.sdp,
      headers: { From: `<sip:${init.from}@carrier.example>;tag=abc`, To: `<sip:${init.to}@127.0.0.1>`, Contact: '<sip:carrier@127.0.0.1>', ...init.headers },
      ...(init.source ? { source: init.source } : {}),
    });
    const res = new FakeResponse();
    this.handler(req, res);
    return { req, res };
  }

  /** Resolves when at least `count` INVITEs have been sent by the application. */
  waitForInvites(count: number): Promise<void> {
    if (this.invites.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.inviteWaiters.push({ count, resolve }));
  }

  async createB2BUA(
    req: InboundRequest,
    res: OutboundResponse,
    uri: string,
    opts: CreateB2buaOptions,
    progress: B2buaProgress = {},
  ): Promise<{ uas: DialogLike; uac: DialogLike }> {
    let cancelUac: (() => void) | null = null;
    req.on('cancel', () => {
      res.send(487);
      cancelUac?.();
    });
    const uac = await this.dial(uri, { headers: opts.headers ?? {}, localSdp: req.body }, progress, (cancel) => (cancelUac = cancel), 'agent');
    const uas = new FakeDialog('uas', 'caller', { uri: 'sip:tb@127.0.0.1', sdp: uac.remote.sdp }, { uri: 'sip:carrier@127.0.0.1', sdp: req.body });
    this.dialogs.push(uas);
    res.send(200, { body: uac.remote.sdp });
    if (this.byeRacesAnswer) uas.hangUp();
    return { uas, uac };
  }

  async createUAC(uri: string, opts: CreateUacOptions, progress: UacProgress = {}): Promise<DialogLike> {
    return this.dial(uri, { headers: opts.headers ?? {}, localSdp: opts.localSdp ?? '' }, progress, () => undefined, 'destination');
  }

  private dial(
    uri: string,
    opts: { headers: SipHeaders; localSdp: string },
    progress: UacProgress,
    exposeCancel: (cancel: () => void) => void,
    name: string,
  ): Promise<FakeDialog> {
    const behaviour = this.farEnds.get(uri) ?? { kind: 'reject', status: 404 };
    let markCancelled!: () => void;
    const recorded: RecordedInvite = {
      uri,
      headers: { ...opts.headers },
      sdp: opts.localSdp,
      cancelled: false,
      cancelledPromise: new Promise<void>((resolve) => (markCancelled = resolve)),
    };
    return new Promise<FakeDialog>((resolve, reject) => {
      const cancel = (): void => {
        if (recorded.cancelled) return;
        recorded.cancelled = true;
        markCancelled();
        if (behaviour.kind === 'silent') return;
        reject(Object.assign(new Error('Request Terminated'), { status: 487, reason: 'Request Terminated' }));
      };
      exposeCancel(cancel);
      const sent: SentRequest = {
        method: 'INVITE',
        uri,
        body: opts.localSdp,
        get: (name: string) => (name.toLowerCase() === 'from' && opts.headers.From ? `${opts.headers.From};tag=t${this.invites.length}` : undefined),
        has: () => false,
        cancel,
      };
      this.invites.push(recorded);
      this.inviteWaiters = this.inviteWaiters.filter((w) => (this.invites.length >= w.count ? (w.resolve(), false) : true));
      setImmediate(() => {
        progress.cbRequest?.(null, sent);
        if (recorded.cancelled) return;
        if (behaviour.kind === 'silent') return;
        progress.cbProvisional?.({ status: 180, reason: 'Ringing', body: '', get: () => undefined, has: () => false });
        switch (behaviour.kind) {
          case 'ring':
            return;
          case 'reject':
            return setImmediate(() => reject(Object.assign(new Error(behaviour.reason ?? 'rejected'), { status: behaviour.status, reason: behaviour.reason ?? 'Rejected' })));
          case 'error':
            return setImmediate(() => reject(new Error(behaviour.message)));
          case 'answer':
            return setImmediate(() => {
              if (recorded.cancelled) return;
              const dialog = new FakeDialog('uac', name, { uri: 'sip:tb@127.0.0.1', sdp: opts.localSdp }, { uri, sdp: behaviour.sdp });
              this.dialogs.push(dialog);
              resolve(dialog);
            });
        }
      });
    });
  }
}
