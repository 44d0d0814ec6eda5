/**
 * Run as a child process by redis-instance-bus.test.ts (`node --import tsx <this file> <redis url>`):
 * opens a bus, answers a request to itself, leaves one request pending towards a silent subscriber,
 * closes everything and then does NOT call process.exit. The test asserts the process ends on its
 * own: nothing the bus owned (socket, timer) is left keeping it alive.
 */
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { z } from 'zod';
import { RedisInstanceBus } from '../../../src/store/redis/redis-instance-bus.js';

const url = process.argv[2];
if (!url) throw new Error('usage: bus-lifecycle-child.ts <redis url>');
const prefix = process.argv[3] ?? 'child:bus:';

const publisher = new Redis(url, { lazyConnect: true });
await publisher.connect();
const message = z.object({ n: z.number() });
const bus = await RedisInstanceBus.open({
  publisher,
  instanceId: 'child',
  channelPrefix: prefix,
  schemas: { request: message, reply: message },
  logger: pino({ level: 'silent' }),
});
bus.serve(async (request) => ({ n: request.n + 1 }));
const self = await bus.request('child', { n: 1 }, 5000);
// The parent subscribed a silent peer on `<prefix>silent`: this request stays pending (60 s timer).
const hanging = bus.request('silent', { n: 0 }, 60_000);
await bus.close();
const afterClose = await hanging;
await publisher.quit();
process.stdout.write(`${JSON.stringify({ self, afterClose })}\n`);
