/**
 * Benchmark runner (`npm run bench`): runs every `bench/*.bench.ts`, or only the ones named on the
 * command line (`npm run bench -- parser` runs `bench/parser.bench.ts`). Each module's default
 * export returns figures; they are printed as a table and as JSON lines by `report.ts`.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchFigure, BenchModule } from './bench-figure.js';
import { report } from './report.js';

const dir = fileURLToPath(new URL('.', import.meta.url));
const SUFFIX = '.bench.ts';

async function main(): Promise<number> {
  const available = readdirSync(dir)
    .filter((f) => f.endsWith(SUFFIX))
    .map((f) => f.slice(0, -SUFFIX.length))
    .sort();
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const unknown = wanted.filter((w) => !available.includes(w));
  if (unknown.length > 0) {
    process.stderr.write(`unknown bench: ${unknown.join(', ')} (available: ${available.join(', ') || 'none'})\n`);
    return 2;
  }
  const selected = wanted.length > 0 ? wanted : available;
  const figures: BenchFigure[] = [];
  let failed = 0;
  for (const name of selected) {
    process.stderr.write(`running ${name} …\n`);
    try {
      const mod = (await import(pathToFileURL(dir + name + SUFFIX).href)) as BenchModule;
      figures.push(...(await mod.default()));
    } catch (error) {
      failed++;
      process.stderr.write(`bench ${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
  }
  report(figures);
  return failed > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(String(error) + '\n');
    process.exit(1);
  },
);
