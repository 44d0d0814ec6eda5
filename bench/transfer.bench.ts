/**
 * `npm run bench -- transfer`: transfer command → INVITE on the wire, with 200 live calls.
 *
 * 200 calls are set up for real (SIPp carrier UAC → embedded SIP server → drachtio-srf → call
 * control → SIPp AI agent UAS). Then, one at a time, `POST /v1/sessions/{id}/transfer?wait=true` goes
 * over HTTP on loopback; the destination is a raw UDP socket in this process that timestamps the
 * INVITE on arrival (same clock as the request start) and answers 486, so each caller stays with
 * the AI agent and the next transfer can follow. Figures:
 * - `transfer`: HTTP request sent → INVITE received, p50/p99 (target p99 < 5 ms), with the event-loop
 *   delay p99 of the process during the run (machine load shows there first).
 * - `transfer-inapp`: share of transfers whose command-accepted → INVITE-sent time (the app's own
 *   `talkbridge_transfer_invite_seconds` histogram) was within 1 ms and within 5 ms.
 * - `transfer-floor`: a `GET /health` round trip on the same connections, measured alike: the HTTP
 *   part of the `transfer` figure.
 */
import { once } from 'node:events';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import Srf from 'drachtio-srf';
import { Registry } from 'prom-client';
import { Agent, request } from 'undici';
import { createCallControl } from '../src/calls/create-call-control.js';
import { hashApiKey } from '../src/config/api-key.js';
import { buildConfig } from '../src/config/build-config.js';
import { TenantDirectory } from '../src/config/tenant-directory.js';
import { createHttpServer } from '../src/http/create-http-server.js';
import { sessionsRoutes } from '../src/http/routes/sessions-routes.js';
import { createLogger } from '../src/logger.js';
import { createEmbeddedSipServer } from '../src/sip/server/embedded-sip-server.js';
import { createSipServerThread } from '../src/sip/server/sip-server-thread.js';
import { openSqliteStore } from '../src/store/sqlite/open-sqlite-store.js';
import { makeTempDir } from '../test/helpers/temp-dir.js';
import type { BenchFigure } from './bench-figure.js';
import { BusyResponder } from './lib/busy-responder.js';
import { freePort, waitUdpBound } from './lib/ports.js';
import { startSipp } from './lib/sipp-load.js';
import { percentile } from './measure.js';

const LIVE_CALLS = 200;
const WARMUP = 200;
const SAMPLES = 2_000;
const API_KEY = 'tbk_bench_transfer_key_0123456789';
const SECRET = 'bench-transfer';

