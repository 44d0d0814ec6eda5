/**
 * `npm run bench -- memory`: resident memory per established call of the embedded server and of a
 * drachtio-srf createB2BUA application, each in its own process (production placement), at 1 000
 * and 5 000 concurrent calls.
 *
 * One system for both counts: warm-up calls (JIT), then — with every transaction of the warm-up
 * gone and a full GC in both processes — the baseline RSS (/proc/<pid>/status VmRSS); then SIPp
 * callers (sip-scenarios/bench/uac-call-hold.xml) establish 1 000 calls that stay up until the
 * other side hangs up; once all are up and the establishment's transactions have ended (RFC 3261
 * timers keep an INVITE transaction up to 32 s after its 2xx), GC and sample; then 4 000 more, GC
 * and sample again. Per call = (RSS − baseline) / calls. Finally the application hangs up every
 * call (BYE on both legs) and the bench checks that no dialog is left.
 *
 * Besides RSS, the figures carry the live memory per call (V8 heap used + memory outside the
 * heap, after GC): RSS also keeps what the establishment's transactions used at their peak (V8 and
 * malloc do not hand freed pages back at once), so it depends on how fast the calls came in.
 *
 * Environment: BENCH_MEMORY_COUNTS (default 1000,5000), BENCH_MEMORY_RATE (calls/s while
 * establishing, default 250), BENCH_MEMORY_DRAIN_S (longest wait for transactions to end, default
 * 40; 0 measures right after establishment, transactions included).
 */
import type { BenchFigure } from './bench-figure.js';
import { killAllNow, useCompiledApps } from './lib/children.js';
import { runStep } from './lib/load-step.js';
import { freePort, sleep, waitUdpBound } from './lib/ports.js';
import { rssKiB } from './lib/rss.js';
import { firstSippError, type SippProcess, startSipp } from './lib/sipp-load.js';
import { type SystemUnderTest, startB2bua } from './lib/sut.js';

const env = (name: string, fallback: string): string => process.env[name] ?? fallback;
const COUNTS = env('BENCH_MEMORY_COUNTS', '1000,5000').split(',').map(Number).sort((a, b) => a - b);
const RATE = Number(env('BENCH_MEMORY_RATE', '250'));
const DRAIN_S = Number(env('BENCH_MEMORY_DRAIN_S', '40'));
const TARGET_KIB = 24;
const log = (line: string): void => void process.stderr.write(line + '\n');

interface Sample {
  calls: number;
  server: number;
  app: number;
  /** V8 heap used + memory outside the heap (Buffers), KiB, after GC. */
  serverHeap: number;
  appHeap: number;
  serverExternal: number;
  appExternal: number;
  /** Transactions still in the server when sampled. */
  transactions: number;
}

type Stats = Awaited<ReturnType<SystemUnderTest['stats']>>;
const num = (record: Record<string, unknown> | null | undefined, key: string): number => Number(record?.[key] ?? 0);
const pending = (s: Stats): number => num(s.server, 'inbound') + num(s.server, 'outbound') + num(s.server, 'transactions');

/** Polls `stats` until `done` holds or `timeoutMs` passes; returns the last stats. */
async function until(sut: SystemUnderTest, done: (s: Stats) => boolean, timeoutMs: number, failWith?: Promise<unknown>): Promise<{ stats: Stats; met: boolean }> {
  const deadline = Date.now() + timeoutMs;
  let failed = false;
  void failWith?.then(() => (failed = true));
  for (;;) {
    const stats = await sut.stats();
    if (done(stats)) return { stats, met: true };
    if (Date.now() > deadline || failed || sut.crashed()) return { stats, met: false };
    await sleep(250);
  }
}

async function sample(sut: SystemUnderTest, calls: number): Promise<Sample> {
  const server = sut.processes.find((p) => p.role === 'server');
  const app = sut.processes.find((p) => p.role === 'app');
  if (!server || !app) throw new Error('memory bench needs the separate placement');
  await sut.gc();
  await sleep(300);
  const heaps = await sut.gc();
  const stats = await sut.stats();
  return {
    calls,
    server: await rssKiB(server.pid),
    app: await rssKiB(app.pid),
    serverHeap: (heaps.server?.heapUsed ?? 0) / 1024,
    appHeap: (heaps.app?.heapUsed ?? 0) / 1024,
    serverExternal: (heaps.server?.external ?? 0) / 1024,
    appExternal: (heaps.app?.external ?? 0) / 1024,
    transactions: pending(stats),
  };
}

