/**
 * `npm run bench -- webhook`: Zendesk webhook receipt → ticket stamped on the session, with 10 000
 * live sessions in the SQLite store, over real HTTP on loopback, the Zendesk stand-in answering at
 * once. Figures:
 * - `webhook`: latency p50/p99 (one delivery at a time: POST signed delivery → HMAC check → durable
 *   record → 200 → ticket fetched from the stand-in → candidate search → compare-and-set stamp).
 *   Target p99 < 5 ms.
 * - `webhook-receipt`: the same samples up to the 200 (signature, timestamp, durable record), so the
 *   share of the ticket fetch, candidate search and stamp after it shows.
 * - `webhook-floor`: the same two loopback round trips with no work behind them (`GET /health` on
 *   our server, then `GET /users/me` on the stand-in), measured alike in the same run: the part of
 *   the latency that is the machine's HTTP stack, not the webhook path.
 * - `webhook-throughput`: deliveries/s stamped with 32 in flight (enrichment jobs running too),
 *   next to the baseline of plain `GET /health` requests/s at the same concurrency.
 */
import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import { Agent, request } from 'undici';
import { buildConfig, hashApiKey, TenantDirectory } from '../src/config/index.js';
import { createHttpServer } from '../src/http/index.js';
import { zendeskRoutes } from '../src/http/routes/zendesk-routes.js';
import { createLogger } from '../src/logger.js';
import { SessionEvents } from '../src/sessions/session-events.js';
import type { Session } from '../src/sessions/session.js';
import { newId, openSqliteStore } from '../src/store/index.js';
import { createZendeskIntegration } from '../src/zendesk/zendesk-integration.js';
import { resolveZendeskSettings } from '../src/zendesk/zendesk-settings.js';
import { makeTempDir } from '../test/helpers/temp-dir.js';
import { ticketCreatedEvent, type ZendeskEvent } from '../test/helpers/zendesk-events.js';
import { ZendeskStandin } from '../test/helpers/zendesk-standin.js';
import type { BenchFigure } from './bench-figure.js';
import { percentile } from './measure.js';

const LIVE_SESSIONS = 10_000;
const WARMUP = 200;
const LATENCY_SAMPLES = 2_000;
const THROUGHPUT_DELIVERIES = 3_000;
const CONCURRENCY = 32;
/** Bound on each measuring phase, whatever the machine. */
const PHASE_LIMIT_MS = 30_000;
const ORG = 'org-bench';

function callerOf(i: number): string {
  return `+1415${String(2_000_000 + i).padStart(7, '0')}`;
}

