/**
 * `npm run bench -- e2e`: end-to-end calls/s with 0 failures — SIPp carrier → talkbridge (embedded
 * SIP server + call control + SQLite store, bench/apps/talkbridge-app.ts) → SIPp AI agent → BYE —
 * next to the engine-only B2BUA (bench/apps/b2bua-app.ts: the same embedded server with a bare
 * drachtio-srf createB2BUA application) measured in the same run between the same SIPp peers.
 *
 * Each contender is ramped through the same call rates (alternating contenders at every step so
 * both see the same machine state). Every step starts a fresh app process, warms it up (300 calls at
 * 150/s, not counted), then runs rate × 4 s calls. A step passes by the b2bua bench's rule
 * (bench/lib/load-step.ts judgeStep): every call succeeded on both SIPp sides, nobody retransmitted
 * (a request or response waited ≥ 500 ms: the system is queueing), mean INVITE→200 ≤ 250 ms, the
 * carrier kept the pace; and the app reports no failed call. After a contender's first failing rung, two bisection steps
 * between its last pass and that failure narrow the figure down (contenders still alternating).
 * The figure is the highest clean rate's achieved calls/s. Target: talkbridge ≥ 70 % of the
 * engine-only figure.
 *
 * The whole comparison runs once per placement of the SIP server, the same for both contenders
 * (BENCH_E2E_PLACEMENTS, default worker,inproc,separate): `worker` — a worker thread of the app
 * process, talkbridge's default and the headline `e2e` figure; `inproc` — the app's own event loop
 * (`e2e-inproc`); `separate` — a process of its own (`e2e-separate`). BENCH_E2E_RATES=600,800 runs
 * only those rates (diagnostics).
 *
 * Also reported: CPU time (user + system) per call of each contender's process at the highest rate
 * both passed — far less sensitive to a busy machine than calls/s; the difference is what
 * talkbridge's own work costs per call. The apps run as compiled JavaScript, as production runs
 * them (bench/lib/children.ts useCompiledApps); BENCH_TSX=1 runs them through tsx instead.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchFigure } from './bench-figure.js';
import { useCompiledApps } from './lib/children.js';
import { cpuMs } from './lib/cpu.js';
import { freePort, sleep, waitUdpBound } from './lib/ports.js';
import { judgeStep } from './lib/load-step.js';
import { firstSippError, type SippOutcome, startSipp, type SippStats } from './lib/sipp-load.js';
import { B2BUA_APP, type BenchApp, type Placement, startB2bua, type SystemUnderTest } from './lib/sut.js';

/** The ladder; BENCH_E2E_RATES=600,800 runs only those rates (diagnostics). */
const RATES = process.env.BENCH_E2E_RATES ? process.env.BENCH_E2E_RATES.split(',').map(Number) : [100, 150, 200, 250, 300, 350, 400, 500, 600, 700, 800, 1000, 1200, 1400];
const STEP_SECONDS = 4;
/** Bisection steps after each contender's first failure. */
const REFINE = 2;
/** Calls run (and not counted) on every freshly started app before the measured step: JIT warm-up. */
const WARMUP = { rate: 150, calls: 300 };

type Contender = 'engine-b2bua' | 'talkbridge';
/** Where the embedded SIP server runs, for both contenders alike. */
// The placements of bench/lib/sut.ts (Placement), the same for both contenders.
const PLACEMENT_NOTE: Record<Placement, string> = {
  inproc: 'SIP server on the app process event loop (sip.server.thread: main)',
  worker: 'SIP server in a worker thread of the app process (sip.server.thread: worker, the default)',
  separate: 'SIP server in its own process (talkbridge sip-server + sip.server.mode external); CPU of both processes',
};

interface Step {
  rate: number;
  ok: boolean;
  stats: SippStats | null;
  /** CPU time of the contender's process while the carrier ran, per call, µs. */
  cpuUsPerCall: number;
  /** Mean INVITE→200 at the carrier (SIPp, whole ms). */
  responseTimeMs: number;
  /** Longest event-loop delay of the app's main thread during the step, ms (null: not reported). */
  loopMaxMs: number | null;
  detail: string;
}

export default async function run(): Promise<BenchFigure[]> {
  const runtime = process.env.BENCH_TSX === '1' ? 'tsx' : await useCompiledApps(['talkbridge-app.ts', 'b2bua-app.ts', 'sip-server-host.ts']);
  const placements = (process.env.BENCH_E2E_PLACEMENTS ?? 'worker,inproc,separate').split(',') as Placement[];
  const figures: BenchFigure[] = [];
  for (const placement of placements) {
    if (!PLACEMENT_NOTE[placement]) throw new Error(`BENCH_E2E_PLACEMENTS: unknown placement ${placement} (inproc, worker, separate)`);
    figures.push(await measure(placement, runtime));
  }
  return figures;
}

