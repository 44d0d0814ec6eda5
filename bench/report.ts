/**
 * Print bench figures: a readable table, then one JSON line per figure (machine-readable, stable
 * field names) — e.g. `{"bench":"parser-invite","value":412000,"unit":"msgs/s","baseline":121000,"ratio":3.4}`.
 */
import type { BenchFigure } from './bench-figure.js';

const fmt = (v: unknown): string => {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return String(v);
    if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
    return String(Math.round(v * 100) / 100);
  }
  return v === undefined || v === null ? '' : String(v);
};

/** Rounds numbers for the JSON line: integers for big values, 2 decimals for small ones. */
function tidy(figure: BenchFigure): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(figure)) {
    if (v === undefined) continue;
    out[k] = typeof v === 'number' && Number.isFinite(v) ? (Math.abs(v) >= 100 ? Math.round(v) : Math.round(v * 100) / 100) : v;
  }
  return out;
}

export function formatTable(figures: BenchFigure[]): string {
  const columns: string[] = ['bench'];
  for (const f of figures) for (const k of Object.keys(f)) if (!columns.includes(k) && k !== 'note') columns.push(k);
  if (figures.some((f) => 'note' in f && f.note)) columns.push('note');
  const rows = figures.map((f) => columns.map((c) => fmt((f as Record<string, unknown>)[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ');
  return [line(columns), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function report(figures: BenchFigure[], write: (line: string) => void = (l) => process.stdout.write(l + '\n')): void {
  if (figures.length === 0) {
    write('(no figures)');
    return;
  }
  write(formatTable(figures));
  write('');
  for (const f of figures) write(JSON.stringify(tidy(f)));
}
