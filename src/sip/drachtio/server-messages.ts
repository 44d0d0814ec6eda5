/**
 * Builders for every message the server sends to an application (drachtio-protocol.md §5).
 * Each returns the frame payload (frame it with `encodeFrame`); token positions are fixed by
 * what drachtio-srf reads (`lib/drachtio-agent.js`), so they are spelled out per shape here.
 */
import { buildPayload } from './payload.js';

/** Where a SIP message came from / went to, as reported in the leader. */
export interface WireMeta {
  /** Lowercase transport: `udp`, `tcp`, `tls`. */
  protocol: string;
  address: string;
  port: number;
  /** UTC time of day `HH:MM:SS.uuuuuu` (see `formatWireTime`). */
  time: string;
}

export interface AuthenticateInfo {
  /** Comma-separated `proto/host:port` of every SIP listener; must be non-empty (srf needs it). */
  hostports: string;
  /** `vX.Y.Z` (≥ v0.8.2 or srf will not ping outside NODE_ENV=test). */
  version: string;
  localHostports: string;
}

const RESPONSE = 'response';
const MSG_SENT = 'Msg sent:';

const toBuffer = (sip: Buffer | string): Buffer => (typeof sip === 'string' ? Buffer.from(sip, 'utf8') : sip);

/** `HH:MM:SS.uuuuuu`, UTC (§5.4 token 7). */
export function formatWireTime(date: Date = new Date(), microseconds?: number): string {
  const pad = (value: number, width: number): string => String(value).padStart(width, '0');
  const micros = microseconds ?? date.getUTCMilliseconds() * 1000;
  return `${pad(date.getUTCHours(), 2)}:${pad(date.getUTCMinutes(), 2)}:${pad(date.getUTCSeconds(), 2)}.${pad(micros, 6)}`;
}

// ---- §5.1 response to a client message -------------------------------------------------------

/** `<id>|response|<cid>|OK[|more...]` */
export function okResponse(id: string, clientMessageId: string, ...more: string[]): Buffer {
  return buildPayload([id, RESPONSE, clientMessageId, 'OK', ...more]);
}

/**
 * `<id>|response|<cid>|NO|<text>` for protocol-level rejections (bad secret, unknown type) or
 * `NOK|<text>` for failures from the SIP layer (§5.1, §10).
 */
export function failureResponse(id: string, clientMessageId: string, status: 'NO' | 'NOK', text: string): Buffer {
  return buildPayload([id, RESPONSE, clientMessageId, status, sanitizeText(text)]);
}

/** §5.1 (1): `OK|<hostports>|<version>|<localHostports>`. */
export function authenticateOk(id: string, clientMessageId: string, info: AuthenticateInfo): Buffer {
  return okResponse(id, clientMessageId, info.hostports, info.version, info.localHostports);
}

/** §5.1 (2): `NO|incorrect secret` (then close). */
export function authenticateRejected(id: string, clientMessageId: string): Buffer {
  return failureResponse(id, clientMessageId, 'NO', 'incorrect secret');
}

/** §5.1 (4): `OK|pong`. */
export function pong(id: string, clientMessageId: string): Buffer {
  return okResponse(id, clientMessageId, 'pong');
}

/** §5.1 (5): `NO|Unknown message type` (then close). */
export function unknownMessageType(id: string, clientMessageId: string): Buffer {
  return failureResponse(id, clientMessageId, 'NO', 'Unknown message type');
}

// ---- §5.2 echo of what was sent ---------------------------------------------------------------

/**
 * (a) Request the app sent:
 * `<id>|response|<cid>|OK|application|<bytes>|<proto>|<addr>|<port>|<time>|<txnId>|Msg sent:|` CRLF request
 */
export function requestEcho(id: string, clientMessageId: string, meta: WireMeta, transactionId: string, sip: Buffer | string): Buffer {
  const body = toBuffer(sip);
  return buildPayload(
    [id, RESPONSE, clientMessageId, 'OK', 'application', String(body.length), meta.protocol, meta.address, String(meta.port), meta.time, transactionId, MSG_SENT, ''],
    body,
  );
}

