/**
 * The embedded SIP server in a process of its own (the production placement next to the
 * `talkbridge sip-server` CLI, with an IPC channel for the bench: stats, gc, stop).
 *
 *   node --expose-gc --import tsx bench/apps/sip-server-host.ts --sip-port 0 --control-port 0 --secret s
 */
import { writeHeapSnapshot } from 'node:v8';
import { argValue, fullGc, memory, notify, serveIpc } from './ipc.js';
import { startServerCore } from './server-core.js';

const core = await startServerCore({
  sipPort: Number(argValue('sip-port', '0')),
  controlPort: Number(argValue('control-port', '0')),
  secret: argValue('secret'),
});

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await core.server.close().catch(() => undefined);
  process.exit(0);
}

serveIpc(
  {
    stats: () => ({ stats: core.stats(), memory: memory() }),
    /** Diagnostics: a V8 heap snapshot of this process (main thread) written to `path`. */
    snapshot: async (m) => {
      await fullGc();
      return { path: writeHeapSnapshot(String(m.path)) };
    },
    gc: async () => {
      await fullGc();
      return { memory: memory() };
    },
    stop: () => {
      setImmediate(() => void stop());
      return {};
    },
  },
  () => void stop(),
);
process.on('SIGTERM', () => void stop());
notify({ type: 'ready', sipPort: core.sipPort, controlPort: core.controlPort });
