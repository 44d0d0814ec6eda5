/**
 * Public API of the SIP message layer. CONTRACT: the names and signatures below are used by the
 * transport, transaction, dialog and drachtio layers; implementations live in sibling files.
 * (Stubs until the message layer lands.)
 */
export type { HeaderField, SipMessage, SipRequest, SipResponse, SipAddress, TransportProtocol } from './sip-message.js';
import type { HeaderField, SipMessage } from './sip-message.js';

/** Stable parse/validation defect codes, `SIP_ERR_*`, each mapped to a response status. */
export type SipErrorCode = string;

export interface SipParseError {
  code: SipErrorCode;
  /** Reason phrase naming the defect, safe to put on a status line (no CR/LF). */
  reason: string;
  /** Status to answer with when the message was a request that can be answered (400, 505, 513 …). */
  status: number;
  /** Whatever could be read before the defect: enough to build a response when possible. */
  partial: { kind: 'request' | 'response' | 'unknown'; method?: string; headers: HeaderField[] };
}

export type ParseResult = { ok: true; message: SipMessage } | { ok: false; error: SipParseError };

export interface Via {
  /** `SIP/2.0/UDP` as written. */
  protocol: string;
  /** Transport token upper-cased: `UDP`, `TCP`, `TLS`, `SCTP`, `WS` … */
  transport: string;
  /** Host without IPv6 brackets. */
  host: string;
  port: number | null;
  /** Parameter names lower-cased; `null` for a flag parameter (`;rport`). */
  params: Record<string, string | null>;
  branch: string | null;
}

export interface SipUri {
  scheme: 'sip' | 'sips';
  user: string | null;
  password: string | null;
  /** Host without IPv6 brackets, lower-cased. */
  host: string;
  port: number | null;
  params: Record<string, string | null>;
  headers: Record<string, string>;
}

export interface TelUri {
  scheme: 'tel';
  number: string;
  params: Record<string, string | null>;
}

export interface NameAddr {
  displayName: string | null;
  /** The URI text (inside <> when it was bracketed). */
  uri: string;
  /** Header parameters (after the URI), names lower-cased. */
  params: Record<string, string | null>;
  tag: string | null;
}

export interface CSeq {
  seq: number;
  method: string;
}

const notYet = (): never => {
  throw new Error('SIP message layer not implemented yet');
};

/** Parse one complete message (start line, headers, body). Never throws on bad input. */
export const parseMessage: (data: Buffer) => ParseResult = notYet;
/** Serialize exactly: header names/case/order kept; Content-Length is written as given. */
export const serializeMessage: (message: SipMessage) => Buffer = notYet;
/** First value of a header by canonical or compact name, case-insensitive. */
export const getHeader: (message: SipMessage, name: string) => string | undefined = notYet;
/** Every value of a header across lines, comma-separated values split (quotes and <> respected). */
export const headerValues: (message: SipMessage, name: string) => string[] = notYet;
export const parseVia: (value: string) => Via[] = notYet;
export const parseNameAddr: (value: string) => NameAddr = notYet;
export const parseCSeq: (value: string) => CSeq = notYet;
export const parseUri: (text: string) => SipUri | TelUri = notYet;
