/**
 * What a benchmark module reports. Every `bench/*.bench.ts` exports
 * `default async function run(): Promise<BenchFigure[]>`; `bench/run.ts` collects the figures and
 * `bench/report.ts` prints them.
 */

/** Throughput next to a baseline measured in the same run: `{"bench":"parser-invite","value":412000,"unit":"msgs/s","baseline":121000,"ratio":3.4}`. */
export interface ThroughputFigure {
  bench: string;
  value: number;
  unit: string;
  baseline?: number;
  ratio?: number;
  note?: string;
}

/** Latency percentiles: `{"bench":"transfer","p50_ms":0.9,"p99_ms":2.7,"n":2000}`. */
export interface LatencyFigure {
  bench: string;
  p50_ms: number;
  p99_ms: number;
  n: number;
  note?: string;
}

/** Any other figure: a name plus flat scalar fields. */
export type CustomFigure = { bench: string } & Record<string, string | number | boolean | null>;

export type BenchFigure = ThroughputFigure | LatencyFigure | CustomFigure;

export type BenchModule = { default: () => Promise<BenchFigure[]> };
