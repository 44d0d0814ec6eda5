/**
 * Small measuring helpers shared by the benches: throughput with warm-up and a time bound
 * (alternating rounds so that two contenders see the same machine state), and percentiles.
 */

export interface ThroughputOptions {
  /** Warm-up before measuring, per contender. */
  warmupMs?: number;
  /** Total measuring time per contender, split over `rounds`. */
  durationMs?: number;
  /** Alternating rounds; the median round counts. */
  rounds?: number;
}

/** Keeps results alive so the JIT cannot drop the work being measured. */
let sink = 0;
export function consume(value: unknown): void {
  if (value !== undefined && value !== null) sink = (sink + 1) | 0;
}
export function sinkValue(): number {
  return sink;
}

/** Run `op(i)` for `ms` milliseconds; returns operations per second. */
function runFor(op: (i: number) => void, ms: number): number {
  const batch = 64;
  const start = process.hrtime.bigint();
  const limit = BigInt(Math.round(ms * 1e6));
  let n = 0;
  let elapsed = 0n;
  do {
    for (let k = 0; k < batch; k++) op(n + k);
    n += batch;
    elapsed = process.hrtime.bigint() - start;
  } while (elapsed < limit);
  return n / (Number(elapsed) / 1e9);
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

/**
 * Operations per second of each contender, measured in alternating rounds (A B A B …) after a
 * warm-up of each. Returns the median round of each, keyed like `contenders`.
 */
export function compareThroughput<K extends string>(contenders: Record<K, (i: number) => void>, options: ThroughputOptions = {}): Record<K, number> {
  const warmupMs = options.warmupMs ?? 500;
  const rounds = options.rounds ?? 10;
  const roundMs = (options.durationMs ?? 2500) / rounds;
  const names = Object.keys(contenders) as K[];
  for (const name of names) runFor(contenders[name], warmupMs);
  const samples = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<K, number[]>;
  for (let r = 0; r < rounds; r++) {
    for (const name of names) samples[name].push(runFor(contenders[name], roundMs));
  }
  return Object.fromEntries(names.map((n) => [n, median(samples[n])])) as Record<K, number>;
}

/** p-th percentile (0–100) of a sample, nearest-rank. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const rank = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[rank] as number;
}
