import { describe, expect, it } from 'vitest';
import { BoundedMemo } from '../src/bounded-memo.js';

describe('BoundedMemo', () => {
  it('computes once per key, remembering null answers too', () => {
    const asked: string[] = [];
    const memo = new BoundedMemo<string, string | null>(10);
    const carrierFor = (address: string): string | null =>
      memo.get(address, (a) => {
        asked.push(a);
        return a === '127.0.0.1' ? 'carrier-a' : null;
      });
    expect(carrierFor('127.0.0.1')).toBe('carrier-a');
    expect(carrierFor('127.0.0.1')).toBe('carrier-a');
    expect(carrierFor('198.51.100.7')).toBeNull();
    expect(carrierFor('198.51.100.7')).toBeNull();
    expect(asked).toEqual(['127.0.0.1', '198.51.100.7']);
  });

  it('starts afresh once it holds its limit of keys', () => {
    const asked: number[] = [];
    const memo = new BoundedMemo<number, number>(2);
    const square = (n: number): number => memo.get(n, (k) => (asked.push(k), k * k));
    expect([square(1), square(2), square(3), square(1)]).toEqual([1, 4, 9, 1]);
    expect(asked).toEqual([1, 2, 3, 1]);
  });
});
