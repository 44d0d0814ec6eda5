import { describe, expect, it } from 'vitest';
import { isE164, nationalSignificantNumber, normalisePhoneNumber, regionOf } from '../../src/phone/phone-number.js';

describe('normalisePhoneNumber', () => {
  it.each([
    ['E.164 stays', '+12125550100', 'US', '+12125550100', '2125550100'],
    ['national US with dialled US region', '2125550100', 'US', '+12125550100', '2125550100'],
    ['formatted national', '(212) 555-0100', 'US', '+12125550100', '2125550100'],
    ['US with trunk prefix 1', '12125550100', 'US', '+12125550100', '2125550100'],
    ['fictional 555 demo number', '+15550123', 'US', '+15550123', '5550123'],
    ['UK national with trunk 0', '020 7183 8750', 'GB', '+442071838750', '2071838750'],
    ['00 international prefix', '0044 20 7183 8750', 'US', '+442071838750', '2071838750'],
    ['011 international prefix in US', '011 44 20 7183 8750', 'US', '+442071838750', '2071838750'],
    ['percent-encoded plus from a SIP user', '%2B442071838750', 'US', '+442071838750', '2071838750'],
    ['German mobile', '+49 151 12345678', 'DE', '+4915112345678', '15112345678'],
    ['no region, E.164 input', '+442071838750', null, '+442071838750', '2071838750'],
  ])('%s: %s (%s)', (_name, input, region, e164, national) => {
    expect(normalisePhoneNumber(input, region)).toEqual({ e164, national });
  });

  it.each([
    ['empty', '', 'US'],
    ['letters', 'anonymous', 'US'],
    ['too short', '123', 'US'],
    ['national without region', '2125550100', null],
    ['SIP-ish garbage', 'bob@example.com', 'US'],
  ])('rejects %s', (_name, input, region) => {
    expect(normalisePhoneNumber(input, region)).toBeNull();
  });
});

describe('isE164 / regionOf / nationalSignificantNumber', () => {
  it.each([
    ['+15550100', true],
    ['+442071838750', true],
    ['15550100', false],
    ['+1 555 0100', false],
    ['+0123456789', false],
    ['+1555', false],
  ])('isE164(%s) = %s', (value, expected) => {
    expect(isE164(value)).toBe(expected);
  });

  it('reads region and national significant number', () => {
    expect(regionOf('+15550100')).toBe('US');
    expect(regionOf('+442071838750')).toBe('GB');
    expect(nationalSignificantNumber('+442071838750')).toBe('2071838750');
    expect(nationalSignificantNumber('nope')).toBeNull();
  });
});
