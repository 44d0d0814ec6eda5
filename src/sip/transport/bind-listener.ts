/**
 * Binding one listen address: a UDP socket or a TCP server, IPv4 or IPv6 (IPv6 sockets are
 * v6-only so `0.0.0.0` and `::` can share a port number).
 */
import { type Socket as UdpSocket, createSocket } from 'node:dgram';
import { type Server, createServer, isIP } from 'node:net';
import type { SipAddress } from '../message/sip-message.js';
import type { ListenSpec } from './transport.js';
import { TransportError } from './transport-error.js';
import type { TransportLogger } from './transport-logger.js';

export type Listener =
  | { transport: 'udp'; local: SipAddress; socket: UdpSocket }
  | { transport: 'tcp'; local: SipAddress; server: Server };

export interface BindOptions {
  udpReceiveBufferSize: number;
  udpSendBufferSize: number;
  logger: TransportLogger;
}

export async function bindListener(spec: ListenSpec, options: BindOptions): Promise<Listener> {
  const family = isIP(spec.address);
  const where: SipAddress = { transport: spec.transport, address: spec.address, port: spec.port };
  if (family === 0) throw new TransportError('TRANSPORT_ERR_LISTEN', where, 'not an IP address literal');
  try {
    return spec.transport === 'udp' ? await bindUdp(spec, family === 6, options) : await bindTcp(spec, family === 6);
  } catch (error) {
    if (error instanceof TransportError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new TransportError('TRANSPORT_ERR_LISTEN', where, code, { cause: error });
  }
}

async function bindUdp(spec: ListenSpec, ipv6: boolean, options: BindOptions): Promise<Listener> {
  const socket = createSocket({ type: ipv6 ? 'udp6' : 'udp4', ipv6Only: ipv6 });
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => {
      try {
        socket.close();
      } catch {
        // never bound: nothing to release
      }
      reject(error);
    };
    socket.once('error', onError);
    socket.bind({ address: spec.address, port: spec.port }, () => {
      socket.off('error', onError);
      resolve();
    });
  });
  // Default socket buffers drop datagrams at high rates; the kernel caps the size at net.core.rmem_max.
  try {
    socket.setRecvBufferSize(options.udpReceiveBufferSize);
    socket.setSendBufferSize(options.udpSendBufferSize);
  } catch (error) {
    options.logger.warn({ err: (error as Error).message }, 'could not enlarge UDP socket buffers');
  }
  const bound = socket.address();
  return { transport: 'udp', socket, local: { transport: 'udp', address: bound.address, port: bound.port } };
}

async function bindTcp(spec: ListenSpec, ipv6: boolean): Promise<Listener> {
  const server = createServer({ noDelay: true });
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => {
      server.close();
      reject(error);
    };
    server.once('error', onError);
    server.listen({ host: spec.address, port: spec.port, ipv6Only: ipv6 }, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const bound = server.address();
  if (bound === null || typeof bound === 'string') throw new Error('TCP server has no address after listen');
  return { transport: 'tcp', server, local: { transport: 'tcp', address: bound.address, port: bound.port } };
}

export function closeListener(listener: Listener): Promise<void> {
  return new Promise<void>((resolve) => {
    if (listener.transport === 'udp') listener.socket.close(() => resolve());
    else listener.server.close(() => resolve());
  });
}

/**
 * 'close' events fire on the tick after a handle starts closing, but libuv releases it in the
 * loop's close phase; two check-phase hops guarantee that phase has run (then nothing of ours is
 * left in process.getActiveResourcesInfo()).
 */
export async function handlesReleased(): Promise<void> {
  for (let i = 0; i < 2; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
