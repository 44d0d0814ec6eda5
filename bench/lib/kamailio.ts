/**
 * Kamailio (Debian package) as the baseline: bench/kamailio/proxy.cfg in the foreground on a
 * loopback UDP port, `children` workers, 1 GiB shared memory (less runs out under load).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Child, spawnChild } from './children.js';
import { waitUdpBound } from './ports.js';

export const KAMAILIO_BINARY = process.env.KAMAILIO ?? '/usr/sbin/kamailio';
const CFG = fileURLToPath(new URL('../kamailio/proxy.cfg', import.meta.url));

export interface KamailioOptions {
  port: number;
  uasPort: number;
  children: number;
  shmMiB?: number;
}

export async function startKamailio(options: KamailioOptions): Promise<Child & { dispose(): Promise<void> }> {
  const runDir = await mkdtemp(join(tmpdir(), 'talkbridge-bench-kamailio-'));
  const child = spawnChild('kamailio', KAMAILIO_BINARY, [
    '-f', CFG,
    '-l', `udp:127.0.0.1:${options.port}`,
    '-n', String(options.children),
    '-m', String(options.shmMiB ?? 1024),
    '-Y', runDir,
    '-A', `UAS_URI="sip:127.0.0.1:${options.uasPort}"`,
    '-DD', '-E',
  ]);
  const dispose = async (): Promise<void> => {
    await child.stop(3000);
    await rm(runDir, { recursive: true, force: true });
  };
  try {
    await waitUdpBound(options.port, 10_000, child.exited);
  } catch (error) {
    await dispose();
    throw new Error(`kamailio did not start: ${(error as Error).message}\n${child.output()}`);
  }
  return Object.assign(child, { dispose });
}
