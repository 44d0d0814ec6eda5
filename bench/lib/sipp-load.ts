/**
 * SIPp as a load generator (UAC at a fixed rate) or as the far-end callee (UAS), each in the
 * foreground as a registered child process, with its statistics file (-trace_stat) parsed at the
 * end: successful/failed calls, retransmissions, unexpected and dead-call messages, response time.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Child, REPO_ROOT, spawnChild } from './children.js';

export interface SippLoadOptions {
  name: string;
  /** Scenario path relative to the repository root. */
  scenario: string;
  localPort: number;
  /** Where the UAC sends its first request (the UAS needs no target but SIPp wants one). */
  target?: { address: string; port: number };
  /** -m: exit after this many calls. */
  calls: number;
  /** -r calls per second (UAC). */
  rate?: number;
  /** -d: duration of `<pause/>` in ms. */
  pauseMs?: number;
  /** -l: concurrent call limit. */
  limit?: number;
  /** -timeout: the whole run stops after this (and counts as failed). */
  timeoutS: number;
  extraArgs?: string[];
}

export interface SippStats {
  created: number;
  successful: number;
  failed: number;
  /** Failed calls by SIPp's cause counters that are non-zero, e.g. `{FailedUnexpectedMessage: 3}`. */
  causes: Record<string, number>;
  retransmissions: number;
  outOfCallMsgs: number;
  deadCallMsgs: number;
  warnings: number;
  /** Mean INVITE→200 (rtd) and call length, SIPp's whole-ms resolution. */
  responseTimeMs: number;
  callLengthMs: number;
  elapsedS: number;
  /** Cumulative call rate SIPp achieved (created calls / elapsed). */
  callRate: number;
}

export interface SippOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stats: SippStats | null;
  /** Tail of stdout/stderr, head and tail of the error log, for reports. */
  output: string;
  errors: string;
}

export interface SippProcess {
  child: Child;
  done: Promise<SippOutcome>;
}

const BUFFER = 4 * 1024 * 1024;

export async function startSipp(options: SippLoadOptions): Promise<SippProcess> {
  const dir = await mkdtemp(join(tmpdir(), `talkbridge-bench-${options.name}-`));
  const statFile = join(dir, 'stat.csv');
  const errorFile = join(dir, 'errors.log');
  const target = options.target ?? { address: '127.0.0.1', port: options.localPort };
  const args = [
    '-sf', resolve(REPO_ROOT, options.scenario),
    '-t', 'u1',
    '-i', '127.0.0.1',
    '-p', String(options.localPort),
    '-m', String(options.calls),
    '-timeout', `${options.timeoutS}s`,
    '-timeout_error',
    '-nostdin',
    '-buff_size', String(BUFFER),
    '-max_recv_loops', '10000',
    '-max_sched_loops', '10000',
    '-trace_stat', '-stf', statFile, '-fd', '3600',
    '-trace_err', '-error_file', errorFile, '-max_log_size', '200000',
    ...(options.rate !== undefined ? ['-r', String(options.rate), '-rp', '1000'] : []),
    ...(options.pauseMs !== undefined ? ['-d', String(options.pauseMs)] : []),
    ...(options.limit !== undefined ? ['-l', String(options.limit)] : []),
    ...(options.extraArgs ?? []),
    `${target.address}:${target.port}`,
  ];
  const child = spawnChild(options.name, 'sipp', args, { cwd: dir, keep: 3000 });
  const done = child.exited.then(async ({ code, signal }) => {
    const [csv, errors] = await Promise.all([readFile(statFile, 'utf8').catch(() => ''), readFile(errorFile, 'utf8').catch(() => '')]);
    await rm(dir, { recursive: true, force: true });
    return { code, signal, stats: parseStatCsv(csv), output: child.output(), errors: errors.length > 6000 ? `${errors.slice(0, 4000)}\n[…]\n${errors.slice(-2000)}` : errors };
  });
  return { child, done };
}

/** The last row of SIPp's -trace_stat CSV, cumulative (C) counters. */
export function parseStatCsv(csv: string): SippStats | null {
  const lines = csv.split('\n').filter((l) => l.trim() !== '');
  if (lines.length < 2) return null;
  const header = (lines[0] as string).split(';');
  const row = (lines[lines.length - 1] as string).split(';');
  const field = (name: string): string => row[header.indexOf(name)] ?? '';
  const num = (name: string): number => Number(field(name)) || 0;
  const causes: Record<string, number> = {};
  header.forEach((h, i) => {
    if (h.startsWith('Failed') && h.endsWith('(C)') && h !== 'FailedCall(C)' && Number(row[i]) > 0) causes[h.slice(0, -3)] = Number(row[i]);
  });
  return {
    created: num('TotalCallCreated'),
    successful: num('SuccessfulCall(C)'),
    failed: num('FailedCall(C)'),
    causes,
    retransmissions: num('Retransmissions(C)'),
    outOfCallMsgs: num('OutOfCallMsgs(C)'),
    deadCallMsgs: num('DeadCallMsgs(C)'),
    warnings: num('Warnings(C)'),
    responseTimeMs: durationMs(field('ResponseTime1(C)')),
    callLengthMs: durationMs(field('CallLength(C)')),
    elapsedS: durationMs(field('ElapsedTime(C)')) / 1000,
    callRate: num('CallRate(C)'),
  };
}

/** SIPp durations: `HH:MM:SS` or `HH:MM:SS:microseconds`. */
function durationMs(value: string): number {
  const parts = value.split(':').map(Number);
  if (parts.length < 3 || parts.some((p) => !Number.isFinite(p))) return Number.NaN;
  const [h, m, s, us] = parts as [number, number, number, number | undefined];
  return ((h * 60 + m) * 60 + s) * 1000 + (us ?? 0) / 1000;
}

/** The first event of a SIPp error log, on one line (e.g. "Aborting call on unexpected message … received 'INVITE …'"). */
export function firstSippError(errors: string): string | null {
  const m = /\d+\.\d+: ([^\n]+(?:\n[A-Z][^\n]*){0,2})/.exec(errors.replace(/^The following events occurred:\n/, ''));
  return m ? m[1]!.replace(/\s*\n\s*/g, ' | ').slice(0, 400) : null;
}
