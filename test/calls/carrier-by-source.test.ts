import { describe, expect, it } from 'vitest';
import { CarrierBySource } from '../../src/calls/carrier-by-source.js';
import type { CarrierConfig } from '../../src/config/config.schema.js';

describe('CarrierBySource', () => {
  it('asks the directory once per source address, remembering unknown sources too', () => {
    const carrier = { id: 'carrier-a' } as CarrierConfig;
    const asked: string[] = [];
    const carriers = new CarrierBySource((address) => {
      asked.push(address);
      return address === '127.0.0.1' ? carrier : null;
    });
    expect(carriers.carrierFor('127.0.0.1')).toBe(carrier);
    expect(carriers.carrierFor('127.0.0.1')).toBe(carrier);
    expect(carriers.carrierFor('198.51.100.7')).toBeNull();
    expect(carriers.carrierFor('198.51.100.7')).toBeNull();
    expect(asked).toEqual(['127.0.0.1', '198.51.100.7']);
  });
});
