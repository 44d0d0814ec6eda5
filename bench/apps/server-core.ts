/**
 * The embedded SIP server as the benches run it: UDP on loopback, the drachtio control listener,
 * and a logger that discards debug/info but counts warnings and errors (and keeps the first few),
 * so that a bench can tell when the engine complained under load.
 */
import { createEmbeddedSipServer, type EmbeddedSipServer } from '../../src/sip/server/embedded-sip-server.js';
import type { SipLogger } from '../../src/sip/drachtio/sip-logger.js';
import { createSipServerThread } from '../../src/sip/server/sip-server-thread.js';

export interface ServerCoreOptions {
  sipPort: number;
  controlPort: number;
  secret: string;
  /**
   * `thread`: the server in a worker thread of this process, as `sip.server.thread: worker` runs
   * it (src/sip/server/sip-server-thread.ts); default on this thread.
   */
  placement?: 'thread' | 'main';
}

export interface ServerCore {
  server: EmbeddedSipServer;
  sipPort: number;
  controlPort: number;
  /** Server stats plus warning/error counts and samples. */
  stats(): Record<string, unknown>;
}

export async function startServerCore(options: ServerCoreOptions): Promise<ServerCore> {
  const counts = { warn: 0, error: 0 };
  const samples: string[] = [];
  const note = (level: 'warn' | 'error') => (obj: object, msg?: string) => {
    counts[level]++;
    if (samples.length < 8) samples.push(`${level}: ${msg ?? ''} ${safeJson(obj)}`.slice(0, 600));
  };
  const noop = (): void => {};
  const logger: SipLogger = { debug: noop, info: noop, warn: note('warn'), error: note('error') };
  const sip = [{ transport: 'udp' as const, address: '127.0.0.1', port: options.sipPort }];
  const control = { host: '127.0.0.1', port: options.controlPort, secret: options.secret };
  const server =
    options.placement === 'thread'
      ? createSipServerThread({ sip, control, logger, logLevel: 'warn' })
      : createEmbeddedSipServer({ sip, control, logger });
  await server.start();
  const addresses = server.addresses();
  return {
    server,
    sipPort: addresses.sip[0]!.port,
    controlPort: addresses.control.port,
    stats: () => ({ ...server.stats(), warnings: counts.warn, errors: counts.error, samples: [...samples] }),
  };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v: unknown) => (v instanceof Error ? { message: v.message } : typeof v === 'bigint' ? String(v) : v));
  } catch {
    return String(value);
  }
}
