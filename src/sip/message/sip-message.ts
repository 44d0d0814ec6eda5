/**
 * The SIP message model shared by every layer of the embedded server (RFC 3261 §7).
 *
 * A message keeps its header fields in wire order with the name exactly as received or as the
 * application wrote it (`X-Zendesk-Ticket-Id` leaves as written). Values are stored unfolded
 * (RFC 3261 §7.3.1 line folding replaced by a single space) and otherwise verbatim; structured
 * views (Via, name-addr, CSeq, URIs) are parsed on demand by the functions in this folder.
 *
 * A header line carrying several comma-separated values (`Via: a, b`) stays one HeaderField;
 * `headerValues()` splits it when a caller needs the individual values.
 */

export interface HeaderField {
  /** Header name as it appears on the wire, compact or long, original case. */
  name: string;
  /** Unfolded value without leading/trailing whitespace. */
  value: string;
}

interface SipMessageBase {
  /** Always `SIP/2.0` for messages this engine accepts (RFC 3261 §7.1). */
  version: string;
  headers: HeaderField[];
  /** Body bytes exactly as received (binary-safe); empty buffer when there is none. */
  body: Buffer;
}

export interface SipRequest extends SipMessageBase {
  readonly kind: 'request';
  /** Method token, case-sensitive (RFC 3261 §7.1: methods are case-sensitive). */
  method: string;
  /** Request-URI text as received (parse with `parseUri`). */
  uri: string;
}

export interface SipResponse extends SipMessageBase {
  readonly kind: 'response';
  status: number;
  reason: string;
}

export type SipMessage = SipRequest | SipResponse;

/** Where a message came from or goes to. `transport` is lowercase as drachtio reports it. */
export type TransportProtocol = 'udp' | 'tcp';

export interface SipAddress {
  transport: TransportProtocol;
  /** IPv4 dotted quad or IPv6 without brackets. */
  address: string;
  port: number;
}
