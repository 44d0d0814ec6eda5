import { describe, expect, it } from 'vitest';
import { isAnonymousUser, privacyRequestsId, resolveCallerIdentity, userOf } from '../../src/phone/caller-identity.js';

const base = { from: null, pai: null, privacy: null, trustPai: false, dialledNumber: '+15550100' };

describe('resolveCallerIdentity', () => {
  it.each([
    ['From E.164 user', { from: 'sip:+15550123@carrier' }, { phone: '+15550123', national: '5550123', anonymous: false, source: 'from' }],
    ['From national user read in the dialled region', { from: '<sip:2125550100@carrier;user=phone>' }, { phone: '+12125550100', national: '2125550100', anonymous: false, source: 'from' }],
    ['trusted PAI wins over From', { from: 'sip:+15550999@c', pai: '<tel:+15550123>', trustPai: true }, { phone: '+15550123', national: '5550123', anonymous: false, source: 'pai' }],
    ['untrusted PAI ignored', { from: 'sip:+15550999@c', pai: 'sip:+15550123@c', trustPai: false }, { phone: '+15550999', national: '5550999', anonymous: false, source: 'from' }],
    ['trusted carrier without PAI uses From', { from: 'sip:+15550999@c', trustPai: true }, { phone: '+15550999', national: '5550999', anonymous: false, source: 'from' }],
    ['anonymous From', { from: '"Anonymous" <sip:anonymous@anonymous.invalid>' }, { phone: null, national: null, anonymous: true, source: 'from' }],
    ['restricted', { from: 'sip:Restricted@c' }, { phone: null, national: null, anonymous: true, source: 'from' }],
    ['unavailable', { from: 'sip:unavailable@c' }, { phone: null, national: null, anonymous: true, source: 'from' }],
    ['unknown', { from: 'sip:UNKNOWN@c' }, { phone: null, national: null, anonymous: true, source: 'from' }],
    ['empty user (host only)', { from: 'sip:carrier.example' }, { phone: null, national: null, anonymous: true, source: 'from' }],
    ['no From at all', {}, { phone: null, national: null, anonymous: true, source: 'from' }],
    ['Privacy: id with a number', { from: 'sip:+15550123@c', privacy: 'id' }, { phone: null, national: null, anonymous: true, source: 'from' }],
    ['Privacy: header;id', { from: 'sip:+15550123@c', pai: 'tel:+15550123', trustPai: true, privacy: 'header; id' }, { phone: null, national: null, anonymous: true, source: 'pai' }],
    ['Privacy: none is not anonymous', { from: 'sip:+15550123@c', privacy: 'none' }, { phone: '+15550123', national: '5550123', anonymous: false, source: 'from' }],
    ['trusted anonymous PAI', { from: 'sip:+15550123@c', pai: 'sip:anonymous@c', trustPai: true }, { phone: null, national: null, anonymous: true, source: 'pai' }],
    ['non-number user: not anonymous, no digits', { from: 'sip:alice@c' }, { phone: null, national: null, anonymous: false, source: 'from' }],
  ])('%s', (_name, input, expected) => {
    expect(resolveCallerIdentity({ ...base, ...input })).toEqual(expected);
  });
});

describe('identity helpers', () => {
  it.each([
    ['sip:+1555@h', '+1555'],
    ['<sips:bob@h:5061;transport=tls>', 'bob'],
    ['"Bob" <sip:+1555;npdi@h>', '+1555'],
    ['tel:+15550123;phone-context=x', '+15550123'],
    ['+15550123', '+15550123'],
    ['sip:h.example', ''],
  ])('userOf(%s) = %s', (value, user) => {
    expect(userOf(value)).toBe(user);
  });

  it.each([
    [null, true],
    ['', true],
    ['  ', true],
    ['Anonymous', true],
    ['restricted', true],
    ['+15550123', false],
    ['alice', false],
  ])('isAnonymousUser(%s) = %s', (user, expected) => {
    expect(isAnonymousUser(user)).toBe(expected);
  });

  it.each([
    [null, false],
    ['id', true],
    ['ID', true],
    ['header;id', true],
    ['user, id', true],
    ['none', false],
    ['header', false],
  ])('privacyRequestsId(%s) = %s', (value, expected) => {
    expect(privacyRequestsId(value)).toBe(expected);
  });
});
