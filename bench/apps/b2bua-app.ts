/**
 * A minimal drachtio-srf B2BUA, as a production application would be: every INVITE is bridged
 * with `srf.createB2BUA` to the target URI; when one leg ends, the other is hung up.
 *
 *   node --expose-gc --import tsx bench/apps/b2bua-app.ts --target sip:callee@127.0.0.1:5090 \
 *        --server external --control-port 9022 --secret s        (server in its own process)
 *        --server inproc   --sip-port 0 --secret s               (server in this process)
 *        --server worker   --sip-port 0 --secret s               (server in a worker thread, src/sip/server/sip-server-thread.ts)
 *
 * IPC (bench/lib/children.ts): `ready {sipPort, controlPort}` once connected; requests `stats`,
 * `gc`, `hangup {perSecond}` (ends every established call, both legs, at a bounded rate), `stop`.
 */
import Srf from 'drachtio-srf';
import { writeHeapSnapshot } from 'node:v8';
import { argValue, eventLoopDelay, fullGc, memory, notify, serveIpc } from './ipc.js';
import { startServerCore, type ServerCore } from './server-core.js';

type Placement = 'external' | 'inproc' | 'worker';
interface Leg {
  on(event: 'destroy', listener: () => void): void;
  destroy(): Promise<void>;
}
interface Call {
  uas: Leg;
  uac: Leg;
}

const placement = argValue('server', 'external') as Placement;
const secret = argValue('secret');
const target = argValue('target');

/** The engine, wherever it runs (external: another process, which answers its own requests). */
interface Engine {
  controlPort: number;
  sipPort: number | null;
  stats(): Record<string, unknown> | null;
  close(): Promise<void>;
}

async function startEngine(): Promise<Engine> {
  if (placement === 'external') {
    return { controlPort: Number(argValue('control-port')), sipPort: null, stats: () => null, close: async () => {} };
  }
  const sipPort = Number(argValue('sip-port', '0'));
  // worker: the server in a thread of this process, as `sip.server.thread: worker` runs it.
  const core: ServerCore = await startServerCore({ sipPort, controlPort: 0, secret, placement: placement === 'worker' ? 'thread' : 'main' });
  return {
    controlPort: core.controlPort,
    sipPort: core.sipPort,
    stats: () => core.stats(),
    close: () => core.server.close(),
  };
}

const engine = await startEngine();
const calls = new Set<Call>();
const counters = { invites: 0, connected: 0, failed: 0, ended: 0, failures: {} as Record<string, number> };

const srf = new Srf();
srf.invite((req, res) => {
  counters.invites++;
  srf.createB2BUA(req, res, target, { localSdpB: req.body }).then(
    ({ uas, uac }) => {
      counters.connected++;
      const call: Call = { uas: uas as unknown as Leg, uac: uac as unknown as Leg };
      calls.add(call);
      let over = false;
      const end = (other: Leg) => (): void => {
        if (over) return;
        over = true;
        calls.delete(call);
        counters.ended++;
        other.destroy().catch(() => undefined);
      };
      call.uas.on('destroy', end(call.uac));
      call.uac.on('destroy', end(call.uas));
    },
    (error: { status?: number; message?: string }) => {
      counters.failed++;
      const key = String(error.status ?? error.message ?? 'error');
      counters.failures[key] = (counters.failures[key] ?? 0) + 1;
    },
  );
});
srf.on('error', () => undefined);
srf.connect({ host: '127.0.0.1', port: engine.controlPort, secret });
await new Promise<void>((resolve, reject) => {
  srf.once('connect', (err: Error | null) => (err ? reject(err) : resolve()));
});

/** Ends every established call, `perSecond` at most, both legs (the caller's leg first). */
async function hangupAll(perSecond: number): Promise<number> {
  const batch = Math.max(1, Math.round(perSecond / 20));
  let n = 0;
  for (const call of [...calls]) {
    if (!calls.has(call)) continue;
    calls.delete(call);
    counters.ended++;
    call.uas.destroy().catch(() => undefined);
    call.uac.destroy().catch(() => undefined);
    if (++n % batch === 0) await new Promise<void>((resolve) => setTimeout(resolve, 50));
  }
  return n;
}

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  try {
    srf.disconnect();
  } catch {
    // already gone
  }
  await engine.close().catch(() => undefined);
  process.exit(0);
}

serveIpc(
  {
    stats: async () => ({ app: { ...counters, live: calls.size, loop: eventLoopDelay() }, engine: engine.stats(), memory: memory() }),
    /** Diagnostics: a V8 heap snapshot of this process (main thread) written to `path`. */
    snapshot: async (m) => {
      await fullGc();
      return { path: writeHeapSnapshot(String(m.path)) };
    },
    /** Full GC of this thread; a worker-thread server's heap is not collected (memory bench: separate processes). */
    gc: async () => {
      await fullGc();
      return { memory: memory() };
    },
    hangup: async (m) => ({ hungUp: await hangupAll(Number(m.perSecond ?? 2000)) }),
    stop: () => {
      setImmediate(() => void stop());
      return {};
    },
  },
  () => void stop(),
);
process.on('SIGTERM', () => void stop());
notify({ type: 'ready', sipPort: engine.sipPort, controlPort: engine.controlPort });
