import { describe, expect, it } from 'vitest';
import {
  MAX_CUSTOM_HEADER_CHARS,
  checkCustomHeader,
  customHeaderChars,
  transferHeaders,
  type TransferHeaderInput,
} from '../../src/calls/transfer-headers.js';

const base: TransferHeaderInput = {
  destinationType: 'sip',
  sessionId: 'ses_01HZX3',
  agentId: 'agent-1',
  contactId: 'con_42',
  ticketId: '98765',
  callerPhone: '+14155551212',
  anonymous: false,
  fallbackCallerId: '+442071234567',
};

type Row = {
  name: string;
  input: Partial<TransferHeaderInput>;
  from?: string;
  headers?: [string, string][];
  error?: { code: string; header?: string | null };
};

const ALL: [string, string][] = [
  ['X-OPENCX-SESSION-ID', 'ses_01HZX3'],
  ['X-OPENCX-AGENT-ID', 'agent-1'],
  ['X-OPENCX-TRANSFER', 'true'],
  ['X-OPENCX-CONTACT-ID', 'con_42'],
  ['X-Zendesk-Ticket-Id', '98765'],
];

const rows: Row[] = [
  { name: 'SIP URI, contact and ticket known: every header', input: {}, from: '+14155551212', headers: ALL },
  { name: 'SIP URI, no ticket stamped: no X-Zendesk-Ticket-Id', input: { ticketId: null }, from: '+14155551212', headers: ALL.slice(0, 4) },
  {
    name: 'SIP URI, no contact resolved: no X-OPENCX-CONTACT-ID',
    input: { contactId: null },
    from: '+14155551212',
    headers: [...ALL.slice(0, 3), ALL[4]!],
  },
  { name: 'SIP URI, neither contact nor ticket', input: { contactId: null, ticketId: null }, from: '+14155551212', headers: ALL.slice(0, 3) },
  { name: 'PSTN: no custom headers at all, even with a ticket', input: { destinationType: 'pstn' }, from: '+14155551212', headers: [] },
  { name: 'anonymous caller: From is the OpenCX-side number', input: { anonymous: true, callerPhone: null }, from: '+442071234567', headers: ALL },
  { name: 'anonymous flag wins over a phone', input: { anonymous: true }, from: '+442071234567', headers: ALL },
  { name: 'caller phone not E.164: OpenCX-side number', input: { callerPhone: '5551212' }, from: '+442071234567', headers: ALL },
  { name: 'PSTN + anonymous', input: { destinationType: 'pstn', anonymous: true, callerPhone: null }, from: '+442071234567', headers: [] },
  { name: 'no usable From at all', input: { anonymous: true, fallbackCallerId: 'abc' }, error: { code: 'TRANSFER_ERR_NO_CALLER_ID', header: null } },
  { name: 'CRLF in a session id', input: { sessionId: 'a\r\nX-Evil: 1' }, error: { code: 'TRANSFER_ERR_HEADER_VALUE', header: 'X-OPENCX-SESSION-ID' } },
  { name: 'LF in an agent id', input: { agentId: 'a\nb' }, error: { code: 'TRANSFER_ERR_HEADER_VALUE', header: 'X-OPENCX-AGENT-ID' } },
  { name: 'NUL in a contact id', input: { contactId: 'c\u0000' }, error: { code: 'TRANSFER_ERR_HEADER_VALUE', header: 'X-OPENCX-CONTACT-ID' } },
  { name: 'space in a contact id', input: { contactId: 'c 1' }, error: { code: 'TRANSFER_ERR_HEADER_VALUE', header: 'X-OPENCX-CONTACT-ID' } },
  { name: 'empty agent id', input: { agentId: '' }, error: { code: 'TRANSFER_ERR_HEADER_VALUE', header: 'X-OPENCX-AGENT-ID' } },
  { name: 'non-numeric ticket id', input: { ticketId: '12;x=1' }, error: { code: 'TRANSFER_ERR_HEADER_VALUE', header: 'X-Zendesk-Ticket-Id' } },
  { name: 'ticket id with CRLF', input: { ticketId: '1\r\n' }, error: { code: 'TRANSFER_ERR_HEADER_VALUE', header: 'X-Zendesk-Ticket-Id' } },
  { name: 'PSTN ignores bad ids (nothing is sent)', input: { destinationType: 'pstn', sessionId: 'a\r\n' }, from: '+14155551212', headers: [] },
  {
    name: 'headers together reaching 1024 characters',
    input: { agentId: 'a'.repeat(900) },
    error: { code: 'TRANSFER_ERR_HEADERS_TOO_LONG', header: null },
  },
];

describe('transferHeaders', () => {
  it.each(rows)('$name', (row) => {
    const result = transferHeaders({ ...base, ...row.input });
    if (row.error) {
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.error.code).toBe(row.error.code);
        if (row.error.header !== undefined) expect(result.error.header).toBe(row.error.header);
      }
      return;
    }
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.plan.fromUser).toBe(row.from);
    expect(result.plan.headers.map((h) => [h.name, h.value])).toEqual(row.headers);
  });

  it('never lets CR, LF or NUL through in any value', () => {
    for (const bad of ['\r', '\n', '\u0000', '\r\n']) {
      for (const field of ['sessionId', 'agentId', 'contactId', 'ticketId'] as const) {
        const result = transferHeaders({ ...base, [field]: `1${bad}2` });
        expect(result.ok, `${field} with ${JSON.stringify(bad)}`).toBe(false);
      }
    }
  });

  it('accepts headers just under the limit and refuses them at the limit', () => {
    const probe = transferHeaders(base);
    if (!probe.ok) throw new Error('base must pass');
    const used = customHeaderChars(probe.plan.headers);
    const room = MAX_CUSTOM_HEADER_CHARS - 1 - used; // characters still allowed
    const under = transferHeaders({ ...base, agentId: 'agent-1' + 'x'.repeat(room) });
    expect(under.ok).toBe(true);
    const at = transferHeaders({ ...base, agentId: 'agent-1' + 'x'.repeat(room + 1) });
    expect(at.ok).toBe(false);
  });
});

describe('checkCustomHeader (Twilio rules)', () => {
  it.each([
    ['X-OPENCX-SESSION-ID', 'abc', null],
    ['x-lower-ok', 'abc', null],
    ['Foo', 'abc', 'TRANSFER_ERR_HEADER_NAME'],
    ['X-Twilio-Foo', 'abc', 'TRANSFER_ERR_HEADER_NAME'],
    ['x-twilio', 'abc', 'TRANSFER_ERR_HEADER_NAME'],
    ['X-Bad Name', 'abc', 'TRANSFER_ERR_HEADER_NAME'],
    ['X-Ok', 'a,b', 'TRANSFER_ERR_HEADER_VALUE'],
    ['X-Ok', '"quoted"', 'TRANSFER_ERR_HEADER_VALUE'],
    ['X-Ok', '', 'TRANSFER_ERR_HEADER_VALUE'],
  ])('%s: %s → %s', (name, value, code) => {
    expect(checkCustomHeader({ name, value })?.code ?? null).toBe(code);
  });
});