async function measure(placement: Placement, runtime: string): Promise<BenchFigure> {
  const load = loadavg()[0] ?? 0;
  const runStep = (contender: Contender, rate: number): Promise<Step> => runOneStep(placement, contender, rate);
  // The headline is talkbridge's default placement.
  const tag = placement === 'worker' ? 'e2e' : `e2e-${placement}`;
  const best: Record<Contender, Step | null> = { 'engine-b2bua': null, talkbridge: null };
  const passed: Record<Contender, Map<number, Step>> = { 'engine-b2bua': new Map(), talkbridge: new Map() };
  const stopped: Record<Contender, boolean> = { 'engine-b2bua': false, talkbridge: false };
  const bounds: Record<Contender, { pass: number; fail: number } | null> = { 'engine-b2bua': null, talkbridge: null };
  const failures: string[] = [];
  for (const rate of RATES) {
    for (const contender of ['engine-b2bua', 'talkbridge'] as const) {
      if (stopped[contender]) continue;
      const step = await runStep(contender, rate);
      process.stderr.write(`${tag}: ${contender} @${rate}/s ${describe(step)}\n`);
      if (step.ok) {
        best[contender] = step;
        passed[contender].set(rate, step);
      }
      else {
        stopped[contender] = true;
        failures.push(`${contender} @${rate}/s: ${step.detail}`);
        const last = best[contender];
        if (last) bounds[contender] = { pass: last.rate, fail: rate };
      }
    }
    if (stopped['engine-b2bua'] && stopped.talkbridge) break;
  }
  // Bisect between each contender's last passing and first failing rung (as bench/lib/load-step.ts
  // does for the b2bua bench), contenders taking turns: one rung of the ladder is 15–25 %, which
  // would otherwise decide the ratio on its own.
  for (let round = 0; round < REFINE; round++) {
    for (const contender of ['engine-b2bua', 'talkbridge'] as const) {
      const b = bounds[contender];
      if (!b) continue;
      const rate = Math.round((b.pass + b.fail) / 2 / 10) * 10;
      if (rate <= b.pass || rate >= b.fail) continue;
      const step = await runStep(contender, rate);
      process.stderr.write(`${tag}: ${contender} @${rate}/s (refining) ${describe(step)}\n`);
      if (step.ok) {
        b.pass = rate;
        best[contender] = step;
        passed[contender].set(rate, step);
      } else b.fail = rate;
    }
  }
  const value = callsPerSecond(best.talkbridge);
  const baseline = callsPerSecond(best['engine-b2bua']);
  // CPU per call depends on the rate (batching, idle wake-ups): compare both at the same rate.
  const cpuRate = Math.max(0, ...[...passed.talkbridge.keys()].filter((rate) => passed['engine-b2bua'].has(rate)));
  const cpu = (contender: Contender): number | null => {
    const step = passed[contender].get(cpuRate);
    return step ? Math.round(step.cpuUsPerCall) : null;
  };
  return {
      bench: tag,
      value,
      unit: 'calls/s',
      baseline,
      ratio: baseline > 0 ? value / baseline : Number.NaN,
      cpu_us_per_call: cpu('talkbridge'),
      baseline_cpu_us_per_call: cpu('engine-b2bua'),
      cpu_at_calls_per_s: cpuRate,
      note:
        `carrier → talkbridge (session, contact, timeline in SQLite) → AI agent → BYE, 0 failed calls; baseline: engine-only createB2BUA; ` +
        `${PLACEMENT_NOTE[placement]}; steps of ${STEP_SECONDS}s; apps as ${runtime}; load average at start ${load.toFixed(1)}; target ratio ≥ 0.70` +
        `${failures.length ? `; first failing steps: ${failures.join(' | ')}` : ''}`,
  };
}

function describe(step: Step): string {
  const figures = `${Math.round(step.cpuUsPerCall)} µs CPU/call, mean INVITE→200 ${step.responseTimeMs} ms, longest event-loop delay ${step.loopMaxMs ?? '?'} ms`;
  return step.ok ? `ok, ${figures}` : `failed, ${figures}: ${step.detail.split('\n')[0]?.slice(0, 300)}`;
}

function callsPerSecond(step: Step | null): number {
  if (!step?.stats) return 0;
  return step.stats.elapsedS > 0 ? step.stats.successful / step.stats.elapsedS : step.rate;
}

