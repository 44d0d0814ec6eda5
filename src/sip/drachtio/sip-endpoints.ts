/**
 * The server's own SIP addresses as the drachtio side needs them: the authenticate hostport list
 * (§5.1), Via sent-by and Contact for requests and responses it completes, the "is this address
 * myself?" test (§7.2, compares host and port), and resolution of a target URI to a send address.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { parseUri } from '../message/index.js';
import type { SipAddress, TransportProtocol } from '../message/sip-message.js';

export function formatHost(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}

export function hostPort(address: Pick<SipAddress, 'address' | 'port'>): string {
  return `${formatHost(address.address)}:${address.port}`;
}

export type ResolveResult = { ok: true; target: SipAddress; local: SipAddress } | { ok: false; reason: string };

export class SipEndpoints {
  constructor(
    private readonly listeners: readonly SipAddress[],
    /** Advertised instead of the bound address in hostports (not in Via/Contact). */
    private readonly externalAddress: string | null = null,
  ) {}

  get all(): readonly SipAddress[] {
    return this.listeners;
  }

  /** `udp/127.0.0.1:5060,tcp/127.0.0.1:5060` (§5.1). */
  hostports(): { hostports: string; localHostports: string } {
    const list = (external: boolean) =>
      this.listeners
        .map((l) => `${l.transport}/${hostPort({ address: external && this.externalAddress ? this.externalAddress : l.address, port: l.port })}`)
        .join(',');
    return { hostports: list(true), localHostports: list(false) };
  }

  /** The listener for a transport, preferring the address family of `towards`. */
  pick(transport: TransportProtocol, towards?: string): SipAddress | null {
    const family = towards ? isIP(towards) : 0;
    const candidates = this.listeners.filter((l) => l.transport === transport);
    return candidates.find((l) => family === 0 || isIP(l.address) === family) ?? candidates[0] ?? null;
  }

  /** `<sip:host:port>` with `;transport=tcp` for TCP (§7.2: no transport param for UDP). */
  contact(local: SipAddress): string {
    return `<sip:${hostPort(local)}${local.transport === 'tcp' ? ';transport=tcp' : ''}>`;
  }

  via(local: SipAddress, branch: string): string {
    return `SIP/2.0/${local.transport.toUpperCase()} ${hostPort(local)};rport;branch=${branch}`;
  }

  /** Whether host:port is one of our listeners (wildcard binds match any local address). */
  isSelf(host: string, port: number): boolean {
    return this.listeners.some(
      (l) => l.port === port && (l.address === host || ((l.address === '0.0.0.0' || l.address === '::') && isLoopbackOrAny(host))),
    );
  }

  /**
   * Where to send a request for `uriText` (RFC 3263 reduced to what a loopback/LAN server needs:
   * `transport` param, explicit port or 5060, A/AAAA lookup for names).
   */
  async resolve(uriText: string): Promise<ResolveResult> {
    let uri;
    try {
      uri = parseUri(uriText.trim().replace(/^<(.*)>$/, '$1'));
    } catch {
      return { ok: false, reason: `invalid request-uri: ${uriText}` };
    }
    if (uri.scheme !== 'sip') {
      return uri.scheme === 'sips'
        ? { ok: false, reason: 'requested protocol/transport not available' }
        : { ok: false, reason: `invalid request-uri: ${uriText}` };
    }
    const param = (uri.params.transport ?? 'udp')?.toLowerCase();
    if (param !== 'udp' && param !== 'tcp') return { ok: false, reason: 'requested protocol/transport not available' };
    const transport: TransportProtocol = param;
    const host = uri.params.maddr ?? uri.host;
    let address = host;
    if (isIP(host) === 0) {
      try {
        address = (await lookup(host)).address;
      } catch {
        return { ok: false, reason: `invalid request-uri: ${uriText}` };
      }
    }
    const port = uri.port ?? 5060;
    const local = this.pick(transport, address);
    if (!local) return { ok: false, reason: 'requested protocol/transport not available' };
    return { ok: true, target: { transport, address, port }, local };
  }
}

function isLoopbackOrAny(host: string): boolean {
  return host === '127.0.0.1' || host === '::1' || host === 'localhost' || host === '0.0.0.0' || host === '::';
}
