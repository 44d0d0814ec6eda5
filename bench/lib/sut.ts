/**
 * Systems under test for the SIP benches, each started on loopback with free ports and stopped by
 * `close()` (children are also killed if the bench dies):
 * - `separate`: the embedded server in its own process + the drachtio-srf B2BUA app in another
 *   (production placement, as with `talkbridge sip-server`);
 * - `inproc`: server and app in one Node process;
 * - `worker`: the app on the main thread, the server in a worker thread of the same process;
 * - `kamailio`: the baseline proxy.
 */
import { type NodeChild, spawnNodeApp } from './children.js';
import { startKamailio } from './kamailio.js';
import { freePort } from './ports.js';

export type Placement = 'separate' | 'inproc' | 'worker';

export interface SutProcess {
  role: 'server' | 'app' | 'server+app' | 'proxy';
  pid: number;
}

export interface SystemUnderTest {
  name: string;
  sipPort: number;
  processes: SutProcess[];
  /** Full GC of every Node process's main thread (no-op for Kamailio); `process.memoryUsage()` afterwards by role, bytes. */
  gc(): Promise<Record<string, MemoryFigures>>;
  /** Server and app counters (dialogs, transactions, warnings, app call counts). */
  stats(): Promise<{ server: Record<string, unknown> | null; app: Record<string, unknown> | null }>;
  /** Application ends every established call (B2BUA only). */
  hangup(perSecond: number): Promise<number>;
  /** Diagnostics: an IPC request to the Node process of `role` (e.g. `snapshot {path}`). */
  request(role: SutProcess['role'], type: string, payload?: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** Exited unexpectedly? (message) */
  crashed(): string | null;
  close(): Promise<void>;
}

const SECRET = 'bench-secret';

export interface MemoryFigures {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

interface GcReply {
  memory: MemoryFigures;
}

/** The drachtio-srf application a system under test runs, with its own arguments besides the server's. */
export interface BenchApp {
  name: string;
  /** Under bench/apps; it takes `--server inproc|worker|external`, `--sip-port`, `--control-port`, `--secret`. */
  script: string;
  /** Its arguments for a callee at `target`. */
  args(target: string): string[];
}

/** bench/apps/b2bua-app.ts: a bare `createB2BUA` to the callee. */
export const B2BUA_APP: BenchApp = { name: 'b2bua-app', script: 'b2bua-app.ts', args: (target) => ['--target', target] };

export async function startB2bua(placement: Placement, uasPort: number, nodeArgs: string[] = [], benchApp: BenchApp = B2BUA_APP): Promise<SystemUnderTest> {
  const target = `sip:callee@127.0.0.1:${uasPort}`;
  const children: NodeChild[] = [];
  const crashes: string[] = [];
  const watch = (child: NodeChild): void => {
    void child.exited.then(({ code, signal }) => {
      if (!closing) crashes.push(`${child.name} exited (code ${code}, signal ${signal})\n${child.output()}`);
    });
  };
  let closing = false;
  const close = async (): Promise<void> => {
    closing = true;
    // The app first (it disconnects from the server), then the server.
    for (const child of [...children].reverse()) {
      await child.rpc('stop', {}, 3000).catch(() => undefined);
      await child.stop(3000);
    }
  };
  try {
    if (placement === 'separate') {
      const server = spawnNodeApp('sip-server', 'sip-server-host.ts', ['--sip-port', '0', '--control-port', '0', '--secret', SECRET], nodeArgs);
      children.push(server);
      watch(server);
      const ready = await server.waitFor<{ sipPort: number; controlPort: number }>('ready', 30_000);
      const app = spawnNodeApp(benchApp.name, benchApp.script, ['--server', 'external', '--control-port', String(ready.controlPort), '--secret', SECRET, ...benchApp.args(target)], nodeArgs);
      children.push(app);
      watch(app);
      await app.waitFor('ready', 30_000);
      return {
        name: placement,
        sipPort: ready.sipPort,
        processes: [
          { role: 'server', pid: server.pid },
          { role: 'app', pid: app.pid },
        ],
        gc: async () => {
          const [s, a] = await Promise.all([server.rpc<GcReply>('gc'), app.rpc<GcReply>('gc')]);
          return { server: s.memory, app: a.memory };
        },
        stats: async () => {
          const [s, a] = await Promise.all([server.rpc<{ stats: Record<string, unknown> }>('stats'), app.rpc<{ app: Record<string, unknown> }>('stats')]);
          return { server: s.stats, app: a.app };
        },
        hangup: async (perSecond) => (await app.rpc<{ hungUp: number }>('hangup', { perSecond }, 600_000)).hungUp,
        request: (role, type, payload) => (role === 'server' ? server : app).rpc(type, payload, 120_000),
        crashed: () => crashes[0] ?? null,
        close,
      };
    }
    const app = spawnNodeApp(benchApp.name, benchApp.script, ['--server', placement, '--sip-port', '0', '--secret', SECRET, ...benchApp.args(target)], nodeArgs);
    children.push(app);
    watch(app);
    const ready = await app.waitFor<{ sipPort: number }>('ready', 30_000);
    return {
      name: placement,
      sipPort: ready.sipPort,
      processes: [{ role: 'server+app', pid: app.pid }],
      gc: async () => ({ 'server+app': (await app.rpc<GcReply>('gc')).memory }),
      stats: async () => {
        const a = await app.rpc<{ app: Record<string, unknown>; engine: Record<string, unknown> | null }>('stats');
        return { server: a.engine, app: a.app };
      },
      hangup: async (perSecond) => (await app.rpc<{ hungUp: number }>('hangup', { perSecond }, 600_000)).hungUp,
      request: (_role, type, payload) => app.rpc(type, payload, 120_000),
      crashed: () => crashes[0] ?? null,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

export async function startKamailioSut(uasPort: number, children: number): Promise<SystemUnderTest> {
  const port = await freePort('udp');
  const kamailio = await startKamailio({ port, uasPort, children });
  let closing = false;
  let crash: string | null = null;
  void kamailio.exited.then(({ code, signal }) => {
    if (!closing) crash = `kamailio exited (code ${code}, signal ${signal})\n${kamailio.output()}`;
  });
  return {
    name: `kamailio-${children}w`,
    sipPort: port,
    processes: [{ role: 'proxy', pid: kamailio.pid }],
    gc: async () => ({}),
    stats: async () => ({ server: null, app: null }),
    hangup: async () => 0,
    request: async () => {
      throw new Error('kamailio takes no requests');
    },
    crashed: () => crash,
    close: async () => {
      closing = true;
      await kamailio.dispose();
    },
  };
}
