import { describe, expect, it } from 'vitest';
import { TenantDirectory } from '../../src/config/tenant-directory.js';
import { DialledNumberIndex } from '../../src/calls/dialled-number.js';
import { admitInbound, type AdmissionDirectory } from '../../src/calls/inbound-admission.js';
import { RateLimiter } from '../../src/calls/rate-limiter.js';
import { callsConfig } from './helpers/calls-config.js';

const tenants = new TenantDirectory(callsConfig());
const numbers = new DialledNumberIndex(tenants);
const directory: AdmissionDirectory = {
  carrierForSource: (address) => tenants.carrierForSource(address),
  route: (user) => numbers.route(user),
};

describe('admitInbound', () => {
  const rows: {
    name: string;
    source: string;
    user: string;
    live?: number;
    rateOk?: boolean;
    want: { status?: number; org?: string; agent?: string; number?: string; retryAfter?: number | null };
  }[] = [
    { name: 'allowed carrier, E.164 number', source: '127.0.0.1', user: '+15550100', want: { org: 'acme', agent: 'agent-1', number: '+15550100' } },
    { name: 'E.164 without plus', source: '127.0.0.1', user: '15550100', want: { org: 'acme', number: '+15550100' } },
    { name: 'international 00 prefix', source: '127.0.0.1', user: '00442071838750', want: { org: 'acme', number: '+442071838750' } },
    { name: 'national form of a unique number', source: '127.0.0.1', user: '02071838750', want: { org: 'acme', number: '+442071838750' } },
    { name: 'IPv6 loopback carrier', source: '::1', user: '+15550200', want: { org: 'globex', agent: 'g-agent' } },
    { name: 'IPv4-mapped IPv6 source', source: '::ffff:127.0.0.1', user: '+15550100', want: { org: 'acme' } },
    { name: 'second carrier by CIDR', source: '192.0.2.77', user: '+15550100', want: { org: 'acme' } },
    { name: 'unknown source → 403', source: '198.51.100.1', user: '+15550100', want: { status: 403, retryAfter: null } },
    { name: 'unknown source wins over unknown number', source: '10.0.0.1', user: '+19999999999', want: { status: 403 } },
    { name: 'unknown number → 404', source: '127.0.0.1', user: '+15550999', want: { status: 404, retryAfter: null } },
    { name: 'non-numeric user → 404', source: '127.0.0.1', user: 'sales', want: { status: 404 } },
    { name: 'empty user → 404', source: '127.0.0.1', user: '', want: { status: 404 } },
    { name: 'at capacity → 503 + Retry-After', source: '127.0.0.1', user: '+15550100', live: 50, want: { status: 503, retryAfter: 7 } },
    { name: 'just under capacity', source: '127.0.0.1', user: '+15550100', live: 49, want: { org: 'acme' } },
    { name: 'carrier over its rate → 503', source: '127.0.0.1', user: '+15550100', rateOk: false, want: { status: 503, retryAfter: 1 } },
  ];
  it.each(rows)('$name', (row) => {
    const result = admitInbound({ sourceAddress: row.source, dialledUser: row.user }, directory, {
      liveCalls: row.live ?? 0,
      maxConcurrentCalls: 50,
      retryAfterSeconds: 7,
      takeCarrierToken: () => row.rateOk ?? true,
    });
    if (row.want.status) {
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.status).toBe(row.want.status);
        if (row.want.retryAfter !== undefined) expect(result.retryAfterSeconds).toBe(row.want.retryAfter);
      }
      return;
    }
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    if (row.want.org) expect(result.route.organisation.id).toBe(row.want.org);
    if (row.want.agent) expect(result.route.agent.id).toBe(row.want.agent);
    if (row.want.number) expect(result.route.number).toBe(row.want.number);
  });

  it('does not spend a rate token on a refused call', () => {
    let taken = 0;
    admitInbound({ sourceAddress: '127.0.0.1', dialledUser: '+1999' }, directory, {
      liveCalls: 0,
      maxConcurrentCalls: 5,
      retryAfterSeconds: 1,
      takeCarrierToken: () => (taken++, true),
    });
    expect(taken).toBe(0);
  });
});

describe('RateLimiter', () => {
  it('allows a burst of maxPerSecond then refills with time', () => {
    let now = 1000;
    const limiter = new RateLimiter(() => now);
    expect([1, 2, 3].map(() => limiter.tryTake('c', 2))).toEqual([true, true, false]);
    now += 500;
    expect(limiter.tryTake('c', 2)).toBe(true);
    expect(limiter.tryTake('c', 2)).toBe(false);
    expect(limiter.tryTake('other', 2)).toBe(true);
  });
  it('paces reservations and refuses waits beyond the bound', () => {
    const now = 0;
    const limiter = new RateLimiter(() => now);
    expect(limiter.reserve('t', 1, 2000)).toBe(0);
    expect(limiter.reserve('t', 1, 2000)).toBe(1000);
    expect(limiter.reserve('t', 1, 2000)).toBe(2000);
    expect(limiter.reserve('t', 1, 2000)).toBeNull();
  });
});
