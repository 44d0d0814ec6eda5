/**
 * Which custom headers a transfer INVITE carries, and its From (seed §"Transferring calls from
 * OpenCX to Zendesk (SIP-IN)"; DESIGN.md "Transfer headers" / "Transfer From").
 *
 * One pure function, `transferHeaders`, so the rule has exactly one home and one table-driven test.
 * Values are built only from validated ids: anything that is not plain RFC 3261 `token` characters
 * is refused here, so CR, LF or NUL can never reach the wire. Zendesk SIP-IN runs on Twilio, whose
 * rules the headers must meet as well (X- prefix, no X-Twilio prefix, under 1 024 characters together).
 */

export type DestinationKind = 'sip' | 'pstn';

export interface TransferHeaderInput {
  destinationType: DestinationKind;
  sessionId: string;
  agentId: string;
  /** Resolved contact id, or null when none was resolved. */
  contactId: string | null;
  /** Zendesk ticket id stamped on the session, or null. */
  ticketId: string | null;
  /** Caller E.164 number, or null when the caller is anonymous / unknown. */
  callerPhone: string | null;
  anonymous: boolean;
  /** The OpenCX-side number (configured anonymous caller id, else the dialled number), E.164. */
  fallbackCallerId: string;
}

export interface SipHeader {
  name: string;
  value: string;
}

export interface TransferHeaderPlan {
  /** E.164 number placed in the From user part. */
  fromUser: string;
  /** Whether `fromUser` is the caller's own number (false: the OpenCX-side number). */
  fromIsCaller: boolean;
  /** Custom headers, in wire order, exact names. Empty for PSTN destinations. */
  headers: SipHeader[];
}

export type TransferHeaderErrorCode =
  | 'TRANSFER_ERR_HEADER_VALUE'
  | 'TRANSFER_ERR_HEADER_NAME'
  | 'TRANSFER_ERR_HEADERS_TOO_LONG'
  | 'TRANSFER_ERR_NO_CALLER_ID';

export interface TransferHeaderError {
  code: TransferHeaderErrorCode;
  /** Header concerned, when one is. */
  header: string | null;
  message: string;
}

export type TransferHeaderResult =
  | { ok: true; plan: TransferHeaderPlan }
  | { ok: false; error: TransferHeaderError };

export const HEADER_SESSION_ID = 'X-OPENCX-SESSION-ID';
export const HEADER_AGENT_ID = 'X-OPENCX-AGENT-ID';
export const HEADER_TRANSFER = 'X-OPENCX-TRANSFER';
export const HEADER_CONTACT_ID = 'X-OPENCX-CONTACT-ID';
export const HEADER_TICKET_ID = 'X-Zendesk-Ticket-Id';

/** Twilio: "all custom headers together" must stay under this many characters. */
export const MAX_CUSTOM_HEADER_CHARS = 1024;

// RFC 3261 §25.1: token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~")
const TOKEN = /^[A-Za-z0-9\-.!%*_+`'~]+$/;
// ITU-T E.164: "+" then at most 15 digits, no leading zero in the country code.
const E164 = /^\+[1-9][0-9]{1,14}$/;
// Zendesk ticket ids are positive integers.
const TICKET_ID = /^[1-9][0-9]{0,19}$/;

/** The header a sender may put on the wire, judged by Twilio's rules (name) and RFC 3261 (value). */
export function checkCustomHeader(header: SipHeader): TransferHeaderError | null {
  if (!TOKEN.test(header.name) || !/^X-/i.test(header.name)) {
    return err('TRANSFER_ERR_HEADER_NAME', header.name, 'custom header names must be tokens starting with X-');
  }
  if (/^X-Twilio/i.test(header.name)) {
    return err('TRANSFER_ERR_HEADER_NAME', header.name, 'header names starting with X-Twilio are reserved by Twilio');
  }
  if (!TOKEN.test(header.value)) {
    return err('TRANSFER_ERR_HEADER_VALUE', header.name, 'header value must be plain token characters');
  }
  return null;
}

/** Characters the headers take on the wire: `Name: value` CRLF each. */
export function customHeaderChars(headers: readonly SipHeader[]): number {
  let total = 0;
  for (const h of headers) total += h.name.length + 2 + h.value.length + 2;
  return total;
}

export function transferHeaders(input: TransferHeaderInput): TransferHeaderResult {
  const callerKnown = !input.anonymous && input.callerPhone !== null && E164.test(input.callerPhone);
  let fromUser: string;
  if (callerKnown) {
    fromUser = input.callerPhone as string;
  } else if (E164.test(input.fallbackCallerId)) {
    // Seed §Troubleshooting: an anonymous caller shows the OpenCX-side From instead.
    fromUser = input.fallbackCallerId;
  } else {
    return {
      ok: false,
      error: err('TRANSFER_ERR_NO_CALLER_ID', null, 'caller unknown and the OpenCX-side number is not E.164'),
    };
  }

  // Seed: PSTN-only destinations route through the carrier as a normal outbound, no custom headers.
  if (input.destinationType === 'pstn') {
    return { ok: true, plan: { fromUser, fromIsCaller: callerKnown, headers: [] } };
  }

  const headers: SipHeader[] = [
    { name: HEADER_SESSION_ID, value: input.sessionId },
    { name: HEADER_AGENT_ID, value: input.agentId },
    { name: HEADER_TRANSFER, value: 'true' },
  ];
  if (input.contactId !== null) headers.push({ name: HEADER_CONTACT_ID, value: input.contactId });
  if (input.ticketId !== null) {
    if (!TICKET_ID.test(input.ticketId)) {
      return { ok: false, error: err('TRANSFER_ERR_HEADER_VALUE', HEADER_TICKET_ID, 'ticket id must be a positive integer') };
    }
    headers.push({ name: HEADER_TICKET_ID, value: input.ticketId });
  }

  for (const header of headers) {
    const problem = checkCustomHeader(header);
    if (problem) return { ok: false, error: problem };
  }
  const chars = customHeaderChars(headers);
  if (chars >= MAX_CUSTOM_HEADER_CHARS) {
    return {
      ok: false,
      error: err('TRANSFER_ERR_HEADERS_TOO_LONG', null, `custom headers take ${chars} characters; Twilio allows under ${MAX_CUSTOM_HEADER_CHARS}`),
    };
  }
  return { ok: true, plan: { fromUser, fromIsCaller: callerKnown, headers } };
}

function err(code: TransferHeaderErrorCode, header: string | null, message: string): TransferHeaderError {
  return { code, header, message };
}
