/**
 * Listen specs as the CLI writes them: `udp:127.0.0.1:5060`, `tcp:[::1]:5060`, `udp:0.0.0.0:0`.
 */
import { isIP } from 'node:net';
import type { ListenSpec } from '../transport/transport.js';

const SPEC = /^(udp|tcp):(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/i;

export function parseListenSpec(text: string): ListenSpec {
  const match = SPEC.exec(text.trim());
  if (match === null) throw new Error(`invalid listen spec "${text}": expected udp|tcp:<ip>:<port>, IPv6 in brackets`);
  const transport = (match[1] ?? '').toLowerCase() as ListenSpec['transport'];
  const address = match[2] ?? match[3] ?? '';
  const port = Number(match[4]);
  if (isIP(address) === 0) throw new Error(`invalid listen spec "${text}": "${address}" is not an IP address`);
  if (port > 65535) throw new Error(`invalid listen spec "${text}": port out of range`);
  return { transport, address, port };
}