export default async function run(): Promise<BenchFigure[]> {
  const tmp = makeTempDir('talkbridge-bench-transfer-');
  const logger = createLogger({ level: 'warn' });
  const engine = await startEngine();
  const sipPort = engine.sipPort;
  const destination = await BusyResponder.start();
  const agentPort = await freePort('udp');
  const carrierPort = await freePort('udp');
  const config = buildConfig({
    log: { level: 'warn' },
    calls: { maxConcurrentCalls: LIVE_CALLS * 2, ringTimeoutSeconds: 5, ticketWaitSeconds: 0, agentAnswerTimeoutSeconds: 10 },
    carriers: [{ id: 'carrier', allowedSources: ['127.0.0.1/32'], trustPai: true, maxCallsPerSecond: 1000 }],
    organisations: [
      {
        id: 'bench',
        name: 'Bench',
        apiKeys: [hashApiKey(API_KEY)],
        numbers: [{ number: '+15550100', agent: 'agent' }],
        agents: [
          {
            id: 'agent',
            sipUri: `sip:agent@127.0.0.1:${agentPort}`,
            destinations: [{ id: 'line', label: 'Zendesk line', type: 'sip', uri: `sip:line@127.0.0.1:${destination.port}` }],
          },
        ],
      },
    ],
  });
  const store = await openSqliteStore(tmp.path);
  const tenants = new TenantDirectory(config);
  const metrics = new Registry();
  const srf = new Srf();
  const control = createCallControl({ srf, config, store, logger, tenants, metrics });
  control.start();
  srf.connect({ host: '127.0.0.1', port: engine.controlPort, secret: SECRET });
  const [connectError] = (await once(srf, 'connect')) as [Error | null];
  if (connectError) throw connectError;
  const http = await createHttpServer({
    config,
    tenants,
    logger,
    metrics,
    plugins: [sessionsRoutes({ controller: control.controller, store, transferWaitMaxSeconds: 10 })],
  });
  await http.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(http.server.address() as { port: number }).port}`;
  const dispatcher = new Agent({ connections: 4, keepAliveTimeout: 60_000 });

  const agent = await startSipp({
    name: 'agent',
    scenario: 'sip-scenarios/calls/uas-ai-agent-expect-headers.xml',
    localPort: agentPort,
    calls: LIVE_CALLS,
    timeoutS: 300,
  });
  await waitUdpBound(agentPort, 10_000, agent.done);
  const carrier = await startSipp({
    name: 'carrier',
    scenario: 'sip-scenarios/calls/uac-carrier-call-expect-bye.xml',
    localPort: carrierPort,
    target: { address: '127.0.0.1', port: sipPort },
    calls: LIVE_CALLS,
    rate: 100,
    limit: LIVE_CALLS,
    timeoutS: 300,
    extraArgs: ['-s', '+15550100', '-key', 'caller', '+14155551212'],
  });

  try {
    const sessionIds = await liveSessions(store, LIVE_CALLS, 30_000);
    const post = async (sessionId: string): Promise<number> => {
      const arrival = destination.nextInvite(sessionId);
      const started = process.hrtime.bigint();
      const res = await request(`${base}/v1/sessions/${sessionId}/transfer?wait=true`, {
        method: 'POST',
        dispatcher,
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ destination: 'line' }),
      });
      const body = (await res.body.json()) as { outcome?: string };
      if (res.statusCode !== 200 || body.outcome !== 'busy') throw new Error(`transfer answered ${res.statusCode} ${JSON.stringify(body)}`);
      return Number((await arrival) - started) / 1e6;
    };
    const floor = async (): Promise<number> => {
      const started = process.hrtime.bigint();
      const res = await request(`${base}/health`, { dispatcher });
      await res.body.dump();
      return Number(process.hrtime.bigint() - started) / 1e6;
    };
    for (let i = 0; i < WARMUP; i++) {
      await post(sessionIds[i % sessionIds.length]!);
      await floor();
    }
    const loopDelay = monitorEventLoopDelay({ resolution: 1 });
    loopDelay.enable();
    const latencies: number[] = [];
    const floors: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      latencies.push(await post(sessionIds[i % sessionIds.length]!));
      floors.push(await floor());
    }
    loopDelay.disable();
    const live = control.liveCalls();
    const inApp = await histogramShares(metrics, 'talkbridge_transfer_invite_seconds', [0.001, 0.005]);
    return [
      {
        bench: 'transfer',
        p50_ms: percentile(latencies, 50),
        p99_ms: percentile(latencies, 99),
        n: latencies.length,
        loop_delay_p99_ms: loopDelay.percentile(99) / 1e6,
        note: `${live} live calls, engine ${engine.placement}; HTTP POST sent → INVITE received by the destination (UDP); target p99 < 5 ms`,
      },
      {
        bench: 'transfer-inapp',
        within_1ms_pct: inApp[0] ?? Number.NaN,
        within_5ms_pct: inApp[1] ?? Number.NaN,
        n: inApp.total,
        note: 'command accepted → INVITE handed to the SIP transport (app histogram, warm-up included)',
      },
      {
        bench: 'transfer-floor',
        p50_ms: percentile(floors, 50),
        p99_ms: percentile(floors, 99),
        n: floors.length,
        note: 'GET /health round trip on the same connection pool: the HTTP part of the figure above',
      },
    ];
  } finally {
    await control.close(); // BYE to every leg: both SIPp peers finish their calls
    await Promise.allSettled([carrier.done, agent.done]);
    await http.close();
    await dispatcher.close();
    srf.disconnect();
    await engine.close();
    await destination.close();
    await store.close();
    tmp.remove();
  }
}

/**
 * The embedded SIP server, by default in a worker thread (`sip.server.thread: worker`, as
 * `talkbridge start` runs it: src/sip/server/sip-server-thread.ts), or with `TB_BENCH_ENGINE=inproc`
 * on this event loop (`thread: main`).
 */
async function startEngine(): Promise<{ sipPort: number; controlPort: number; placement: string; close(): Promise<void> }> {
  const worker = process.env.TB_BENCH_ENGINE !== 'inproc';
  const options = { sip: [{ transport: 'udp' as const, address: '127.0.0.1', port: 0 }], control: { host: '127.0.0.1', port: 0, secret: SECRET } };
  const server = worker ? createSipServerThread(options) : createEmbeddedSipServer(options);
  await server.start();
  const { sip, control } = server.addresses();
  return { sipPort: sip[0]!.port, controlPort: control.port, placement: worker ? 'worker' : 'inproc', close: () => server.close() };
}

/** Percent of observations at or under each bucket bound of a prom-client histogram. */
async function histogramShares(registry: Registry, name: string, bounds: number[]): Promise<number[] & { total: number }> {
  const metric = registry.getSingleMetric(name);
  const values = metric ? (await metric.get()).values : [];
  const buckets = values.filter((v) => (v as { metricName?: string }).metricName === `${name}_bucket`);
  const total = buckets.find((v) => v.labels.le === '+Inf')?.value ?? 0;
  const shares = bounds.map((b) => {
    const bucket = buckets.find((v) => Number(v.labels.le) === b);
    return total > 0 && bucket ? (bucket.value / total) * 100 : Number.NaN;
  });
  return Object.assign(shares, { total });
}

async function liveSessions(store: Awaited<ReturnType<typeof openSqliteStore>>, count: number, timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const live = (await store.sessions.list('bench', { state: 'live', limit: count * 2 })).filter((s) => s.state === 'live');
    if (live.length >= count) return live.map((s) => s.id);
    if (Date.now() > deadline) throw new Error(`only ${live.length} of ${count} calls came up`);
    await new Promise<void>((resolve) => setTimeout(resolve, 50));
  }
}
