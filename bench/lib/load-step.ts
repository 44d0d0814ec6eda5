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
    const verdict = judgeStep({ calls, expectedS, wallS, uac: uacOutcome, uas: uasFinal });
    const reasons = verdict.reasons;
    const crash = sut.crashed();
    if (crash) reasons.push(crash);
    return {
      rate,
      calls,
      pass: reasons.length === 0,
      successful: verdict.successful,
      failed: verdict.failed,
      retransmissions: verdict.retransmissions,
      responseTimeMs: uacOutcome.stats?.responseTimeMs ?? Number.NaN,
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

export interface StepVerdict {
  successful: number;
  /** Failed calls on both sides. */
  failed: number;
  /** Retransmissions on both sides. */
  retransmissions: number;
  /** Why the step fails; empty when it passes. */
  reasons: string[];
}

/**
 * The pass rule of a load step (see the head of this file), from the caller's and the callee's
 * SIPp outcomes: every call succeeded on both sides, no retransmission, mean INVITE→200 within
 * MAX_MEAN_RTD_MS, and the caller kept the pace (`wallS` at most 1 s beyond `expectedS`).
 */
export function judgeStep(step: { calls: number; expectedS: number; wallS: number; uac: SippOutcome; uas: SippOutcome }): StepVerdict {
  const s = step.uac.stats;
  const b = step.uas.stats;
  const failed = (s?.failed ?? 0) + (b?.failed ?? 0);
  const successful = s?.successful ?? 0;
  const retransmissions = (s?.retransmissions ?? 0) + (b?.retransmissions ?? 0);
  const reasons: string[] = [];
  if (step.uac.code !== 0) reasons.push(`caller exit ${step.uac.code ?? step.uac.signal}`);
  if (step.uas.code !== 0) reasons.push(`callee exit ${step.uas.code ?? step.uas.signal}`);
  if (successful !== step.calls) reasons.push(`${successful}/${step.calls} calls succeeded`);
  if (failed > 0) reasons.push(`${failed} failed (${JSON.stringify({ ...s?.causes, ...prefix('uas.', b?.causes) })})`);
  if (retransmissions > 0) reasons.push(`${retransmissions} retransmissions`);
  if (step.wallS > step.expectedS + 1) reasons.push(`took ${step.wallS.toFixed(1)} s for ${step.expectedS.toFixed(1)} s of calls`);
  const rtd = s?.responseTimeMs ?? Number.NaN;
  if (rtd > MAX_MEAN_RTD_MS) reasons.push(`mean INVITE→200 ${rtd} ms > ${MAX_MEAN_RTD_MS} ms (a backlog is building up)`);
  return { successful, failed, retransmissions, reasons };
}

function prefix(p: string, record: Record<string, number> | undefined): Record<string, number> {
  return Object.fromEntries(Object.entries(record ?? {}).map(([k, v]) => [p + k, v]));
}

export interface SearchOptions extends StepOptions {
  /** Rates tried in order until each contender's first failure. */
  ladder: number[];
  stepSeconds: number;
  /** Settle time after each step (late retransmissions, timers). */
  settleMs: number;
  log: (line: string) => void;
}

export interface Contender {
  name: string;
  start: (uasPort: number) => Promise<SystemUnderTest>;
  /** Calls run (and not counted) on every freshly started system, e.g. JIT warm-up. */
  warmup?: { rate: number; calls: number };
  /** Bisection steps between the last pass and the first failure. */
  refine: number;
}

export interface SearchResult {
  name: string;
  best: StepResult | null;
  firstFailure: StepResult | null;
  steps: StepResult[];
  /** The system's own counters after its last step (before it was closed). */
  finalStats: Awaited<ReturnType<SystemUnderTest['stats']>> | null;
  /** Set when the system could not be started or a step threw. */
  error: string | null;
}

/** One contender's search state: its running system, results so far, bisection bounds. */
class Search {
  readonly result: SearchResult;
  private current: { sut: SystemUnderTest; uasPort: number } | null = null;
  private lo = 0;
  private hi = 0;
  refinesLeft: number;

  constructor(
    private readonly contender: Contender,
    private readonly options: SearchOptions,
  ) {
    this.result = { name: contender.name, best: null, firstFailure: null, steps: [], finalStats: null, error: null };
    this.refinesLeft = contender.refine;
  }

  get climbing(): boolean {
    return this.result.firstFailure === null && this.result.error === null;
  }

  /** The next bisection rate, or null when done (no failure, no budget, or the gap is small). */
  nextRefinement(): number | null {
    if (this.result.error !== null || this.result.firstFailure === null || this.refinesLeft <= 0) return null;
    if (this.hi - this.lo <= Math.max(25, this.lo * 0.05)) return null;
    return Math.round((this.lo + this.hi) / 2 / 10) * 10;
  }

  async attempt(rate: number): Promise<void> {
    const { options } = this;
    const name = this.contender.name;
    try {
      const { sut, uasPort } = await this.fresh();
      const calls = Math.max(50, Math.round(rate * options.stepSeconds));
      const step = await runStep(sut, uasPort, rate, calls, options);
      this.result.steps.push(step);
      options.log(
        `  ${name.padEnd(12)} ${String(rate).padStart(5)} calls/s × ${calls}: ${step.pass ? 'pass' : 'FAIL'}` +
          ` (ok ${step.successful}, failed ${step.failed}, retrans ${step.retransmissions}, rtd ${step.responseTimeMs} ms, ${step.wallS.toFixed(1)} s,` +
          ` cpu µs/call ${Object.entries(step.cpuUsPerCall).map(([r, v]) => `${r} ${Math.round(v)}`).join(' ')})` +
          (step.pass ? '' : ` — ${step.why.split('\n')[0]}`),
      );
      if (step.pass) {
        if (!this.result.best || rate > this.result.best.rate) this.result.best = step;
        this.lo = Math.max(this.lo, rate);
      } else {
        const first = firstUnexpected(step);
        if (first) options.log(`  ${name.padEnd(12)}   first SIPp error: ${first}`);
        if (this.result.firstFailure === null) this.result.firstFailure = step;
        this.hi = this.hi === 0 ? rate : Math.min(this.hi, rate);
        // A failed step leaves the system busy with the failed calls' retransmissions and timers
        // for up to 32 s: the next step of this contender runs on a freshly started one.
        await this.retire();
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      options.log(`  ${name}: ${message}`);
      this.result.error = message.split('\n').slice(0, 6).join(' | ');
      await this.retire();
    }
    await sleep(options.settleMs);
  }

  async retire(): Promise<void> {
    if (!this.current) return;
    this.result.finalStats = await this.current.sut.stats().catch(() => null);
    await this.current.sut.close().catch(() => undefined);
    this.current = null;
  }

  private async fresh(): Promise<{ sut: SystemUnderTest; uasPort: number }> {
    if (this.current) return this.current;
    const uasPort = await freePort('udp');
    const sut = await this.contender.start(uasPort);
    this.current = { sut, uasPort };
    const warmup = this.contender.warmup;
    if (warmup) {
      const w = await runStep(sut, uasPort, warmup.rate, warmup.calls, this.options);
      this.options.log(`  ${this.contender.name.padEnd(12)} warm-up ${warmup.rate} calls/s × ${warmup.calls}: ${w.pass ? 'ok' : `FAIL — ${w.why.split('\n')[0]}`}`);
      await sleep(this.options.settleMs);
    }
    return this.current;
  }
}

/**
 * Highest passing rate of every contender, searched in lockstep so that all of them see the same
 * machine state (the machine is shared): every rung of the ladder is tried by each contender still
 * climbing, in turn; then the bisections between each one's last pass and first failure, again in
 * turn. Each contender's system stays up between its steps (and is restarted after a failure).
 */
export async function searchAll(contenders: Contender[], options: SearchOptions): Promise<SearchResult[]> {
  const searches = contenders.map((c) => new Search(c, options));
  try {
    for (const rate of options.ladder) {
      const climbing = searches.filter((s) => s.climbing);
      if (climbing.length === 0) break;
      for (const search of climbing) await search.attempt(rate);
    }
    for (;;) {
      const pending = searches.map((s) => [s, s.nextRefinement()] as const).filter((e): e is readonly [Search, number] => e[1] !== null);
      if (pending.length === 0) break;
      for (const [search, rate] of pending) {
        search.refinesLeft--;
        await search.attempt(rate);
      }
    }
  } finally {
    for (const search of searches) await search.retire();
  }
  return searches.map((s) => s.result);
}

/** The first event of SIPp's error logs (callee first: it sees the engine's requests), one line. */
export function firstUnexpected(step: StepResult): string | null {
  return firstSippError(step.uas?.errors ?? '') ?? firstSippError(step.uac.errors);
}