export default async function run(): Promise<BenchFigure[]> {
  // BENCH_TSX=1 runs the apps through tsx instead (to compare; see useCompiledApps).
  const runtime = process.env.BENCH_TSX === '1' ? 'tsx' : await useCompiledApps(['sip-server-host.ts', 'b2bua-app.ts']);
  const uasPort = await freePort('udp');
  let sut: SystemUnderTest | null = null;
  const callers: SippProcess[] = [];
  let callee: SippProcess | null = null;
  const total = COUNTS[COUNTS.length - 1] ?? 0;
  try {
    sut = await startB2bua('separate', uasPort);
    const warm = await runStep(sut, uasPort, 150, 450, { pauseMs: 100 });
    log(`memory: warm-up 450 calls: ${warm.pass ? 'ok' : `FAIL — ${warm.why.split('\n')[0]}`}`);
    if (DRAIN_S > 0) await until(sut, (s) => pending(s) === 0, DRAIN_S * 1000);
    const base = await sample(sut, 0);
    log(`memory: baseline RSS server ${base.server} KiB, app ${base.app} KiB (transactions ${base.transactions})`);

    callee = await startSipp({ name: 'uas-hold', scenario: 'sip-scenarios/bench/uas-answer.xml', localPort: uasPort, calls: total, timeoutS: 900, extraArgs: ['-l', String(total + 100)] });
    await waitUdpBound(uasPort, 10_000, callee.done);
    const figures: BenchFigure[] = [];
    let established = 0;
    for (const count of COUNTS) {
      const more = count - established;
      const caller = await startSipp({
        name: `uac-hold-${count}`,
        scenario: 'sip-scenarios/bench/uac-call-hold.xml',
        localPort: await freePort('udp'),
        target: { address: '127.0.0.1', port: sut.sipPort },
        calls: more,
        rate: RATE,
        limit: more + 100,
        timeoutS: 900,
      });
      callers.push(caller);
      const started = Date.now();
      const up = await until(sut, (s) => num(s.app, 'live') >= count, Math.max(30_000, (more / RATE) * 4000), caller.done);
      if (!up.met) throw new Error(`only ${num(up.stats.app, 'live')} of ${count} calls established: app ${JSON.stringify(up.stats.app)}, server ${JSON.stringify(up.stats.server)}`);
      log(`memory: ${count} calls up in ${((Date.now() - started) / 1000).toFixed(1)} s; waiting for their transactions to end …`);
      established = count;
      if (DRAIN_S > 0) {
        const drained = await until(sut, (s) => pending(s) === 0, DRAIN_S * 1000);
        if (!drained.met) log(`memory: transactions still pending after ${DRAIN_S} s: ${JSON.stringify(drained.stats.server)}`);
      }
      const s = await sample(sut, count);
      const dServer = (s.server - base.server) / count;
      const dApp = (s.app - base.app) / count;
      const per = (a: number, b: number): string => ((a - b) / count).toFixed(1);
      log(
        `memory: ${count} calls: RSS server ${s.server} KiB (+${dServer.toFixed(1)}/call), app ${s.app} KiB (+${dApp.toFixed(1)}/call);` +
          ` V8 heap server +${per(s.serverHeap, base.serverHeap)}, app +${per(s.appHeap, base.appHeap)} KiB/call;` +
          ` external server +${per(s.serverExternal, base.serverExternal)}, app +${per(s.appExternal, base.appExternal)} KiB/call`,
      );
      figures.push({
        bench: 'memory',
        calls: count,
        kib_per_call: dServer + dApp,
        server_kib_per_call: dServer,
        app_kib_per_call: dApp,
        server_live_kib_per_call: (s.serverHeap + s.serverExternal - base.serverHeap - base.serverExternal) / count,
        app_live_kib_per_call: (s.appHeap + s.appExternal - base.appHeap - base.appExternal) / count,
        target_kib: TARGET_KIB,
        note: `RSS after GC, separate processes, ${runtime}; ${s.transactions} transactions pending at sample`,
      });
    }

    // Tear down: the application hangs up every call; both SIPp sides then finish their calls.
    const hungUp = await sut.hangup(2000);
    const callerResults = await Promise.race([Promise.all(callers.map((c) => c.done)), sleep(60_000).then(() => null)]);
    const calleeResult = await Promise.race([callee.done, sleep(10_000).then(() => null)]);
    // Calls SIPp gave up on never see their BYE answered: the server ends those dialogs when the
    // BYE transaction times out (Timer F, 32 s).
    const after = await until(sut, (s) => num(s.server, 'dialogs') === 0, 40_000);
    const failed = (callerResults ?? []).reduce((n, r) => n + (r.stats?.failed ?? 0), 0) + (calleeResult?.stats?.failed ?? 0);
    log(
      `memory: hung up ${hungUp} calls; SIPp ${callerResults && calleeResult ? 'finished' : 'did not finish'}, failed calls ${failed}; ` +
        `server after teardown ${JSON.stringify(after.stats.server)}`,
    );
    if (!after.met) log('memory: dialogs left in the server after teardown');
    for (const r of [...(callerResults ?? []), ...(calleeResult ? [calleeResult] : [])]) {
      const first = r.stats?.failed ? firstSippError(r.errors) : null;
      if (first) log(`memory:   first SIPp error: ${first}`);
    }
    return figures;
  } finally {
    for (const c of callers) await c.child.stop(1000);
    await callee?.child.stop(1000);
    await sut?.close().catch(() => undefined);
    killAllNow();
  }
}
