/**
 * Parsers for the address arguments of `talkbridge sip-server` (operators script against them):
 *   --sip udp:127.0.0.1:5060   --sip tcp:[::1]:5060   --control 127.0.0.1:9022
 */
import { isIP } from 'node:net';

export interface SipListenArg {
  transport: 'udp' | 'tcp';
  address: string;
  port: number;
}

export interface HostPort {
  address: string;
  port: number;
}

export class CliArgumentError extends Error {
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(`${option}: ${message}`);
    this.name = 'CliArgumentError';
  }
}

function parsePort(option: string, text: string): number {
  if (!/^\d{1,5}$/.test(text)) throw new CliArgumentError(option, `port "${text}" is not a number`);
  const port = Number(text);
  if (port > 65535) throw new CliArgumentError(option, `port ${port} is out of range (0-65535)`);
  return port;
}

/** `host:port` or `[ipv6]:port`; the host must be an IP literal (the server binds it). */
export function parseHostPort(option: string, text: string): HostPort {
  let host: string;
  let portText: string;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0 || text[close + 1] !== ':') {
      throw new CliArgumentError(option, `"${text}" must look like [ipv6]:port`);
    }
    host = text.slice(1, close);
    portText = text.slice(close + 2);
    if (isIP(host) !== 6) throw new CliArgumentError(option, `"${host}" is not an IPv6 address`);
  } else {
    const colon = text.lastIndexOf(':');
    if (colon < 0) throw new CliArgumentError(option, `"${text}" must look like address:port`);
    host = text.slice(0, colon);
    portText = text.slice(colon + 1);
    if (isIP(host) !== 4) {
      const hint = host.includes(':') ? ' (write IPv6 addresses in brackets: [::1]:5060)' : '';
      throw new CliArgumentError(option, `"${host}" is not an IPv4 address${hint}`);
    }
  }
  return { address: host, port: parsePort(option, portText) };
}

/** `udp:127.0.0.1:5060` or `tcp:[::1]:5060`. */
export function parseSipListen(text: string): SipListenArg {
  const colon = text.indexOf(':');
  const transport = colon < 0 ? '' : text.slice(0, colon).toLowerCase();
  if (transport !== 'udp' && transport !== 'tcp') {
    throw new CliArgumentError('--sip', `"${text}" must start with udp: or tcp:`);
  }
  return { transport, ...parseHostPort('--sip', text.slice(colon + 1)) };
}
