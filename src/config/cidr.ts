/**
 * CIDR parsing and matching for carrier source addresses (IPv4 and IPv6). Uses node:net BlockList,
 * and treats IPv4-mapped IPv6 addresses (`::ffff:127.0.0.1`, seen on dual-stack sockets) as IPv4.
 */
import { BlockList, isIP } from 'node:net';

export interface Cidr {
  address: string;
  prefix: number;
  family: 'ipv4' | 'ipv6';
}

/** Parse `10.0.0.0/8`, `::1/128` or a bare address (full-length prefix). Null when invalid. */
export function parseCidr(value: string): Cidr | null {
  const [address, prefixText, extra] = value.trim().split('/');
  if (address === undefined || extra !== undefined) return null;
  const version = isIP(address);
  if (version === 0) return null;
  const max = version === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return null;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (prefix > max) return null;
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** A set of CIDRs answering "is this source address allowed?". */
export class CidrList {
  private readonly list = new BlockList();

  constructor(cidrs: readonly string[]) {
    for (const text of cidrs) {
      const cidr = parseCidr(text);
      if (!cidr) throw new Error(`invalid CIDR: ${text}`);
      this.list.addSubnet(cidr.address, cidr.prefix, cidr.family);
    }
  }

  contains(address: string): boolean {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    const plain = mapped?.[1] ?? address;
    const version = isIP(plain);
    if (version === 0) return false;
    return this.list.check(plain, version === 4 ? 'ipv4' : 'ipv6');
  }
}
