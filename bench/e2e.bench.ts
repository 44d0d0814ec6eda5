/**
 * `npm run bench -- e2e`: end-to-end calls/s with 0 failures — SIPp carrier → talkbridge (embedded
 * SIP server + call control + SQLite store, bench/apps/talkbridge-app.ts) → SIPp AI agent → BYE —
 * next to the engine-only B2BUA (bench/apps/b2bua-app.ts: the same embedded server with a bare
 * drachtio-srf createB2BUA application) measured in the same run between the same SIPp peers.
 *
 * Each contender is ramped through the same call rates (alternating contenders at every step so
 * both see the same machine state); a step counts when every call of it succeeded (SIPp: no failed
 * call) and the app reports no failure. After a contender's first failing rung, two bisection steps
 * between its last pass and that failure narrow the figure down (contenders still alternating).
 * The figure is the highest clean rate's achieved calls/s. Target: talkbridge ≥ 70 % of the
 * engine-only figure.
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
import { type NodeChild, spawnNodeApp, useCompiledApps } from './lib/children.js';
import { cpuMs } from './lib/cpu.js';
import { freePort, sleep, waitUdpBound } from './lib/ports.js';
import { startSipp, type SippStats } from './lib/sipp-load.js';

const RATES = [100, 150, 200, 250, 300, 350, 400, 500, 600, 700, 800, 1000, 1200];
const STEP_SECONDS = 4;
/** Bisection steps after each contender's first failure. */
const REFINE = 2;
const SECRET = 'bench-e2e';

type Contender = 'engine-b2bua' | 'talkbridge';

interface Step {
  rate: number;
  ok: boolean;
  stats: SippStats | null;
  /** CPU time of the contender's process while the carrier ran, per call, µs. */
  cpuUsPerCall: number;
  detail: string;
}

