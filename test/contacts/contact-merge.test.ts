import { describe, expect, it } from 'vitest';
import type { Contact } from '../../src/contacts/contact.js';
import { type ContactEnrichment, mergeContact, prefixOrganisationFields } from '../../src/contacts/contact-merge.js';

const contact: Contact = {
  id: 'ctc_1',
  orgId: 'demo',
  phone: '+15550123',
  name: null,
  email: 'old@example.test',
  zendeskUserId: null,
  externalId: null,
  customData: { plan: 'silver', keep: true },
  createdAt: 1,
  updatedAt: 1,
};

describe('mergeContact', () => {
  const cases: [string, Partial<Contact>, ContactEnrichment, ReturnType<typeof mergeContact>][] = [
    ['nothing incoming changes nothing', {}, {}, { patch: {}, phoneNotApplied: null }],
    ['fills and overwrites scalar fields', {}, { name: 'Ada Lovelace', email: 'ada@example.test', zendeskUserId: '901', externalId: 'crm-7' }, {
      patch: { name: 'Ada Lovelace', email: 'ada@example.test', zendeskUserId: '901', externalId: 'crm-7' }, phoneNotApplied: null }],
    ['empty or null incoming values never erase', {}, { name: '', email: null, externalId: '   ' }, { patch: {}, phoneNotApplied: null }],
    ['same values are not patched', { name: 'Ada' }, { name: 'Ada', email: 'old@example.test' }, { patch: {}, phoneNotApplied: null }],
    ['trims values', {}, { name: '  Ada  ' }, { patch: { name: 'Ada' }, phoneNotApplied: null }],
    ['phone fills a contact without one', { phone: null }, { phone: '+15550199' }, { patch: { phone: '+15550199' }, phoneNotApplied: null }],
    ['a different phone is reported, not applied', {}, { phone: '+15550199' }, { patch: {}, phoneNotApplied: '+15550199' }],
    ['the same phone is a no-op', {}, { phone: '+15550123' }, { patch: {}, phoneNotApplied: null }],
    ['user fields merge over custom_data as-is', {}, { userFields: { plan: 'gold', vip: null } }, {
      patch: { customData: { plan: 'gold', keep: true, vip: null } }, phoneNotApplied: null }],
    ['organisation fields get the org_ prefix', {}, { organisationFields: { tier: 'enterprise', plan: 'org-plan' } }, {
      patch: { customData: { plan: 'silver', keep: true, org_tier: 'enterprise', org_plan: 'org-plan' } }, phoneNotApplied: null }],
    ['org fields never overwrite user fields of the same name', {}, { userFields: { plan: 'gold' }, organisationFields: { plan: 'org' } }, {
      patch: { customData: { plan: 'gold', keep: true, org_plan: 'org' } }, phoneNotApplied: null }],
  ];

  it.each(cases)('%s', (_name, start, incoming, expected) => {
    expect(mergeContact({ ...contact, ...start }, incoming)).toEqual(expected);
  });

  it('prefixes organisation fields', () => {
    expect(prefixOrganisationFields({ a: 1, org_b: 2 })).toEqual({ org_a: 1, org_org_b: 2 });
  });
});
