/**
 * Free loopback ports and "is something bound to this UDP port yet" (read from the kernel's socket
 * table, so it does not race with the child's own bind).
 */
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';

/** A port the OS reports free for `transport` on 127.0.0.1 (bound to 0, then released). */
export async function freePort(transport: 'udp' | 'tcp'): Promise<number> {
  if (transport === 'udp') {
    const socket = createSocket('udp4');
    socket.bind(0, '127.0.0.1');
    await once(socket, 'listening');
    const { port } = socket.address();
    socket.close();
    await once(socket, 'close');
    return port;
  }
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const bound = server.address();
  server.close();
  await once(server, 'close');
  if (bound === null || typeof bound === 'string') throw new Error('could not read the free TCP port');
  return bound.port;
}

/** True when a UDP socket is bound to `port` (any address). */
export async function udpPortBound(port: number): Promise<boolean> {
  const hex = ':' + port.toString(16).toUpperCase().padStart(4, '0');
  const tables = await Promise.all(['/proc/net/udp', '/proc/net/udp6'].map((f) => readFile(f, 'utf8').catch(() => '')));
  return tables.some((table) => table.split('\n').some((line) => line.trim().split(/\s+/)[1]?.endsWith(hex)));
}

/** Waits until a UDP socket is bound to `port`, or throws after `timeoutMs` (or when `abort` settles first). */
export async function waitUdpBound(port: number, timeoutMs: number, abort?: Promise<unknown>): Promise<void> {
  let aborted: unknown = null;
  void abort?.then(
    (v) => (aborted = `exited ${JSON.stringify(v ?? null)}`),
    (e: unknown) => (aborted = e ?? 'failed'),
  );
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await udpPortBound(port)) return;
    if (aborted !== null) throw new Error(`gave up waiting for udp port ${port}: ${aborted instanceof Error ? aborted.message : typeof aborted === 'string' ? aborted : JSON.stringify(aborted)}`);
    if (Date.now() > deadline) throw new Error(`nothing bound udp port ${port} within ${timeoutMs} ms`);
    await sleep(20);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