/**
 * (b) Response the app sent:
 * `...|OK|application|<bytes>|<proto>|<addr>|<port>|<time>|<txnId>|<dialogId>||Msg sent:|` CRLF response
 */
export function responseEcho(
  id: string,
  clientMessageId: string,
  meta: WireMeta,
  transactionId: string,
  dialogId: string,
  sip: Buffer | string,
): Buffer {
  const body = toBuffer(sip);
  return buildPayload(
    [id, RESPONSE, clientMessageId, 'OK', 'application', String(body.length), meta.protocol, meta.address, String(meta.port), meta.time, transactionId, dialogId, '', MSG_SENT, ''],
    body,
  );
}

// ---- §5.3 proxy stream -----------------------------------------------------------------------

/** A final response a proxy target returned: `...|OK|network|<bytes>|...|<time>|||continue` CRLF response. */
export function proxyResponse(id: string, clientMessageId: string, meta: WireMeta, sip: Buffer | string): Buffer {
  const body = toBuffer(sip);
  return buildPayload(
    [id, RESPONSE, clientMessageId, 'OK', 'network', String(body.length), meta.protocol, meta.address, String(meta.port), meta.time, '', '', 'continue'],
    body,
  );
}

/** The proxy operation is over: `OK|done`. */
export function proxyDone(id: string, clientMessageId: string): Buffer {
  return okResponse(id, clientMessageId, 'done');
}

// ---- §5.4 sip messages for the application ---------------------------------------------------

/** Shape A, new out-of-dialog request: tokens 9 (dialogId) and 12 empty; 10/11 = local addr/port. */
export function networkRequest(
  id: string,
  meta: WireMeta,
  transactionId: string,
  local: { address: string; port: number },
  sip: Buffer | string,
): Buffer {
  const body = toBuffer(sip);
  return buildPayload(
    [id, 'sip', 'network', String(body.length), meta.protocol, meta.address, String(meta.port), meta.time, transactionId, '', local.address, String(local.port), ''],
    body,
  );
}

/** Shape B, any other message from the network: token 9 = dialogId (may be empty), trailing `|`. */
export function networkMessage(id: string, meta: WireMeta, transactionId: string, dialogId: string, sip: Buffer | string): Buffer {
  const body = toBuffer(sip);
  return buildPayload(
    [id, 'sip', 'network', String(body.length), meta.protocol, meta.address, String(meta.port), meta.time, transactionId, dialogId, ''],
    body,
  );
}

/** Shape C, server-generated BYE the app must learn about (ACK timeout, CANCEL race). */
export function unsolicitedRequest(id: string, meta: WireMeta, dialogId: string, sip: Buffer | string): Buffer {
  const body = toBuffer(sip);
  return buildPayload(
    [id, 'sip', 'application', String(body.length), meta.protocol, meta.address, String(meta.port), meta.time, 'unsolicited', dialogId, ''],
    body,
  );
}

// ---- §5.5 CDRs ---------------------------------------------------------------------------

export type CdrEvent =
  | { event: 'attempt' }
  | { event: 'start'; role: 'uac' | 'uas' | 'proxy-uac' | 'proxy-uas' }
  | {
      event: 'stop';
      reason:
        | 'call-rejected'
        | 'call-canceled'
        | 'normal-release'
        | 'session-expired'
        | 'system-initiated-termination'
        | 'system-error-initiated-termination';
    };

/** `<id>|cdr:<event>|<source>|<time>[|<role or reason>]` CRLF SIP message. */
export function cdr(id: string, record: CdrEvent, source: 'network' | 'application', time: string, sip: Buffer | string): Buffer {
  const tokens = [id, `cdr:${record.event}`, source, time];
  if (record.event === 'start') tokens.push(record.role);
  if (record.event === 'stop') tokens.push(record.reason);
  return buildPayload(tokens, toBuffer(sip));
}

/** Error texts go into one leader token: no `|` or line breaks. */
function sanitizeText(text: string): string {
  return text.replace(/[|\r\n]+/g, ' ');
}
