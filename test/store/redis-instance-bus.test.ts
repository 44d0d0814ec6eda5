/**
 * The Redis instance bus against a real redis-server: request/reply by instance id, an absent
 * instance answered at once (PUBLISH reached nobody), a silent one timing out with its late reply
 * dropped, malformed messages dropped while the bus keeps working, and close() leaving nothing
 * behind (not even in a child process that must exit by itself).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createLogger } from '../../src/logger.js';
import type { BusHandler } from '../../src/store/instance-bus.js';
import { RedisInstanceBus } from '../../src/store/redis/redis-instance-bus.js';
import { LogTap } from '../helpers/log-tap.js';
import { type RedisServerHandle, startRedisServer } from '../helpers/redis-server.js';

const requestSchema = z.strictObject({ n: z.number().int() });
const replySchema = z.strictObject({ doubled: z.number().int() });
type Req = z.output<typeof requestSchema>;
type Res = z.output<typeof replySchema>;

let server: RedisServerHandle;
let admin: Redis;
const opened: { close(): Promise<unknown> }[] = [];

beforeAll(async () => {
  server = await startRedisServer();
  admin = new Redis(server.url);
});
afterEach(async () => {
  for (const item of opened.splice(0).reverse()) await item.close();
});
afterAll(async () => {
  await admin?.quit();
  await server?.stop();
});

async function publisher(): Promise<Redis> {
  const redis = new Redis(server.url, { lazyConnect: true });
  await redis.connect();
  opened.push({ close: () => redis.quit() });
  return redis;
}

async function openBus(prefix: string, instanceId: string, handler?: BusHandler<Req, Res>) {
  const log = new LogTap();
  const bus = await RedisInstanceBus.open<Req, Res>({
    publisher: await publisher(),
    instanceId,
    channelPrefix: prefix,
    schemas: { request: requestSchema, reply: replySchema },
    logger: createLogger({ level: 'debug', destination: log.stream }),
  });
  if (handler) bus.serve(handler);
  opened.push(bus);
  return { bus, log };
}

/** A raw subscriber on one channel that never answers; hands over each envelope it receives. */
async function silentPeer(channel: string): Promise<{ received: Promise<Record<string, unknown>> }> {
  const sub = new Redis(server.url);
  opened.push({ close: () => sub.quit() });
  const received = new Promise<Record<string, unknown>>((resolvePromise) => sub.once('message', (_c: string, m: string) => resolvePromise(JSON.parse(m))));
  await sub.subscribe(channel);
  return { received };
}

const prefix = (): string => `t${randomUUID().slice(0, 8)}:bus:`;
const double: BusHandler<Req, Res> = async (request) => ({ doubled: request.n * 2 });

