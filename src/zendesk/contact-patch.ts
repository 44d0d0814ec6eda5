/**
 * What contact enrichment writes (seed "Contact enrichment"): requester name, email, phone, Zendesk
 * user id and external id; user fields into `custom_data` as-is; organization fields into
 * `custom_data` prefixed `org_`. The merge rules themselves live in src/contacts/contact-merge.ts;
 * this file only reads a Zendesk user and organization into them. Pure: table-driven tests in
 * test/zendesk/contact-patch.test.ts.
 */
import { mergeContact, ORG_FIELD_PREFIX, prefixOrganisationFields } from '../contacts/contact-merge.js';
import type { Contact, ContactPatch } from '../contacts/contact.js';
import { normalisePhoneNumber } from '../phone/index.js';
import type { ZendeskOrganization, ZendeskUser } from './zendesk-api.schema.js';
import { nameIsPhoneNumber } from './ticket-rules.js';

export { ORG_FIELD_PREFIX, prefixOrganisationFields as prefixOrganizationFields };

export interface EnrichmentPatch {
  patch: ContactPatch;
  /** The requester's phone when it differs from the contact's (kept, not overwritten; see mergeContact). */
  requesterPhoneKept: string | null;
}

export function contactPatchFromZendesk(
  contact: Contact,
  user: ZendeskUser,
  organization: ZendeskOrganization | null,
  defaultRegion: string | null = null,
): EnrichmentPatch {
  const { patch, phoneNotApplied } = mergeContact(contact, {
    // Talk names unknown callers with their number (zendesk.md §6): that is not a name.
    name: user.name && !nameIsPhoneNumber(user.name) ? user.name : null,
    email: user.email,
    phone: requesterPhone(contact, user.phone, defaultRegion),
    zendeskUserId: user.id,
    externalId: user.external_id,
    userFields: user.user_fields,
    organisationFields: organization?.organization_fields ?? {},
  });
  return { patch, requesterPhoneKept: phoneNotApplied };
}

/**
 * The requester's number in E.164. Talk makes the caller the requester (zendesk.md §6), so it is
 * usually the contact's own number already normalised: compared first, that spares a
 * libphonenumber parse (~40 µs, ~13 KB of garbage) per enrichment.
 */
function requesterPhone(contact: Contact, phone: string | null, defaultRegion: string | null): string | null {
  if (!phone) return null;
  if (phone === contact.phone) return phone;
  return normalisePhoneNumber(phone, defaultRegion)?.e164 ?? null;
}
