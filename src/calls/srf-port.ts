/**
 * The part of drachtio-srf 5 that call control uses, typed narrowly and correctly (the package's
 * bundled typings get several of these signatures wrong, e.g. `Dialog.destroy()` returns a Promise
 * and `Request.cancel()` takes options). The real `Srf` satisfies this structurally at runtime;
 * `asSrfPort` is the single place where it is cast. Tests can hand in a fake with the same shape.
 */
import type { EventEmitter } from 'node:events';
import type Srf from 'drachtio-srf';

export type SipHeaders = Record<string, string>;

/** A SIP message as srf exposes it. */
export interface SipMessageLike {
  body: string;
  get(name: string): string | undefined;
  has(name: string): boolean;
}

/** An incoming request (`srf.invite` handler, in-dialog events). */
export interface InboundRequest extends SipMessageLike, EventEmitter {
  method: string;
  uri: string;
  source_address: string;
  source_port: number;
  protocol: string;
}

/** A request the application sent (echoed by the server with what went on the wire). */
export interface SentRequest extends SipMessageLike {
  method: string;
  uri: string;
  /** CANCEL a pending INVITE (RFC 3261 §9.1). */
  cancel(opts?: { headers?: SipHeaders }): void;
}

export interface ResponseLike extends SipMessageLike {
  status: number;
  reason: string;
}

/** The server-side response object handed to request handlers. */
export interface OutboundResponse {
  finalResponseSent: boolean;
  send(status: number, opts?: { headers?: SipHeaders; body?: string }): void;
  send(status: number, reason: string, opts?: { headers?: SipHeaders; body?: string }): void;
}

/** One SIP dialog (srf `Dialog`). */
export interface DialogLike extends EventEmitter {
  id: string;
  type: 'uac' | 'uas';
  connected: boolean;
  sip: { callId: string; localTag: string; remoteTag: string };
  local: { uri: string; sdp: string };
  remote: { uri: string; sdp: string };
  destroy(opts?: { headers?: SipHeaders }): Promise<unknown>;
  /** re-INVITE with `sdp`; resolves with the peer's answer SDP, rejects with a SipError (`status`). */
  modify(sdp: string): Promise<string>;
  request(opts: { method: string; headers?: SipHeaders; body?: string }): Promise<ResponseLike>;
}

export interface UacProgress {
  cbRequest?: (err: unknown, req: SentRequest) => void;
  cbProvisional?: (res: ResponseLike) => void;
}

export interface B2buaProgress extends UacProgress {
  cbFinalizedUac?: (uac: DialogLike) => void;
}

export interface CreateB2buaOptions {
  headers?: SipHeaders;
  responseHeaders?: SipHeaders;
  passFailure?: boolean;
  passProvisionalResponses?: boolean;
  proxyRequestHeaders?: string[];
  proxyResponseHeaders?: string[];
  localSdpB?: string;
}

export interface CreateUacOptions {
  headers?: SipHeaders;
  localSdp?: string;
  proxy?: string;
}

/** Error srf rejects with for a non-2xx final answer (`SipError`). */
export interface SipErrorLike {
  status?: number;
  reason?: string;
  message?: string;
}

export interface SrfPort {
  invite(handler: (req: InboundRequest, res: OutboundResponse) => void): void;
  createB2BUA(
    req: InboundRequest,
    res: OutboundResponse,
    uri: string,
    opts: CreateB2buaOptions,
    progress?: B2buaProgress,
  ): Promise<{ uas: DialogLike; uac: DialogLike }>;
  createUAC(uri: string, opts: CreateUacOptions, progress?: UacProgress): Promise<DialogLike>;
}

/** The one place the real drachtio-srf object is viewed through the narrow port. */
export function asSrfPort(srf: Srf | SrfPort): SrfPort {
  return srf as unknown as SrfPort;
}

/** The Call-ID of a message (srf exposes it only through `get`). */
export function callIdOf(message: SipMessageLike): string {
  return message.get('Call-ID') ?? 'unknown';
}

export function sipErrorStatus(error: unknown): number | null {
  const status = (error as SipErrorLike | null)?.status;
  return typeof status === 'number' && status >= 100 && status <= 699 ? status : null;
}

export function sipErrorReason(error: unknown): string {
  const e = error as SipErrorLike | null;
  return e?.reason ?? e?.message ?? String(error);
}
