/**
 * Pure rules of ticket ↔ call correlation (DESIGN.md "Correlation"): which tickets are phone tickets,
 * where a ticket's caller digits come from, how they are normalised. Table-driven tests in
 * test/zendesk/ticket-rules.test.ts.
 */
import { normalisePhoneNumber } from '../phone/index.js';
import type { ZendeskTicket, ZendeskTicketWithUsers } from './zendesk-api.schema.js';

/**
 * zendesk.md §4.2 "Correlation rule": `voice` (REST) or one of the inbound/voicemail via types (the
 * value in event payloads is unconfirmed, so both spellings are accepted).
 */
export const PHONE_CHANNELS: ReadonlySet<string> = new Set([
  'voice',
  'phone_call_inbound',
  'voicemail',
  'api_phone_call_inbound',
  'api_voicemail',
]);

/**
 * Channels that are certainly not calls. An event whose `detail.via.channel` is one of these is
 * ignored without fetching the ticket (most tickets are e-mail and web: no API call spent on them).
 * Anything else (including unknown values) is fetched and decided on the REST `via`.
 */
export const NON_PHONE_CHANNELS: ReadonlySet<string> = new Set([
  'web',
  'web_form',
  'email',
  'mail',
  'api',
  'web_service',
  'chat',
  'native_messaging',
  'messaging',
  'sms',
  'twitter',
  'facebook',
  'whatsapp',
  'help_center',
  'web_widget',
  'mobile_sdk',
  'side_conversation',
  'rule',
  'closed_ticket',
  'merge',
]);

/** Event payload enums are upper case in the examples (§3.2): compare case-insensitively. */
export function isCertainlyNotPhone(eventChannel: string | null | undefined): boolean {
  return typeof eventChannel === 'string' && NON_PHONE_CHANNELS.has(eventChannel.toLowerCase());
}

/** A ticket created by an inbound call or voicemail; outbound calls (rel `outbound`, via 35) never count. */
export function isPhoneTicket(ticket: ZendeskTicket): boolean {
  const via = ticket.via;
  if (!via || !PHONE_CHANNELS.has(via.channel.toLowerCase())) return false;
  const rel = via.source?.rel?.toLowerCase() ?? null;
  return rel !== 'outbound' && rel !== 'phone_call_outbound';
}

/**
 * The caller's number as written on the ticket, best source first: the call's own `via.source.from`
 * (the digits Talk saw), then the requester's primary phone (zendesk.md §6: Talk makes the caller the
 * requester). Duplicates and blanks removed.
 */
export function ticketCallerNumbers(ticket: ZendeskTicketWithUsers): string[] {
  const out: string[] = [];
  const push = (value: string | null | undefined): void => {
    const v = value?.trim();
    if (v && !out.includes(v)) out.push(v);
  };
  push(ticket.ticket.via?.source?.from?.phone);
  const requesterId = ticket.ticket.requester_id;
  const requester = requesterId === null ? undefined : ticket.users.find((u) => u.id === requesterId);
  push(requester?.phone);
  return out;
}

export interface CallerDigits {
  /** E.164, or null when the number could not be read as one. */
  phone: string | null;
  /** National significant number: the fallback match key. */
  national: string | null;
}

/**
 * Normalise a ticket's number with src/phone. Zendesk Talk writes E.164 (§6); for a national form the
 * organisation's region (from its own numbers) reads it. When even that fails, the digits without
 * trunk zeros serve as the national key.
 * DEVIATION: the digits fallback is looser than libphonenumber, but it only feeds the "same national
 * number" match, which the store consults only when no exact E.164 match exists.
 */
export function ticketCallerDigits(raw: string, defaultRegion: string | null): CallerDigits | null {
  // §6: Zendesk appends an extension as `x<digits>` (`+14155551212x123`); the caller is the number.
  const number = raw.replace(/\s*(?:x|ext\.?|#)\s*\d+$/i, '');
  const normalised = normalisePhoneNumber(number, defaultRegion);
  if (normalised) return { phone: normalised.e164, national: normalised.national };
  if (/[a-z@]/i.test(number)) return null;
  const digits = number.replace(/\D/g, '').replace(/^0+/, '');
  return digits.length >= 6 && digits.length <= 15 ? { phone: null, national: digits } : null;
}

/** Whether a Zendesk user name is really just the caller's number (Talk names unknown callers so, §6). */
export function nameIsPhoneNumber(name: string): boolean {
  return /^[+\d][\d\s().\-/]{5,}$/.test(name.trim()) || /^caller:?\s*[+\d]/i.test(name.trim());
}

/** `zen:ticket:5158` → `5158`. */
export function ticketIdFromSubject(subject: string | null | undefined): string | null {
  const match = /^zen:ticket:(\d+)$/.exec(subject ?? '');
  return match?.[1] ?? null;
}
