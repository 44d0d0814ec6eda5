/**
 * The embedded SIP server in a worker thread of the application process (placement "worker").
 * Talks to the main thread over `parentPort` with the same request/reply shape as the IPC channel.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { fullGc, memory } from './ipc.js';
import { startServerCore } from './server-core.js';

const port = parentPort;
if (!port) throw new Error('server-worker runs as a worker thread');
const data = workerData as { sipPort: number; controlPort: number; secret: string };
const core = await startServerCore(data);

port.on('message', (message: { id: number; type: string }) => {
  const reply = (body: Record<string, unknown>): void => port.postMessage({ ...body, id: message.id });
  switch (message.type) {
    case 'stats':
      reply({ stats: core.stats(), memory: memory() });
      break;
    case 'gc':
      void fullGc().then(() => reply({ memory: memory() }));
      break;
    case 'stop':
      void core.server.close().then(
        () => reply({}),
        () => reply({}),
      );
      break;
    default:
      reply({ error: `unknown request ${message.type}` });
  }
});
port.postMessage({ type: 'ready', sipPort: core.sipPort, controlPort: core.controlPort });