export default async function run(): Promise<BenchFigure[]> {
  const tmp = makeTempDir('talkbridge-bench-webhook-');
  const standin = await ZendeskStandin.start();
  const account = standin.addAccount('bench');
  const admin = { email: 'admin@bench.example', token: randomUUID() };
  account.addAgent(admin.email, admin.token, 'admin');
  const store = await openSqliteStore(tmp.path, { secretKey: Buffer.alloc(32, 3) });
  const dispatcher = new Agent({ connections: 64 });
  const sender = new Agent({ connections: 64 });
  const logger = createLogger({ level: 'silent' });
  const config = buildConfig({
    organisations: [
      { id: ORG, name: 'Bench', apiKeys: [hashApiKey('bench-key')], numbers: [{ number: '+14155550000', agent: 'a1' }], agents: [{ id: 'a1', sipUri: 'sip:a1@127.0.0.1:5070' }] },
    ],
  });
  const settings = resolveZendeskSettings({ apiBaseUrl: standin.apiBaseUrl });
  const events = new SessionEvents();
  const integration = createZendeskIntegration({ store, events, settings, dispatcher, logger });
  const app = await createHttpServer({ config, tenants: new TenantDirectory(config), logger, metrics: new Registry(), plugins: zendeskRoutes(integration) });

  try {
    settings.publicBaseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
    integration.start();
    const connected = await integration.connections.connect(ORG, { subdomain: 'bench', ...{ email: admin.email, apiToken: admin.token } });
    if (!connected.ok) throw new Error(`connect failed: ${connected.error.message}`);
    const webhook = account.webhooksNamed('opencx-messaging-ticket-link')[0]!;

    // 10 000 live sessions, each its own caller, none with a ticket.
    const started = Date.now() - LIVE_SESSIONS * 10;
    const sessions: Session[] = [];
    store.db.exec('BEGIN');
    for (let i = 0; i < LIVE_SESSIONS; i += 1) {
      const at = started + i * 10;
      const caller = callerOf(i);
      const s: Session = {
        id: newId('ses', at), orgId: ORG, agentId: 'a1', dialledNumber: '+14155550000', callerPhone: caller, callerNational: caller.slice(2),
        anonymous: false, callId: `${i}@bench`, state: 'live', endReason: null, contactId: null, ticketId: null, ticketMatch: null,
        instanceId: 'bench', createdAt: at, answeredAt: at, endedAt: null, updatedAt: at,
      };
      await store.sessions.create(s);
      sessions.push(s);
    }
    store.db.exec('COMMIT');
    // Tickets prepared up front: the stand-in's bookkeeping stays out of the measured path.
    const prepared: { sessionId: string; event: ZendeskEvent }[] = sessions.map((s) => ({
      sessionId: s.id,
      event: ticketCreatedEvent(account, account.addInboundCall(s.callerPhone!).ticket),
    }));

    const waiters = new Map<string, () => void>();
    events.onTicketStamped((sessionId) => waiters.get(sessionId)?.());
    let next = 0;
    /** Per latency sample: POST → 200 (signature checked, delivery durably recorded). */
    const receipts: number[] = [];
    let lastReceipt = 0;
    const deliverOne = async (): Promise<number> => {
      const item = prepared[next++];
      if (!item) throw new Error('ran out of prepared sessions');
      const stamped = new Promise<void>((resolve) => waiters.set(item.sessionId, resolve));
      const t0 = performance.now();
      const receipt = await standin.deliver(account, webhook, item.event);
      if (receipt.status !== 200) throw new Error(`delivery answered ${receipt.status}: ${receipt.body}`);
      lastReceipt = performance.now() - t0;
      await stamped;
      const elapsed = performance.now() - t0;
      waiters.delete(item.sessionId);
      return elapsed;
    };

    for (let i = 0; i < WARMUP; i += 1) await deliverOne();
    await integration.worker.idle();

    // Latency: one delivery at a time, the pipeline drained between them.
    const latencies: number[] = [];
    const latencyDeadline = performance.now() + PHASE_LIMIT_MS;
    while (latencies.length < LATENCY_SAMPLES && performance.now() < latencyDeadline) {
      latencies.push(await deliverOne());
      receipts.push(lastReceipt);
      await integration.worker.idle();
    }

    // Floor: two bare loopback round trips, sequential like the latency phase.
    const floor: number[] = [];
    const meUrl = `${standin.apiBaseUrl.replace('{subdomain}', 'bench')}/api/v2/users/me`;
    const meAuth = `Basic ${Buffer.from(`${admin.email}/token:${admin.token}`).toString('base64')}`;
    for (let i = 0; i < latencies.length; i += 1) {
      const f0 = performance.now();
      const a = await request(`${settings.publicBaseUrl}/health`, { dispatcher: sender });
      await a.body.text();
      const b = await request(meUrl, { dispatcher: sender, headers: { authorization: meAuth } });
      await b.body.text();
      floor.push(performance.now() - f0);
    }

    // Throughput: CONCURRENCY deliveries in flight, enrichment running alongside.
    const throughputDeadline = performance.now() + PHASE_LIMIT_MS;
    let done = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (done < THROUGHPUT_DELIVERIES && performance.now() < throughputDeadline) {
          done += 1;
          await deliverOne();
        }
      }),
    );
    const deliveriesPerSecond = done / ((performance.now() - t0) / 1000);
    await integration.worker.idle();

    // Baseline: the same loopback HTTP stack answering GET /health.
    const healthUrl = `${settings.publicBaseUrl}/health`;
    let healthDone = 0;
    const h0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (healthDone < THROUGHPUT_DELIVERIES) {
          healthDone += 1;
          const r = await request(healthUrl, { dispatcher: sender });
          await r.body.text();
        }
      }),
    );
    const healthPerSecond = healthDone / ((performance.now() - h0) / 1000);

    const stampedCount = (store.db.prepare('SELECT COUNT(*) AS n FROM sessions WHERE ticket_id IS NOT NULL').get() as { n: number }).n;
    return [
      {
        bench: 'webhook',
        p50_ms: percentile(latencies, 50),
        p99_ms: percentile(latencies, 99),
        n: latencies.length,
        note: `receipt → ticket stamped, ${LIVE_SESSIONS} live sessions (SQLite), loopback HTTP; target p99 < 5 ms`,
      },
      {
        bench: 'webhook-receipt',
        p50_ms: percentile(receipts, 50),
        p99_ms: percentile(receipts, 99),
        n: receipts.length,
        note: 'the same samples up to the 200 only (signature, timestamp, durable record): the rest is ticket fetch + candidate search + stamp',
      },
      {
        bench: 'webhook-floor',
        p50_ms: percentile(floor, 50),
        p99_ms: percentile(floor, 99),
        n: floor.length,
        note: 'two bare loopback HTTP round trips (GET /health + stand-in GET /users/me): the HTTP share of the figure above',
      },
      {
        bench: 'webhook-throughput',
        value: deliveriesPerSecond,
        unit: 'deliveries/s',
        baseline: healthPerSecond,
        ratio: deliveriesPerSecond / healthPerSecond,
        note: `${done} deliveries stamped, ${CONCURRENCY} in flight, enrichment running; baseline GET /health req/s; ${stampedCount} sessions stamped in all`,
      },
    ];
  } finally {
    await integration.stop();
    await app.close();
    await standin.close();
    await dispatcher.close();
    await sender.close();
    await store.close();
    tmp.remove();
  }
}
