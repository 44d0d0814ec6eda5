/**
 * Contact enrichment merge rules (seed "Contact enrichment"), pure and source-neutral:
 *
 * - name, email, externalId, zendeskUserId: a non-empty incoming value overwrites; empty/absent
 *   values never erase what is known.
 * - phone: the contact was found by the caller's number, which stays its key: an incoming phone
 *   only fills a contact that has none (anonymous caller). A different number is reported, not set.
 * - custom_data: existing keys kept, user fields merged over them as-is, organisation fields merged
 *   with an `org_` prefix (matching the Zendesk chat webhook). A key set to null is kept as null
 *   (the source says "empty"), not deleted.
 * The result is a patch for ContactStore.update holding only what changes.
 */
import type { Contact, ContactPatch } from './contact.js';

export const ORG_FIELD_PREFIX = 'org_';

export interface ContactEnrichment {
  name?: string | null;
  email?: string | null;
  /** E.164 (normalise before calling). */
  phone?: string | null;
  zendeskUserId?: string | null;
  externalId?: string | null;
  userFields?: Record<string, unknown>;
  organisationFields?: Record<string, unknown>;
}

export interface ContactMerge {
  patch: ContactPatch;
  /** Incoming phone that differs from the contact's and was therefore not applied. */
  phoneNotApplied: string | null;
}

export function prefixOrganisationFields(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).map(([key, value]) => [`${ORG_FIELD_PREFIX}${key}`, value]));
}

export function mergeContact(contact: Contact, incoming: ContactEnrichment): ContactMerge {
  const patch: ContactPatch = {};
  for (const key of ['name', 'email', 'zendeskUserId', 'externalId'] as const) {
    const value = incoming[key];
    if (typeof value === 'string' && value.trim() !== '' && value !== contact[key]) patch[key] = value.trim();
  }
  let phoneNotApplied: string | null = null;
  if (incoming.phone) {
    if (contact.phone === null) patch.phone = incoming.phone;
    else if (incoming.phone !== contact.phone) phoneNotApplied = incoming.phone;
  }
  const customData = {
    ...contact.customData,
    ...(incoming.userFields ?? {}),
    ...prefixOrganisationFields(incoming.organisationFields ?? {}),
  };
  if (JSON.stringify(customData) !== JSON.stringify(contact.customData)) patch.customData = customData;
  return { patch, phoneNotApplied };
}
