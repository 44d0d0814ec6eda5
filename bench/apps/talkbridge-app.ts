/**
 * talkbridge's call control as the e2e bench runs it, in its own process like bench/apps/b2bua-app.ts:
 * the embedded SIP server in this process, drachtio-srf, createCallControl with the SQLite store
 * (sessions, contacts and timelines are really written), every call bridged to the AI agent URI.
 *
 *   node --expose-gc --import tsx bench/apps/talkbridge-app.ts --agent sip:agent@127.0.0.1:5090 \
 *        --data-dir /tmp/x --secret s [--sip-port 0]                 (server in this process, the default)
 *        … --server worker [--sip-port 0]                             (server in a worker thread:
 *                                                                       sip.server.thread: worker)
 *        … --server external --control-port 9022                      (server in its own process,
 *                                                                       bench/apps/sip-server-host.ts)
 *
 * IPC (bench/lib/children.ts): `ready {sipPort, controlPort}` once connected; requests `stats`, `stop`.
 */
import Srf from 'drachtio-srf';
import { Registry } from 'prom-client';
import { createCallControl } from '../../src/calls/create-call-control.js';
import { buildConfig } from '../../src/config/build-config.js';
import { createLogger } from '../../src/logger.js';
import { openSqliteStore } from '../../src/store/sqlite/open-sqlite-store.js';
import { argValue, eventLoopDelay, memory, notify, serveIpc } from './ipc.js';
import { startServerCore } from './server-core.js';

const secret = argValue('secret');
const agentUri = argValue('agent');
const dataDir = argValue('data-dir');

const placement = argValue('server', 'inproc');
if (placement !== 'inproc' && placement !== 'worker' && placement !== 'external') throw new Error('--server is inproc, worker or external');
// external: the SIP port belongs to the server process, which reports it itself.
const core =
  placement === 'external'
    ? null
    : await startServerCore({ sipPort: Number(argValue('sip-port', '0')), controlPort: 0, secret, placement: placement === 'worker' ? 'thread' : 'main' });
const controlPort = core ? core.controlPort : Number(argValue('control-port'));
const sipPort = core ? core.sipPort : null;
const config = buildConfig({
  log: { level: 'warn' },
  calls: { maxConcurrentCalls: 100_000, agentAnswerTimeoutSeconds: 30 },
  carriers: [{ id: 'carrier', allowedSources: ['127.0.0.1/32'], trustPai: true, maxCallsPerSecond: 100_000 }],
  organisations: [
    {
      id: 'bench',
      name: 'Bench',
      numbers: [{ number: '+15550100', agent: 'agent' }],
      agents: [{ id: 'agent', sipUri: agentUri }],
    },
  ],
});
const store = await openSqliteStore(dataDir);
const metrics = new Registry();
const srf = new Srf();
const control = createCallControl({ srf, config, store, logger: createLogger({ level: 'warn' }), metrics });
control.start();
srf.on('error', () => undefined);
srf.connect({ host: '127.0.0.1', port: controlPort, secret });
await new Promise<void>((resolve, reject) => {
  srf.once('connect', (err: Error | null) => (err ? reject(err) : resolve()));
});

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await control.close().catch(() => undefined);
  try {
    srf.disconnect();
  } catch {
    // already gone
  }
  await core?.server.close().catch(() => undefined);
  await store.close().catch(() => undefined);
  process.exit(0);
}

serveIpc(
  {
    stats: async () => {
      const inbound = metrics.getSingleMetric('talkbridge_inbound_calls_total');
      const results = inbound ? Object.fromEntries((await inbound.get()).values.map((v) => [String(v.labels.result), v.value])) : {};
      return { app: { live: control.liveCalls(), results, loop: eventLoopDelay() }, engine: core?.stats() ?? null, memory: memory() };
    },
    stop: () => {
      setImmediate(() => void stop());
      return {};
    },
  },
  () => void stop(),
);
process.on('SIGTERM', () => void stop());
notify({ type: 'ready', sipPort, controlPort });
