/** A person who calls an organisation, found or created by caller phone, enriched from Zendesk. */
export interface Contact {
  id: string;
  orgId: string;
  /** E.164; null for contacts created from an anonymous call (never matched by phone). */
  phone: string | null;
  name: string | null;
  email: string | null;
  zendeskUserId: string | null;
  externalId: string | null;
  /** Zendesk user fields as-is; organisation fields prefixed `org_` (seed: Contact enrichment). */
  customData: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
}

/** Fields enrichment may set; absent keys are left untouched. */
export type ContactPatch = Partial<
  Pick<Contact, 'phone' | 'name' | 'email' | 'zendeskUserId' | 'externalId' | 'customData'>
>;
