/**
 * The child side of the bench IPC protocol (see bench/lib/children.ts): requests `{id, type, …}`
 * answered with `{id, …}` (or `{id, error}`), and unsolicited messages such as `{type: 'ready'}`.
 * A child whose parent goes away exits (IPC `disconnect`), so a crashed bench leaves nothing behind.
 */
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';

export type Handler = (message: Record<string, unknown>) => unknown;

export function serveIpc(handlers: Record<string, Handler>, onDisconnect: () => void): void {
  if (!process.send) throw new Error('bench apps run with an IPC channel (spawned by bench/lib/children.ts)');
  process.on('message', (raw) => {
    const message = raw as Record<string, unknown>;
    const id = message.id;
    const handler = handlers[String(message.type)];
    Promise.resolve()
      .then(() => {
        if (!handler) throw new Error(`unknown request ${String(message.type)}`);
        return handler(message);
      })
      .then(
        (reply) => process.send?.({ ...(reply as object | undefined), id }),
        (error: unknown) => process.send?.({ id, error: error instanceof Error ? error.message : String(error) }),
      );
  });
  process.on('disconnect', onDisconnect);
}

export function notify(message: Record<string, unknown>): void {
  process.send?.(message);
}

/** Full GC (the processes run with --expose-gc), twice so that weak callbacks and finalizers settle. */
export async function fullGc(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return;
  gc();
  await new Promise<void>((resolve) => setImmediate(resolve));
  gc();
}

export function memory(): Record<string, number> {
  const m = process.memoryUsage();
  const spaces: Record<string, number> = {};
  // Committed size per V8 space (new_space, old_space, code_space, …): where RSS beyond live data sits.
  for (const s of getHeapSpaceStatistics()) spaces[`committed_${s.space_name}`] = s.physical_space_size;
  return { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers, ...spaces };
}

/** `--name value` arguments. */
export function argValue(name: string, fallback?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? process.argv[i + 1] : undefined;
  if (value === undefined) {
    if (fallback !== undefined) return fallback;
    throw new Error(`missing --${name}`);
  }
  return value;
}

export const hasFlag = (name: string): boolean => process.argv.includes(`--${name}`);

const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
let gcMaxMs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMaxMs = Math.max(gcMaxMs, entry.duration);
}).observe({ entryTypes: ['gc'] });

/**
 * Event-loop delay since the previous call (ms), and the longest GC pause: a stall of the process
 * (GC, a long synchronous step) shows here before it shows as SIP retransmissions and failed calls.
 */
export function eventLoopDelay(): { p99Ms: number; maxMs: number; gcMaxMs: number } {
  const figures = { p99Ms: loopDelay.percentile(99) / 1e6, maxMs: loopDelay.max / 1e6, gcMaxMs };
  loopDelay.reset();
  gcMaxMs = 0;
  return figures;
}
