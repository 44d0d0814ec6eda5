import { describe, expect, it } from 'vitest';
import { ticketResponseSchema, type ZendeskTicket } from '../../src/zendesk/zendesk-api.schema.js';
import {
  isCertainlyNotPhone,
  isPhoneTicket,
  nameIsPhoneNumber,
  ticketCallerDigits,
  ticketCallerNumbers,
  ticketIdFromSubject,
} from '../../src/zendesk/ticket-rules.js';
import { loadFixture } from '../helpers/zendesk-events.js';

function ticket(via: unknown): ZendeskTicket {
  return ticketResponseSchema.parse({ ticket: { id: 1, requester_id: 2, via } }).ticket;
}

describe('isPhoneTicket (zendesk.md §4.2 correlation rule)', () => {
  it.each<[string, unknown, boolean]>([
    ['REST voice, inbound', { channel: 'voice', source: { rel: 'inbound' } }, true],
    ['REST voice, no source', { channel: 'voice' }, true],
    ['voicemail', { channel: 'voice', source: { rel: 'voicemail' } }, true],
    ['event spelling phone_call_inbound', { channel: 'phone_call_inbound' }, true],
    ['Talk Partner Edition inbound', { channel: 'api_phone_call_inbound' }, true],
    ['Talk Partner Edition voicemail', { channel: 'api_voicemail' }, true],
    ['upper case from events', { channel: 'VOICE' }, true],
    ['outbound call (via 35)', { channel: 'voice', source: { rel: 'outbound' } }, false],
    ['outbound via type', { channel: 'phone_call_outbound' }, false],
    ['email', { channel: 'email' }, false],
    ['web', { channel: 'web' }, false],
    ['api', { channel: 'api' }, false],
    ['sms', { channel: 'sms' }, false],
    ['no via', null, false],
  ])('%s → %s', (_name, via, expected) => {
    expect(isPhoneTicket(ticket(via))).toBe(expected);
  });
});

describe('isCertainlyNotPhone (event pre-filter: no API call for e-mail tickets)', () => {
  it.each<[string | null, boolean]>([
    ['web_service', true],
    ['EMAIL', true],
    ['web', true],
    ['voice', false],
    ['phone_call_inbound', false],
    ['something_new', false],
    [null, false],
  ])('%s → %s', (channel, expected) => {
    expect(isCertainlyNotPhone(channel)).toBe(expected);
  });
});

describe('ticketCallerNumbers', () => {
  it('takes via.source.from first, then the side-loaded requester phone, without duplicates', () => {
    const base = loadFixture<{ ticket: Record<string, unknown> }>('ticket.voice.json');
    const user = loadFixture<{ user: Record<string, unknown> }>('user.json').user;
    const parsed = ticketResponseSchema.parse({ ...base, users: [{ ...user, phone: '+14155559999' }] });
    expect(ticketCallerNumbers(parsed)).toEqual(['+14155551212', '+14155559999']);
    const same = ticketResponseSchema.parse({ ...base, users: [user] });
    expect(ticketCallerNumbers(same)).toEqual(['+14155551212']);
  });

  it('falls back to the requester when the via source is absent (shape unconfirmed, §4.2)', () => {
    const parsed = ticketResponseSchema.parse({
      ticket: { id: 5, requester_id: 7, via: { channel: 'voice' } },
      users: [{ id: 8, phone: '+15550000000' }, { id: 7, phone: '+14155551212' }],
    });
    expect(ticketCallerNumbers(parsed)).toEqual(['+14155551212']);
  });

  it('has nothing when neither carries a number', () => {
    const parsed = ticketResponseSchema.parse({ ticket: { id: 5, requester_id: 7, via: { channel: 'voice' } }, users: [{ id: 7, phone: null }] });
    expect(ticketCallerNumbers(parsed)).toEqual([]);
  });
});

describe('ticketCallerDigits', () => {
  it.each<[string, string | null, { phone: string | null; national: string | null } | null]>([
    ['+14155551212', null, { phone: '+14155551212', national: '4155551212' }],
    ['+1 (415) 555-1212', null, { phone: '+14155551212', national: '4155551212' }],
    ['(415) 555-1212', 'US', { phone: '+14155551212', national: '4155551212' }],
    ['020 7183 8750', 'GB', { phone: '+442071838750', national: '2071838750' }],
    ['020 7183 8750', null, { phone: null, national: '2071838750' }],
    ['+14155551212x123', null, { phone: '+14155551212', national: '4155551212' }],
    ['anonymous', null, null],
    ['12', null, null],
    ['', null, null],
  ])('%j (region %s) → %j', (raw, region, expected) => {
    const got = ticketCallerDigits(raw, region);
    if (expected === null) expect(got).toBeNull();
    else expect(got).toEqual(expected);
  });
});

describe('nameIsPhoneNumber (Talk names unknown callers with their number, §6)', () => {
  it.each<[string, boolean]>([
    ['+14155551212', true],
    ['+1 (415) 555-1212', true],
    ['Caller: 15551234567', true],
    ['Ada Lovelace', false],
    ['Agent 007', false],
  ])('%j → %s', (name, expected) => {
    expect(nameIsPhoneNumber(name)).toBe(expected);
  });
});

describe('ticketIdFromSubject', () => {
  it.each<[string | undefined, string | null]>([
    ['zen:ticket:5158', '5158'],
    ['zen:user:5158', null],
    ['zen:ticket:', null],
    [undefined, null],
  ])('%j → %j', (subject, expected) => {
    expect(ticketIdFromSubject(subject)).toBe(expected);
  });
});
