/**
 * `npm run bench -- b2bua`: calls/s with 0 failed calls for INVITE → 180 → 200 → ACK → pause →
 * BYE → 200 between a SIPp caller and a SIPp callee (sip-scenarios/bench), through
 * - a drachtio-srf `createB2BUA` application (bench/apps/b2bua-app.ts) on the embedded server,
 *   in three placements: `separate` (server and app in their own processes — production, and the
 *   headline figure), `inproc` (one Node process), `worker` (server in a worker thread of the app
 *   process);
 * - Kamailio as a transaction-stateful record-routing proxy (bench/kamailio/proxy.cfg), the
 *   baseline, in the same run.
 *
 * Each contender climbs a ladder of rates (a fixed number of calls per step, stepSeconds × rate)
 * until its first failing step, then bisects between its last pass and that failure; contenders
 * take turns at every rung (lockstep), so all of them see the same state of the shared machine.
 * A step passes with every call successful on both sides, no retransmission, mean INVITE→200
 * ≤ 250 ms and SIPp keeping the pace (see bench/lib/load-step.ts). The Node processes run the
 * JavaScript compiled from bench/apps (as production runs `npm run build` output), warmed up
 * with 300 calls. CPU time per call of each process is reported as well: it depends much less on
 * how busy the shared machine is than calls/s does. The ladder tops out at 2 800 calls/s (SIPp's
 * own ceiling is about 3 000): a contender without failure there is reported as capped.
 *
 * Environment: BENCH_B2BUA_PLACEMENTS (default separate,inproc,worker), BENCH_KAMAILIO_CHILDREN
 * (default 1), BENCH_STEP_SECONDS (3), BENCH_PAUSE_MS (100), BENCH_LADDER (comma-separated rates).
 */
import { loadavg } from 'node:os';
import type { BenchFigure } from './bench-figure.js';
import { killAllNow, useCompiledApps } from './lib/children.js';
import { type SearchResult, type StepResult, searchAll } from './lib/load-step.js';
import { type Placement, startB2bua, startKamailioSut } from './lib/sut.js';

const env = (name: string, fallback: string): string => process.env[name] ?? fallback;
const PLACEMENTS = env('BENCH_B2BUA_PLACEMENTS', 'separate,inproc,worker')
  .split(',')
  .map((p) => p.trim())
  .filter(Boolean) as Placement[];
const KAMAILIO_CHILDREN = Number(env('BENCH_KAMAILIO_CHILDREN', '1'));
const STEP_SECONDS = Number(env('BENCH_STEP_SECONDS', '3'));
const PAUSE_MS = Number(env('BENCH_PAUSE_MS', '100'));
const LADDER = env('BENCH_LADDER', '250,350,500,700,1000,1400,2000,2800').split(',').map(Number);
/** Bisection steps after the first failure: the headline contenders 2, the other placements 1 (time). */
const REFINE = 2;
const log = (line: string): void => void process.stderr.write(line + '\n');

const rateOf = (o: SearchResult): number => o.best?.rate ?? 0;
const cpu = (step: StepResult | null | undefined, role: string): number | null => {
  const v = step?.cpuUsPerCall[role];
  return v === undefined ? null : Math.round(v);
};

function describe(o: SearchResult): string {
  if (o.error) return `error: ${o.error}`;
  const f = o.firstFailure;
  const best = o.best;
  const parts = [best ? `rtd ${best.responseTimeMs} ms at best` : 'no passing step'];
  parts.push(f ? `first failure at ${f.rate}: ${f.why.split('\n')[0]}` : 'no failure up to the ladder top');
  return parts.join('; ').slice(0, 400);
}

export default async function run(): Promise<BenchFigure[]> {
  // BENCH_TSX=1 runs the apps through tsx instead (to compare; see useCompiledApps).
  const runtime = process.env.BENCH_TSX === '1' ? 'tsx' : await useCompiledApps(['sip-server-host.ts', 'b2bua-app.ts']);
  const load = loadavg()[0] ?? 0;
  log(`b2bua: ladder ${LADDER.join(',')} calls/s, ${STEP_SECONDS} s per step, pause ${PAUSE_MS} ms; apps run as ${runtime}; load average ${load.toFixed(2)}`);
  try {
    const warmup = { rate: 150, calls: 300 };
    const results = await searchAll(
      [
        { name: `kamailio-${KAMAILIO_CHILDREN}w`, start: (uas) => startKamailioSut(uas, KAMAILIO_CHILDREN), refine: REFINE },
        ...PLACEMENTS.map((placement, i) => ({
          name: placement,
          start: (uas: number) => startB2bua(placement, uas),
          // JIT warm-up of the Node processes; not counted.
          warmup,
          refine: i === 0 ? REFINE : REFINE - 1,
        })),
      ],
      { ladder: LADDER, stepSeconds: STEP_SECONDS, settleMs: 500, pauseMs: PAUSE_MS, log },
    );
    const [kamailio, ...placements] = results as [SearchResult, ...SearchResult[]];
    for (const r of placements) {
      if (r.finalStats?.server) log(`  ${r.name.padEnd(12)} server after its last step: ${JSON.stringify(r.finalStats.server)}`);
      if (r.finalStats?.app) log(`  ${r.name.padEnd(12)} app after its last step: ${JSON.stringify(r.finalStats.app)}`);
    }
    const baseline = rateOf(kamailio);
    const figures: BenchFigure[] = [];
    const headline = placements.find((p) => p.name === 'separate') ?? placements[0];
    if (headline) {
      const best = headline.best;
      figures.push({
        bench: 'b2bua',
        value: rateOf(headline),
        unit: 'calls/s',
        baseline,
        ratio: baseline > 0 ? rateOf(headline) / baseline : 0,
        failed: best ? best.failed : -1,
        note:
          `${headline.name} placement (${runtime}) vs kamailio ${KAMAILIO_CHILDREN} worker(s)` +
          `${kamailio.firstFailure === null && !kamailio.error ? ' (baseline capped by the ladder top)' : ''}; target ratio ≥ 0.5; load average at start ${load.toFixed(1)}`,
      });
    }
    for (const o of placements) {
      const best = o.best;
      figures.push({
        bench: `b2bua-${o.name}`,
        value: rateOf(o),
        unit: 'calls/s',
        baseline,
        ratio: baseline > 0 ? rateOf(o) / baseline : 0,
        failed: best ? best.failed : -1,
        rtd_ms: best?.responseTimeMs ?? null,
        server_cpu_us_per_call: cpu(best, 'server') ?? cpu(best, 'server+app'),
        app_cpu_us_per_call: cpu(best, 'app'),
        note: describe(o),
      });
    }
    const kb = kamailio.best;
    figures.push({
      bench: `b2bua-kamailio`,
      value: baseline,
      unit: 'calls/s',
      failed: kb ? kb.failed : -1,
      rtd_ms: kb?.responseTimeMs ?? null,
      server_cpu_us_per_call: cpu(kb, 'proxy'),
      note: `${KAMAILIO_CHILDREN} worker(s), -m 1024; ${describe(kamailio)}`,
    });
    return figures;
  } finally {
    killAllNow();
  }
}
