/**
 * One load step: a SIPp callee (exits after `calls` calls) and a SIPp caller at `rate` calls/s
 * for `calls` calls through the system under test, both bounded by timeouts; and a bounded step
 * search for the highest rate that passes.
 *
 * A step passes when every call succeeded on both sides, nobody retransmitted (a retransmission
 * means a request or response waited ≥ 500 ms — the system is queueing, even if every call ends
 * up succeeding), the mean INVITE→200 stayed ≤ 250 ms, and SIPp kept the pace (the run took at
 * most 1 s longer than calls/rate + the call's pause): a system that passes only because the step
 * ended before its backlog turned into failures does not pass.
 */
import { cpuMs, processTree } from './cpu.js';
import { freePort, sleep, waitUdpBound } from './ports.js';
import { firstSippError, type SippOutcome, startSipp } from './sipp-load.js';
import type { SystemUnderTest } from './sut.js';

/** A step whose mean INVITE→200 exceeds this is queueing (it would fail if it ran longer). */
export const MAX_MEAN_RTD_MS = 250;

export const UAC_SCENARIO = 'sip-scenarios/bench/uac-call.xml';
export const UAS_SCENARIO = 'sip-scenarios/bench/uas-answer.xml';

export interface StepResult {
  rate: number;
  calls: number;
  pass: boolean;
  successful: number;
  failed: number;
  retransmissions: number;
  /** Mean INVITE→200 at the caller (SIPp, whole ms). */
  responseTimeMs: number;
  /** Wall time of the caller's run. */
  wallS: number;
  /** CPU time (user+system) per call of each process of the system under test, µs. */
  cpuUsPerCall: Record<string, number>;
  why: string;
  uac: SippOutcome;
  uas: SippOutcome | null;
}

export interface StepOptions {
  pauseMs: number;
  /** The caller stops (failing) this long after calls/rate + pause. Default 4 s. */
  graceS?: number;
  /** Extra SIPp caller arguments. */
  uacArgs?: string[];
}

export async function runStep(sut: SystemUnderTest, uasPort: number, rate: number, calls: number, options: StepOptions): Promise<StepResult> {
  const expectedS = calls / rate + options.pauseMs / 1000;
  // A step that cannot keep the pace has failed already: stop it soon after its nominal end.
  const timeoutS = Math.ceil(expectedS + (options.graceS ?? 4));
  const uas = await startSipp({ name: 'uas', scenario: UAS_SCENARIO, localPort: uasPort, calls, timeoutS: timeoutS + 5 });
  let uac: Awaited<ReturnType<typeof startSipp>> | null = null;
  try {
    await waitUdpBound(uasPort, 10_000, uas.done);
    const uacPort = await freePort('udp');
    const trees = await Promise.all(sut.processes.map(async (p) => ({ role: p.role, pids: await processTree(p.pid) })));
    const cpuBefore = await Promise.all(trees.map((t) => cpuMs(t.pids)));
    const started = Date.now();
    uac = await startSipp({
      name: 'uac',
      scenario: UAC_SCENARIO,
      localPort: uacPort,
      target: { address: '127.0.0.1', port: sut.sipPort },
      calls,
      rate,
      pauseMs: options.pauseMs,
      limit: Math.max(1000, rate),
      timeoutS,
      extraArgs: options.uacArgs ?? [],
    });
    const uacOutcome = await uac.done;
    const wallS = (Date.now() - started) / 1000;
    const cpuAfter = await Promise.all(trees.map((t) => cpuMs(t.pids)));
    const cpuUsPerCall = Object.fromEntries(trees.map((t, i) => [t.role, (((cpuAfter[i] as number) - (cpuBefore[i] as number)) * 1000) / calls]));
    // The callee ends once it has seen `calls` calls; after a failure it may wait for calls that never come.
    const uasOutcome = await Promise.race([uas.done, sleep(uacOutcome.code === 0 ? 5000 : 1500).then(() => null)]);
    if (uasOutcome === null) await uas.child.stop(1000);
    const uasFinal = uasOutcome ?? (await uas.done);
    const s = uacOutcome.stats;
    const b = uasFinal.stats;
    const failed = (s?.failed ?? 0) + (b?.failed ?? 0);
    const successful = s?.successful ?? 0;
    const retransmissions = (s?.retransmissions ?? 0) + (b?.retransmissions ?? 0);
    const reasons: string[] = [];
    if (uacOutcome.code !== 0) reasons.push(`caller exit ${uacOutcome.code ?? uacOutcome.signal}`);
    if (uasFinal.code !== 0) reasons.push(`callee exit ${uasFinal.code ?? uasFinal.signal}`);
    if (successful !== calls) reasons.push(`${successful}/${calls} calls succeeded`);
    if (failed > 0) reasons.push(`${failed} failed (${JSON.stringify({ ...s?.causes, ...prefix('uas.', b?.causes) })})`);
    if (retransmissions > 0) reasons.push(`${retransmissions} retransmissions`);
    if (wallS > expectedS + 1) reasons.push(`took ${wallS.toFixed(1)} s for ${expectedS.toFixed(1)} s of calls`);
    const rtd = s?.responseTimeMs ?? Number.NaN;
    if (rtd > MAX_MEAN_RTD_MS) reasons.push(`mean INVITE→200 ${rtd} ms > ${MAX_MEAN_RTD_MS} ms (a backlog is building up)`);
    const crash = sut.crashed();
    if (crash) reasons.push(crash);
    return {
      rate,
      calls,
      pass: reasons.length === 0,
      successful,
      failed,
      retransmissions,
      responseTimeMs: s?.responseTimeMs ?? Number.NaN,
      wallS,
      cpuUsPerCall,
      why: reasons.join('; '),
      uac: uacOutcome,
      uas: uasFinal,
    };
  } finally {
    await uac?.child.stop(1000);
    await uas.child.stop(1000);
  }
}

