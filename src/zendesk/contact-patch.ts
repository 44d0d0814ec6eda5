/**
 * What contact enrichment writes (seed "Contact enrichment"): requester name, email, phone, Zendesk
 * user id and external id; user fields into `custom_data` as-is; organization fields into
 * `custom_data` prefixed `org_`. Pure: table-driven tests in test/zendesk/contact-patch.test.ts.
 */
import type { Contact, ContactPatch } from '../contacts/contact.js';
import { normalisePhoneNumber } from '../phone/index.js';
import type { ZendeskOrganization, ZendeskUser } from './zendesk-api.schema.js';
import { nameIsPhoneNumber } from './ticket-rules.js';

export const ORG_FIELD_PREFIX = 'org_';

export interface EnrichmentPatch {
  patch: ContactPatch;
  /** The requester's phone when it differs from the contact's (kept, not overwritten; see below). */
  requesterPhoneKept: string | null;
}

export function prefixOrganizationFields(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).map(([key, value]) => [`${ORG_FIELD_PREFIX}${key}`, value]));
}

export function contactPatchFromZendesk(
  contact: Contact,
  user: ZendeskUser,
  organization: ZendeskOrganization | null,
  defaultRegion: string | null = null,
): EnrichmentPatch {
  const patch: ContactPatch = { zendeskUserId: user.id };
  // Talk names unknown callers with their number (zendesk.md §6): that is not a name.
  if (user.name && !nameIsPhoneNumber(user.name)) patch.name = user.name;
  if (user.email) patch.email = user.email;
  if (user.external_id) patch.externalId = user.external_id;

  let requesterPhoneKept: string | null = null;
  const phone = user.phone ? normalisePhoneNumber(user.phone, defaultRegion)?.e164 ?? null : null;
  // DEVIATION: the contact was found by the caller's number, which is its key for the next call.
  // A requester whose primary phone is another number does not move the contact off the caller's
  // number; the other number is reported instead. A contact without a phone takes the requester's.
  if (phone !== null) {
    if (contact.phone === null) patch.phone = phone;
    else if (contact.phone !== phone) requesterPhoneKept = phone;
  }

  patch.customData = {
    ...contact.customData,
    ...user.user_fields,
    ...(organization ? prefixOrganizationFields(organization.organization_fields) : {}),
  };
  return { patch, requesterPhoneKept };
}
