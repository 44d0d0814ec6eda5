/**
 * Child processes of a bench run: every child is registered, so that a failure, a timeout or the
 * bench process exiting (even on SIGINT/SIGTERM) kills all of them. Node children get an IPC
 * channel with a small request/reply protocol (`rpc`).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const live = new Set<ChildProcess>();
let hooked = false;

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', killAllNow);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killAllNow();
      process.exit(130);
    });
  }
}

/** SIGKILL every child still running (synchronous; safe in an exit handler). */
export function killAllNow(): void {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  live.clear();
}

export interface Child {
  readonly name: string;
  readonly proc: ChildProcess;
  readonly pid: number;
  /** Settles when the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Output kept for error messages (tail). */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it is gone. */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  ipc?: boolean;
  /** Keep this many characters of stdout+stderr. */
  keep?: number;
}

export function spawnChild(name: string, command: string, args: string[], options: SpawnOptions = {}): Child {
  hookExit();
  const proc = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  live.add(proc);
  const keep = options.keep ?? 8000;
  let out = '';
  const collect = (chunk: Buffer): void => {
    out += chunk.toString('utf8');
    if (out.length > keep * 2) out = out.slice(-keep);
  };
  proc.stdout?.on('data', collect);
  proc.stderr?.on('data', collect);
  // Debugging: BENCH_CHILD_LOG_DIR=/some/dir keeps each child's whole output in <dir>/<name>-<pid>.log.
  const logDir = process.env.BENCH_CHILD_LOG_DIR;
  if (logDir && proc.pid !== undefined) {
    const file = createWriteStream(`${logDir}/${name}-${proc.pid}.log`);
    proc.stdout?.pipe(file);
    proc.stderr?.pipe(file);
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.on('error', (error) => {
      out += `\n[spawn error] ${error.message}`;
      live.delete(proc);
      resolve({ code: -1, signal: null });
    });
    proc.on('exit', (code, signal) => {
      live.delete(proc);
      resolve({ code, signal });
    });
  });
  if (proc.pid === undefined) out += `\n[spawn failed for ${command}]`;
  return {
    name,
    proc,
    pid: proc.pid ?? -1,
    exited,
    output: () => out.slice(-keep),
    async stop(graceMs = 3000) {
      if (proc.exitCode !== null || proc.signalCode !== null || !live.has(proc)) return void (await exited);
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Repository root (bench/lib/ → ../..). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * A module under bench/apps run by node with IPC and --expose-gc: by default the TypeScript
 * source through tsx; after `useCompiledApps()`, the JavaScript bundle compiled from it.
 */
export function spawnNodeApp(name: string, script: string, args: string[], nodeArgs: string[] = []): NodeChild {
  const bundled = compiled?.get(script);
  const entry = bundled ?? fileURLToPath(new URL(`../apps/${script}`, import.meta.url));
  const loader = bundled ? [] : ['--import', 'tsx'];
  // Diagnostics: BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/p" is passed to every bench app.
  const extra = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawnChild(name, process.execPath, ['--expose-gc', ...loader, ...nodeArgs, ...extra, entry, ...args], { cwd: REPO_ROOT, ipc: true });
  return withRpc(child);
}

let compiled: Map<string, string> | null = null;

/**
 * Compile bench/apps/<scripts> (and the sources they import) to JavaScript once per run, so the
 * benches measure what production runs (`npm run build` output) rather than tsx: tsx compiles with
 * esbuild's keepNames, which wraps every function expression in `Object.defineProperty(fn, 'name')`
 * — a slow path on every closure created and a 256-byte property dictionary per closure. Bundled
 * with esbuild (the bundler tsx itself uses), packages left external and resolved from the
 * repository's node_modules. Returns a note for the report; on any failure the apps keep running
 * through tsx.
 */
export async function useCompiledApps(scripts: string[]): Promise<string> {
  if (compiled) return 'compiled JavaScript';
  try {
    const { build } = await import('esbuild');
    const dir = mkdtempSync(join(tmpdir(), 'talkbridge-bench-apps-'));
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    const appsDir = fileURLToPath(new URL('../apps/', import.meta.url));
    await build({
      // The SIP server thread (sip.server.thread: worker) loads ./sip-server-worker.js next to the
      // code that starts it, which in a bundle is the app's own file: bundle that entry alongside.
      entryPoints: {
        ...Object.fromEntries(scripts.map((s) => [s.replace(/\.ts$/, ''), join(appsDir, s)])),
        'sip-server-worker': fileURLToPath(new URL('../../src/sip/server/sip-server-worker.ts', import.meta.url)),
      },
      outdir: dir,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      logLevel: 'silent',
    });
    compiled = new Map(scripts.map((s) => [s, join(dir, s.replace(/\.ts$/, '.js'))]));
    return 'compiled JavaScript';
  } catch (error) {
    process.stderr.write(`bench: could not compile bench apps (${(error as Error).message.split('\n')[0]}); running them through tsx\n`);
    return 'tsx (compile failed)';
  }
}

export interface NodeChild extends Child {
  /** Sends `{id, type, ...payload}` and resolves with the child's reply `{id, ...}`. */
  rpc<T = Record<string, unknown>>(type: string, payload?: Record<string, unknown>, timeoutMs?: number): Promise<T>;
  /** Resolves with the first message of `type` the child sends on its own (e.g. `ready`). */
  waitFor<T = Record<string, unknown>>(type: string, timeoutMs: number): Promise<T>;
}

function withRpc(child: Child): NodeChild {
  let next = 1;
  const pending = new Map<number, (reply: Record<string, unknown>) => void>();
  const waiters: { type: string; resolve: (m: Record<string, unknown>) => void }[] = [];
  const early: Record<string, unknown>[] = [];
  child.proc.on('message', (raw) => {
    const message = raw as Record<string, unknown>;
    if (typeof message.id === 'number') {
      pending.get(message.id)?.(message);
      pending.delete(message.id);
      return;
    }
    const i = waiters.findIndex((w) => w.type === message.type);
    if (i >= 0) waiters.splice(i, 1)[0]!.resolve(message);
    else early.push(message);
  });
  const died = (what: string): Promise<never> =>
    child.exited.then(({ code, signal }) => {
      throw new Error(`${child.name} exited (code ${code}, signal ${signal}) while waiting for ${what}\n${child.output()}`);
    });
  const timeout = (ms: number, what: string): { promise: Promise<never>; cancel: () => void } => {
    let timer: NodeJS.Timeout | undefined;
    const promise = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${child.name}: no ${what} within ${ms} ms\n${child.output()}`)), ms);
    });
    return { promise, cancel: () => clearTimeout(timer) };
  };
  return {
    ...child,
    async rpc<T>(type: string, payload: Record<string, unknown> = {}, timeoutMs = 30_000): Promise<T> {
      const id = next++;
      const reply = new Promise<Record<string, unknown>>((resolve) => pending.set(id, resolve));
      child.proc.send({ ...payload, id, type });
      const t = timeout(timeoutMs, `reply to ${type}`);
      try {
        const message = await Promise.race([reply, died(`reply to ${type}`), t.promise]);
        if (typeof message.error === 'string') throw new Error(`${child.name}: ${type} failed: ${message.error}`);
        return message as T;
      } finally {
        t.cancel();
        pending.delete(id);
      }
    },
    async waitFor<T>(type: string, timeoutMs: number): Promise<T> {
      const i = early.findIndex((m) => m.type === type);
      if (i >= 0) return early.splice(i, 1)[0] as T;
      const message = new Promise<Record<string, unknown>>((resolve) => waiters.push({ type, resolve }));
      const t = timeout(timeoutMs, type);
      try {
        return (await Promise.race([message, died(type), t.promise])) as T;
      } finally {
        t.cancel();
      }
    },
  };
}