function prefix(p: string, record: Record<string, number> | undefined): Record<string, number> {
  return Object.fromEntries(Object.entries(record ?? {}).map(([k, v]) => [p + k, v]));
}

export interface SearchOptions extends StepOptions {
  /** Rates tried in order until the first failure. */
  ladder: number[];
  /** Bisection steps between the last pass and the first failure. */
  refine: number;
  stepSeconds: number;
  /** Settle time between steps (late retransmissions, timers). */
  settleMs: number;
  /** Calls run (and not counted) on every freshly started system, e.g. JIT warm-up. */
  warmup?: { rate: number; calls: number };
  log: (line: string) => void;
}

export interface SearchResult {
  best: StepResult | null;
  firstFailure: StepResult | null;
  steps: StepResult[];
  /** The system's own counters after its last step (before it was closed). */
  finalStats: Awaited<ReturnType<SystemUnderTest['stats']>> | null;
}

/**
 * Highest rate with a passing step: the ladder up to its first failure, then `refine` bisections.
 * A failed step leaves the system busy with the failed calls' retransmissions and timers for up
 * to 32 s, so every step after a failure runs on a freshly started system (and callee port).
 */
export async function stepSearch(name: string, start: (uasPort: number) => Promise<SystemUnderTest>, options: SearchOptions): Promise<SearchResult> {
  const steps: StepResult[] = [];
  let best: StepResult | null = null;
  let firstFailure: StepResult | null = null;
  let finalStats: SearchResult['finalStats'] = null;
  let current: { sut: SystemUnderTest; uasPort: number } | null = null;
  const fresh = async (): Promise<{ sut: SystemUnderTest; uasPort: number }> => {
    if (current) return current;
    const uasPort = await freePort('udp');
    const sut = await start(uasPort);
    current = { sut, uasPort };
    if (options.warmup) {
      const w = await runStep(sut, uasPort, options.warmup.rate, options.warmup.calls, options);
      options.log(`  ${name.padEnd(12)} warm-up ${options.warmup.rate} calls/s × ${options.warmup.calls}: ${w.pass ? 'ok' : `FAIL — ${w.why.split('\n')[0]}`}`);
      await sleep(options.settleMs);
    }
    return current;
  };
  const retire = async (): Promise<void> => {
    if (!current) return;
    finalStats = await current.sut.stats().catch(() => null);
    await current.sut.close().catch(() => undefined);
    current = null;
  };
  const attempt = async (rate: number): Promise<StepResult> => {
    const { sut, uasPort } = await fresh();
    const calls = Math.max(50, Math.round(rate * options.stepSeconds));
    const step = await runStep(sut, uasPort, rate, calls, options);
    steps.push(step);
    options.log(
      `  ${name.padEnd(12)} ${String(rate).padStart(5)} calls/s × ${calls}: ${step.pass ? 'pass' : 'FAIL'}` +
        ` (ok ${step.successful}, failed ${step.failed}, retrans ${step.retransmissions}, rtd ${step.responseTimeMs} ms, ${step.wallS.toFixed(1)} s,` +
        ` cpu µs/call ${Object.entries(step.cpuUsPerCall).map(([r, v]) => `${r} ${Math.round(v)}`).join(' ')})` +
        (step.pass ? '' : ` — ${step.why.split('\n')[0]}`),
    );
    if (!step.pass) {
      const first = firstUnexpected(step);
      if (first) options.log(`  ${name.padEnd(12)}   first SIPp error: ${first}`);
      await retire();
    } else {
      await sleep(options.settleMs);
    }
    return step;
  };
  try {
    for (const rate of options.ladder) {
      const step = await attempt(rate);
      if (!step.pass) {
        firstFailure = step;
        break;
      }
      best = step;
    }
    if (firstFailure) {
      let lo = best?.rate ?? 0;
      let hi = firstFailure.rate;
      for (let i = 0; i < options.refine && hi - lo > Math.max(25, lo * 0.05); i++) {
        const mid = Math.round((lo + hi) / 2 / 10) * 10;
        const step = await attempt(mid);
        if (step.pass) {
          best = step;
          lo = mid;
        } else {
          hi = mid;
        }
      }
    }
  } finally {
    await retire();
  }
  return { best, firstFailure, steps, finalStats };
}

/** The first event of SIPp's error logs (callee first: it sees the engine's requests), one line. */
export function firstUnexpected(step: StepResult): string | null {
  return firstSippError(step.uas?.errors ?? '') ?? firstSippError(step.uac.errors);
}