export default async function run(): Promise<BenchFigure[]> {
  const runtime = process.env.BENCH_TSX === '1' ? 'tsx' : await useCompiledApps(['talkbridge-app.ts', 'b2bua-app.ts']);
  const load = loadavg()[0] ?? 0;
  const best: Record<Contender, Step | null> = { 'engine-b2bua': null, talkbridge: null };
  const passed: Record<Contender, Map<number, Step>> = { 'engine-b2bua': new Map(), talkbridge: new Map() };
  const stopped: Record<Contender, boolean> = { 'engine-b2bua': false, talkbridge: false };
  const bounds: Record<Contender, { pass: number; fail: number } | null> = { 'engine-b2bua': null, talkbridge: null };
  const failures: string[] = [];
  for (const rate of RATES) {
    for (const contender of ['engine-b2bua', 'talkbridge'] as const) {
      if (stopped[contender]) continue;
      const step = await runStep(contender, rate);
      process.stderr.write(`e2e: ${contender} @${rate}/s ${step.ok ? 'ok' : 'failed'}, ${Math.round(step.cpuUsPerCall)} µs CPU/call\n`);
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
      process.stderr.write(`e2e: ${contender} @${rate}/s ${step.ok ? 'ok' : 'failed'} (refining), ${Math.round(step.cpuUsPerCall)} µs CPU/call\n`);
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
  return [
    {
      bench: 'e2e',
      value,
      unit: 'calls/s',
      baseline,
      ratio: baseline > 0 ? value / baseline : Number.NaN,
      cpu_us_per_call: cpu('talkbridge'),
      baseline_cpu_us_per_call: cpu('engine-b2bua'),
      cpu_at_calls_per_s: cpuRate,
      note:
        `carrier → talkbridge (session, contact, timeline in SQLite) → AI agent → BYE, 0 failed calls; baseline: engine-only createB2BUA; ` +
        `steps of ${STEP_SECONDS}s; apps as ${runtime}; load average at start ${load.toFixed(1)}; target ratio ≥ 0.70` +
        `${failures.length ? `; first failing steps: ${failures.join(' | ')}` : ''}`,
    },
  ];
}

function callsPerSecond(step: Step | null): number {
  if (!step?.stats) return 0;
  return step.stats.elapsedS > 0 ? step.stats.successful / step.stats.elapsedS : step.rate;
}

async function runStep(contender: Contender, rate: number): Promise<Step> {
  const calls = rate * STEP_SECONDS;
  const agentPort = await freePort('udp');
  const carrierPort = await freePort('udp');
  const dataDir = mkdtempSync(join(tmpdir(), 'talkbridge-bench-e2e-'));
  const agentUri = `sip:agent@127.0.0.1:${agentPort}`;
  const app: NodeChild =
    contender === 'talkbridge'
      ? spawnNodeApp('talkbridge', 'talkbridge-app.ts', ['--agent', agentUri, '--data-dir', dataDir, '--secret', SECRET])
      : spawnNodeApp('b2bua', 'b2bua-app.ts', ['--server', 'inproc', '--sip-port', '0', '--secret', SECRET, '--target', agentUri]);
  try {
    const { sipPort } = await app.waitFor<{ sipPort: number }>('ready', 30_000);
    const agent = await startSipp({
      name: `${contender}-agent`,
      scenario: 'sip-scenarios/bench/uas-answer.xml',
      localPort: agentPort,
      calls,
      timeoutS: STEP_SECONDS * 4 + 30,
    });
    await waitUdpBound(agentPort, 10_000, agent.done);
    const cpuBefore = await cpuMs([app.pid]);
    const carrier = await startSipp({
      name: `${contender}-carrier`,
      scenario: 'sip-scenarios/calls/uac-carrier-bench-call.xml',
      localPort: carrierPort,
      target: { address: '127.0.0.1', port: sipPort },
      calls,
      rate,
      pauseMs: 0,
      timeoutS: STEP_SECONDS * 4 + 20,
      extraArgs: ['-s', '+15550100', '-key', 'caller', '+14155551212'],
    });
    const uac = await carrier.done;
    const cpuUsPerCall = ((await cpuMs([app.pid])) - cpuBefore) * (1000 / calls);
    // SIPp as callee may keep waiting after its last call until its -timeout: stop it once the
    // caller is done (its statistics are written on exit), as bench/lib/load-step.ts does.
    const early = await Promise.race([agent.done, sleep(uac.code === 0 ? 5000 : 1500).then(() => null)]);
    if (early === null) await agent.child.stop(1000);
    const uas = early ?? (await agent.done);
    const stats = (await app.rpc<{ app: Record<string, unknown> }>('stats', {}, 10_000).catch(() => null))?.app ?? {};
    const appFailed = appFailures(contender, stats);
    const ok = uac.code === 0 && uac.stats?.failed === 0 && uac.stats.successful === calls && uas.stats?.failed === 0 && appFailed === 0;
    return {
      rate,
      ok,
      stats: uac.stats,
      cpuUsPerCall,
      detail: ok
        ? 'ok'
        : `uac exit ${uac.code}, ${uac.stats?.successful ?? '?'} ok / ${uac.stats?.failed ?? '?'} failed ${JSON.stringify(uac.stats?.causes ?? {})}; uas failed ${uas.stats?.failed ?? "?"} ${JSON.stringify(uas.stats?.causes ?? {})} ${uas.errors.slice(0, 300)}; app failures ${appFailed}`,
    };
  } finally {
    await app.rpc('stop', {}, 10_000).catch(() => undefined);
    await app.stop(5_000);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function appFailures(contender: Contender, stats: Record<string, unknown>): number {
  if (contender === 'engine-b2bua') return Number(stats.failed ?? 0);
  const results = (stats.results ?? {}) as Record<string, number>;
  return Object.entries(results)
    .filter(([result]) => result !== 'answered')
    .reduce((sum, [, n]) => sum + n, 0);
}
