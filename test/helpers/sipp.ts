/**
 * Runs SIPp (`sipp`, Debian package sip-tester) as a test peer: one scenario on a free local port
 * of its own (-p; SIPp's default is 5060, which runs would share, so a late packet meant for one
 * run could reach the next), bounded by -m and a global -timeout with -timeout_error, with the
 * -trace_msg and -trace_err logs collected. A missing binary is a failure with an install hint.
 */
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export interface SippOptions {
  /** Scenario file, relative to the repository root or absolute. */
  scenario: string;
  /** The system under test. */
  target: { address: string; port: number };
  transport?: 'udp' | 'tcp';
  /** Local address SIPp binds and writes into its headers. */
  localAddress?: string;
  /** -m: calls to run before exiting. */
  calls?: number;
  /** -timeout (seconds) with -timeout_error: the whole run fails after this. */
  timeoutSeconds?: number;
  extraArgs?: string[];
  /** Local port; default a free one for the transport in use. */
  localPort?: number;
  /** The executable; default `sipp` from PATH. */
  binary?: string;
}

export interface SippResult {
  /** Exit code: 0 all calls passed, 1 some failed, 97/99/-1/-2 see `sipp -h`. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The -trace_msg log: every message sent and received. */
  messages: string;
  /** The -trace_err log: unexpected messages and errors. */
  errors: string;
  args: string[];
}

const REPO_ROOT = resolve(import.meta.dirname, '..', '..');

export async function runSipp(options: SippOptions): Promise<SippResult> {
  const dir = await mkdtemp(join(tmpdir(), 'talkbridge-sipp-'));
  const messageFile = join(dir, 'messages.log');
  const errorFile = join(dir, 'errors.log');
  const transport = options.transport ?? 'udp';
  const localAddress = options.localAddress ?? '127.0.0.1';
  const localPort = options.localPort ?? (await freePort(transport, localAddress));
  const target = options.target.address.includes(':') ? `[${options.target.address}]:${options.target.port}` : `${options.target.address}:${options.target.port}`;
  const args = [
    '-sf', resolve(REPO_ROOT, options.scenario),
    '-t', transport === 'tcp' ? 't1' : 'u1',
    '-i', localAddress,
    '-p', String(localPort),
    '-m', String(options.calls ?? 1),
    '-timeout', `${options.timeoutSeconds ?? 10}s`,
    '-timeout_error',
    '-nostdin',
    '-trace_msg', '-message_file', messageFile,
    '-trace_err', '-error_file', errorFile,
    ...(options.extraArgs ?? []),
    target,
  ];
  try {
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((done, fail) => {
      const child = spawn(options.binary ?? 'sipp', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      child.on('error', (error: NodeJS.ErrnoException) => {
        fail(
          error.code === 'ENOENT'
            ? new Error(`${options.binary ?? 'sipp'} is not installed: run "apt-get install -y sip-tester" (or "bash scripts/install-test-deps.sh")`)
            : error,
        );
      });
      child.on('close', (code, signal) => done({ code, signal, stdout, stderr }));
    });
    return { ...exit, messages: await readIfExists(messageFile), errors: await readIfExists(errorFile), args };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A readable failure message: exit code, command line, errors log, message log tail. */
export function describeSippRun(result: SippResult): string {
  return [
    `sipp exited with code ${result.code}${result.signal ? ` (signal ${result.signal})` : ''}`,
    `command: sipp ${result.args.map((arg) => (arg.includes(' ') ? JSON.stringify(arg) : arg)).join(' ')}`,
    result.stderr.trim() && `stderr:\n${result.stderr.trim()}`,
    result.errors.trim() && `errors log:\n${result.errors.trim()}`,
    `message log (tail):\n${result.messages.slice(-4000)}`,
  ]
    .filter(Boolean)
    .join('\n\n');
}

/** Start lines of the messages SIPp received, in order (from the -trace_msg log). */
export function receivedStartLines(result: SippResult): string[] {
  const lines: string[] = [];
  const blocks = result.messages.split(/\r?\n(?=-{10,})/);
  for (const block of blocks) {
    if (!/message received/i.test(block)) continue;
    const start = block.split(/\r?\n/).find((line) => /^(SIP\/2\.0 \d{3}|[A-Z]+ \S+ SIP\/2\.0)/.test(line.trim()));
    if (start) lines.push(start.trim());
  }
  return lines;
}

/** A port the OS reports free for `transport` on `address` (bound to 0, then released). */
export async function freePort(transport: 'udp' | 'tcp', address = '127.0.0.1'): Promise<number> {
  if (transport === 'udp') {
    const socket = createSocket(address.includes(':') ? 'udp6' : 'udp4');
    socket.bind(0, address);
    await once(socket, 'listening');
    const { port } = socket.address();
    socket.close();
    await once(socket, 'close');
    return port;
  }
  const server = createServer();
  server.listen(0, address);
  await once(server, 'listening');
  const bound = server.address();
  server.close();
  await once(server, 'close');
  if (bound === null || typeof bound === 'string') throw new Error('could not read the free TCP port');
  return bound.port;
}

async function readIfExists(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return '';
  }
}
