/**
 * A pino destination for tests: keeps every JSON log line (parsed, and as written), and waits for
 * the first line that matches — event-driven and bounded, since pino writes asynchronously.
 */
import { PassThrough } from 'node:stream';

type Line = Record<string, unknown>;

export class LogTap {
  readonly lines: Line[] = [];
  /** The lines as written (one JSON text each). */
  readonly texts: string[] = [];
  /** Give this to pino (`createLogger({ destination: tap.stream })`). */
  readonly stream = new PassThrough();
  private waiters: { match: (line: Line, text: string) => boolean; resolve: (i: number) => void }[] = [];

  constructor() {
    this.stream.on('data', (chunk: Buffer) => {
      for (const text of chunk.toString('utf8').split('\n').filter(Boolean)) {
        const i = this.lines.push(JSON.parse(text) as Line) - 1;
        this.texts.push(text);
        this.waiters = this.waiters.filter((w) => (w.match(this.lines[i]!, text) ? (w.resolve(i), false) : true));
      }
    });
  }

  /** The first line whose `msg` is `msg`. */
  next(msg: string, timeoutMs = 3000): Promise<Line> {
    return this.first((line) => line.msg === msg, `log line "${msg}"`, timeoutMs).then((i) => this.lines[i]!);
  }

  /** The first line, as written, that contains every one of `parts`. */
  text(parts: string[], timeoutMs = 3000): Promise<string> {
    return this.first((_l, text) => parts.every((p) => text.includes(p)), `log line with ${parts.join(', ')}`, timeoutMs).then((i) => this.texts[i]!);
  }

  private first(match: (line: Line, text: string) => boolean, what: string, timeoutMs: number): Promise<number> {
    const seen = this.lines.findIndex((line, i) => match(line, this.texts[i]!));
    if (seen >= 0) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.match !== match);
        reject(new Error(`no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push({ match, resolve: (i) => (clearTimeout(timer), resolve(i)) });
    });
  }
}