describe('RedisInstanceBus', () => {
  it('carries a request to the addressed instance and its reply back, with the sender and a correlation id', async () => {
    const p = prefix();
    const seen: { from: string; correlationId: string }[] = [];
    const { bus: a } = await openBus(p, 'tb-a');
    await openBus(p, 'tb-b', async (request, meta) => (seen.push(meta), { doubled: request.n * 2 }));
    await openBus(p, 'tb-c', async () => ({ doubled: -1 }));

    const outcome = await a.request('tb-b', { n: 21 }, 2000);
    expect(outcome).toMatchObject({ ok: true, reply: { doubled: 42 } });
    expect(seen).toEqual([{ from: 'tb-a', correlationId: outcome.correlationId }]);
    const both = await Promise.all([a.request('tb-b', { n: 1 }, 2000), a.request('tb-c', { n: 1 }, 2000)]);
    expect(both.map((o) => o.ok && o.reply.doubled)).toEqual([2, -1]);
  });

  it('answers unreachable at once when no instance listens under that id (PUBLISH reached 0 subscribers)', async () => {
    const { bus: a } = await openBus(prefix(), 'tb-a');
    const started = Date.now();
    const outcome = await a.request('tb-gone', { n: 1 }, 10_000);
    expect(outcome).toMatchObject({ ok: false, failure: 'unreachable' });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('times out when the instance is subscribed but silent, then drops the late reply and keeps working', async () => {
    const p = prefix();
    const { bus: a, log } = await openBus(p, 'tb-a');
    await openBus(p, 'tb-b', double);
    const silent = await silentPeer(`${p}tb-silent`);

    const started = Date.now();
    const outcome = await a.request('tb-silent', { n: 1 }, 300);
    expect(outcome).toMatchObject({ ok: false, failure: 'timeout' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    const request = await silent.received;
    expect(request).toMatchObject({ v: 1, type: 'request', from: 'tb-a', to: 'tb-silent', body: { n: 1 }, id: outcome.correlationId });

    const late = { v: 1, type: 'reply', id: request.id, from: 'tb-silent', to: 'tb-a', body: { doubled: 2 } };
    expect(await admin.publish(`${p}tb-a`, JSON.stringify(late))).toBe(1);
    expect(await log.next('late or unknown instance bus reply dropped')).toMatchObject({ correlationId: request.id, from: 'tb-silent' });
    expect(await a.request('tb-b', { n: 4 }, 2000)).toMatchObject({ ok: true, reply: { doubled: 8 } });
  });

  it('drops malformed messages with a log line and keeps serving; a decodable request with a bad body is rejected at once', async () => {
    const p = prefix();
    const { bus: a } = await openBus(p, 'tb-a');
    const { log } = await openBus(p, 'tb-b', double);
    const spy = await silentPeer(`${p}tb-spy`);
    const channel = `${p}tb-b`;

    await admin.publish(channel, 'not json {');
    await log.next('instance bus message is not JSON; dropped');
    await admin.publish(channel, JSON.stringify({ v: 2, type: 'request', id: 'x1', from: 'tb-a', to: 'tb-b', body: { n: 1 } }));
    expect((await log.next('malformed instance bus message dropped')).issues).toEqual(['v: Invalid input: expected 1']);
    await admin.publish(channel, JSON.stringify({ v: 1, type: 'request', id: 'x2', from: 'tb-a', to: 'tb-other', body: { n: 1 } }));
    await log.next('instance bus message for another instance dropped');
    await admin.publish(channel, 'x'.repeat(70 * 1024));
    await log.next('oversized instance bus message dropped');
    await admin.publish(channel, JSON.stringify({ v: 1, type: 'request', id: 'x3', from: 'tb-spy', to: 'tb-b', body: { n: 'one' } }));
    expect(await log.next('malformed instance bus request rejected')).toMatchObject({ correlationId: 'x3', from: 'tb-spy' });
    expect(await spy.received).toMatchObject({ type: 'rejected', id: 'x3', from: 'tb-b', to: 'tb-spy', reason: 'malformed request' });

    expect(await a.request('tb-b', { n: 5 }, 2000)).toMatchObject({ ok: true, reply: { doubled: 10 } });
  });

  it('a handler that throws, a malformed reply and an instance not serving yet each fail fast as rejected', async () => {
    const p = prefix();
    const { bus: a } = await openBus(p, 'tb-a');
    await openBus(p, 'tb-throws', async () => {
      throw new Error('boom');
    });
    await openBus(p, 'tb-bad-reply', async () => ({ doubled: 'two' }) as unknown as Res);
    await openBus(p, 'tb-idle');
    const outcomes = await Promise.all(['tb-throws', 'tb-bad-reply', 'tb-idle'].map((to) => a.request(to, { n: 1 }, 5000)));
    expect(outcomes.map((o) => !o.ok && o.failure)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(outcomes.map((o) => !o.ok && o.detail)).toEqual([
      'tb-throws rejected the request: the request handler failed',
      'malformed reply from tb-bad-reply',
      'tb-idle rejected the request: instance tb-idle serves no requests yet',
    ]);
  });

  it('close() settles pending requests as closed, unsubscribes, and refuses new requests', async () => {
    const p = prefix();
    const { bus: a } = await openBus(p, 'tb-a');
    let release!: () => void;
    await openBus(p, 'tb-slow', () => new Promise<Res>((r) => (release = () => r({ doubled: 0 }))));
    const pending = a.request('tb-slow', { n: 1 }, 30_000);
    await new Promise<void>((r) => setImmediate(r));
    expect(await admin.pubsub('NUMSUB', `${p}tb-a`)).toEqual([`${p}tb-a`, 1]);

    await a.close();
    expect(await pending).toMatchObject({ ok: false, failure: 'closed' });
    expect(await a.request('tb-slow', { n: 1 }, 1000)).toMatchObject({ ok: false, failure: 'closed' });
    expect(await admin.pubsub('NUMSUB', `${p}tb-a`)).toEqual([`${p}tb-a`, 0]);
    await a.close(); // idempotent
    release();
  });

  it('leaves nothing that keeps the process alive: a child process exits by itself after close()', async () => {
    const p = prefix();
    await silentPeer(`${p}silent`);
    const script = resolve(import.meta.dirname, 'helpers', 'bus-lifecycle-child.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', script, server.url, p], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
    clearTimeout(timer);
    expect({ code, signal }, `the child did not exit by itself after close()\n${stderr}`).toEqual({ code: 0, signal: null });
    expect(JSON.parse(stdout)).toMatchObject({ self: { ok: true, reply: { n: 2 } }, afterClose: { ok: false, failure: 'closed' } });
  });
});
