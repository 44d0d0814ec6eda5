/**
 * Which carrier an INVITE's source address belongs to, remembered per address: the configuration
 * does not change while the process runs, carriers send from few addresses, and the CIDR check
 * (node:net BlockList) costs more than the rest of admission.
 */
import type { CarrierConfig } from '../config/config.schema.js';

/** Distinct source addresses remembered (a flood of unknown sources cannot grow it further). */
const MEMO_LIMIT = 10_000;

export class CarrierBySource {
  private readonly memo = new Map<string, CarrierConfig | null>();

  constructor(private readonly lookup: (address: string) => CarrierConfig | null) {}

  carrierFor(address: string): CarrierConfig | null {
    const known = this.memo.get(address);
    if (known !== undefined) return known;
    const carrier = this.lookup(address);
    if (this.memo.size >= MEMO_LIMIT) this.memo.clear();
    this.memo.set(address, carrier);
    return carrier;
  }
}