async function runOneStep(placement: Placement, contender: Contender, rate: number): Promise<Step> {
  const calls = rate * STEP_SECONDS;
  const expectedS = STEP_SECONDS;
  const agentPort = await freePort('udp');
  const carrierPort = await freePort('udp');
  const dataDir = mkdtempSync(join(tmpdir(), 'talkbridge-bench-e2e-'));
  const app: BenchApp =
    contender === 'talkbridge' ? { name: 'talkbridge', script: 'talkbridge-app.ts', args: (target) => ['--agent', target, '--data-dir', dataDir] } : B2BUA_APP;
  let sut: SystemUnderTest | null = null;
  try {
    // The same placement of the SIP server for both contenders (bench/lib/sut.ts, as the b2bua bench).
    sut = await startB2bua(placement, agentPort, [], app);
    const pids = sut.processes.map((p) => p.pid);
    const sipPort = sut.sipPort;
    // One callee for the warm-up and the measured calls; its failures and retransmissions count.
    const agent = await startSipp({
      name: `${contender}-agent`,
      scenario: 'sip-scenarios/bench/uas-answer.xml',
      localPort: agentPort,
      calls: WARMUP.calls + calls,
      timeoutS: Math.ceil(WARMUP.calls / WARMUP.rate + expectedS) + 30,
    });
    await waitUdpBound(agentPort, 10_000, agent.done);
    const carrier = (calls: number, rate: number): ReturnType<typeof startSipp> =>
      startSipp({
        name: `${contender}-carrier`,
        scenario: 'sip-scenarios/calls/uac-carrier-bench-call.xml',
        localPort: carrierPort,
        target: { address: '127.0.0.1', port: sipPort },
        calls,
        rate,
        pauseMs: 0,
        limit: Math.max(1000, rate),
        // A step that cannot keep the pace has failed already: stop it soon after its nominal end.
        timeoutS: Math.ceil(calls / rate) + 4,
        extraArgs: ['-s', '+15550100', '-key', 'caller', '+14155551212'],
      });
    // Each step starts a fresh process: warm its JIT up first, as the b2bua bench does.
    const warm = await (await carrier(WARMUP.calls, WARMUP.rate)).done;
    if (warm.code !== 0) return failedWarmup(rate, warm);
    const cpuBefore = await cpuMs(pids);
    const started = Date.now();
    const uac = await (await carrier(calls, rate)).done;
    const wallS = (Date.now() - started) / 1000;
    const cpuUsPerCall = ((await cpuMs(pids)) - cpuBefore) * (1000 / calls);
    // SIPp as callee may keep waiting after its last call until its -timeout: stop it once the
    // caller is done (its statistics are written on exit), as bench/lib/load-step.ts does.
    const early = await Promise.race([agent.done, sleep(uac.code === 0 ? 5000 : 1500).then(() => null)]);
    if (early === null) await agent.child.stop(1000);
    const uas = early ?? (await agent.done);
    const stats = (await sut.stats().catch(() => null))?.app ?? {};
    const reasons = judgeStep({ calls, expectedS, wallS, uac, uas }).reasons;
    const crash = sut.crashed();
    if (crash) reasons.push(crash);
    const appFailed = appFailures(contender, stats);
    if (appFailed > 0) reasons.push(`${appFailed} calls failed in the app`);
    const loop = stats.loop as { maxMs?: number; gcMaxMs?: number } | undefined;
    return {
      rate,
      ok: reasons.length === 0,
      stats: uac.stats,
      cpuUsPerCall,
      responseTimeMs: uac.stats?.responseTimeMs ?? Number.NaN,
      loopMaxMs: typeof loop?.maxMs === 'number' ? Math.round(loop.maxMs) : null,
      detail:
        reasons.length === 0
          ? 'ok'
          : `${reasons.join('; ')}${loop?.maxMs !== undefined ? `; longest event-loop delay ${Math.round(loop.maxMs)} ms (GC pause ${Math.round(loop.gcMaxMs ?? 0)} ms)` : ''}` +
            `${firstSippError(uas.errors) ? `; callee: ${firstSippError(uas.errors)}` : ''}`,
    };
  } finally {
    await sut?.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function failedWarmup(rate: number, warm: SippOutcome): Step {
  return { rate, ok: false, stats: null, cpuUsPerCall: Number.NaN, responseTimeMs: Number.NaN, loopMaxMs: null, detail: `warm-up failed: carrier exit ${warm.code}; ${firstSippError(warm.errors) ?? ''}` };
}

function appFailures(contender: Contender, stats: Record<string, unknown>): number {
  if (contender === 'engine-b2bua') return Number(stats.failed ?? 0);
  const results = (stats.results ?? {}) as Record<string, number>;
  return Object.entries(results)
    .filter(([result]) => result !== 'answered')
    .reduce((sum, [, n]) => sum + n, 0);
}
