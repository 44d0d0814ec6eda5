/**
 * Which configured number a carrier delivered the call to. Carriers write the Request-URI user as
 * E.164 (`+15550100`), E.164 without "+" (`15550100`), with the 00 international prefix, or in
 * national form (`02071838750`); the last is accepted only when exactly one configured number has
 * that national significant number.
 */
import { BoundedMemo } from '../bounded-memo.js';
import type { NumberRoute, TenantDirectory } from '../config/tenant-directory.js';
import { nationalSignificantNumber, normalisePhoneNumber } from '../phone/phone-number.js';


export class DialledNumberIndex {
  private readonly byNational = new Map<string, string[]>();
  /** Parsing numbers is the costly part of admission: each Request-URI user's answer is remembered (carriers send few forms of few numbers). */
  private readonly memo = new BoundedMemo<string, NumberRoute | null>(10_000);

  constructor(private readonly tenants: TenantDirectory) {
    for (const org of tenants.organisations()) {
      for (const { number } of org.numbers) {
        const national = nationalSignificantNumber(number);
        if (national) this.byNational.set(national, [...(this.byNational.get(national) ?? []), number]);
      }
    }
  }

  route(dialledUser: string): NumberRoute | null {
    return this.memo.get(dialledUser, (user) => this.resolve(user));
  }

  private resolve(dialledUser: string): NumberRoute | null {
    const user = dialledUser.trim();
    const exact = normalisePhoneNumber(user);
    const direct = exact ? this.tenants.routeNumber(exact.e164) : null;
    if (direct) return direct;
    const digits = user.replace(/[^0-9]/g, '');
    if (digits === '') return null;
    const international = this.tenants.routeNumber(`+${digits.replace(/^00/, '')}`);
    if (international) return international;
    const national = this.byNational.get(digits.replace(/^0+/, ''));
    return national?.length === 1 && national[0] ? this.tenants.routeNumber(national[0]) : null;
  }
}
