import { describe, expect, it } from 'vitest';
import type { Contact } from '../../src/contacts/contact.js';
import { contactPatchFromZendesk, prefixOrganizationFields } from '../../src/zendesk/contact-patch.js';
import { organizationResponseSchema, userResponseSchema } from '../../src/zendesk/zendesk-api.schema.js';
import { loadFixture } from '../helpers/zendesk-events.js';

const user = userResponseSchema.parse(loadFixture('user.json')).user;
const org = organizationResponseSchema.parse(loadFixture('organization.json')).organization;

function contact(fields: Partial<Contact> = {}): Contact {
  return { id: 'ctc_1', orgId: 'org-a', phone: '+14155551212', name: null, email: null, zendeskUserId: null, externalId: null, customData: {}, createdAt: 0, updatedAt: 0, ...fields };
}

describe('contactPatchFromZendesk (seed "Contact enrichment")', () => {
  it('maps requester name, email, user id, external id; user fields as-is; org fields prefixed org_', () => {
    const { patch, requesterPhoneKept } = contactPatchFromZendesk(contact(), user, org);
    expect(patch).toEqual({
      zendeskUserId: '9001234567890',
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      externalId: 'crm-4711',
      customData: { plan: 'enterprise', customer_since: '2019-04-01', nps: 9, org_tier: 'gold', org_region: 'emea' },
    });
    expect(requesterPhoneKept).toBeNull();
  });

  it('keeps custom data already on the contact and lets Zendesk values win per key', () => {
    const { patch } = contactPatchFromZendesk(contact({ customData: { source: 'ivr', plan: 'free' } }), user, null);
    expect(patch.customData).toEqual({ source: 'ivr', plan: 'enterprise', customer_since: '2019-04-01', nps: 9 });
  });

  it.each<[string, Partial<Contact>, string | null, { phone?: string; kept: string | null }]>([
    ['contact without phone takes the requester phone', { phone: null }, '+1 415 555 1212', { phone: '+14155551212', kept: null }],
    ['same number: nothing to change', {}, '+14155551212', { kept: null }],
    ['same number written otherwise: nothing to change', {}, '+1 (415) 555-1212', { kept: null }],
    ['another number: kept, not moved', {}, '+14155559999', { kept: '+14155559999' }],
    ['unreadable number: ignored', { phone: null }, 'ext. 12', { kept: null }],
  ])('%s', (_name, fields, phone, expected) => {
    const { patch, requesterPhoneKept } = contactPatchFromZendesk(contact(fields), { ...user, phone }, null);
    expect(patch.phone).toBe(expected.phone);
    expect(requesterPhoneKept).toBe(expected.kept);
  });

  it('does not take a name that is only the caller number (Talk unknown caller)', () => {
    const { patch } = contactPatchFromZendesk(contact(), { ...user, name: '+14155551212', email: null, external_id: null }, null);
    expect(patch.name).toBeUndefined();
    expect(patch.email).toBeUndefined();
    expect(patch.externalId).toBeUndefined();
  });

  it('prefixes every organization field', () => {
    expect(prefixOrganizationFields({ a: 1, org_b: 2 })).toEqual({ org_a: 1, org_org_b: 2 });
  });
});
