/**
 * The instance bus over Redis pub/sub. Each instance SUBSCRIBEs to its own channel
 * `<prefix><instance id>`; a request is PUBLISHed to the target's channel and the reply comes back
 * on the requester's channel, matched by correlation id.
 *
 * - PUBLISH returns how many subscribers got the message: 0 means the target is not running (or
 *   lost its Redis connection), so the request fails `unreachable` at once instead of waiting.
 * - A request without a reply within its time fails `timeout`; a reply arriving later is dropped.
 * - Every message is decoded with zod where it arrives; a malformed one is logged and dropped (a
 *   decodable request with a malformed body is answered `rejected`, so its sender need not wait).
 * - A subscribed ioredis connection can run nothing but (P)SUBSCRIBE/PING/QUIT, so receiving uses
 *   a duplicate of the store's connection; PUBLISH goes over the store's own connection.
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { Redis } from 'ioredis';
import type { z } from 'zod';
import { TalkbridgeError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { BusHandler, BusOutcome, InstanceBus } from '../instance-bus.js';
import { BUS_MAX_MESSAGE_BYTES, BUS_PROTOCOL_VERSION, busEnvelopeSchema, type BusEnvelope } from './bus-envelope.schema.js';

export interface RedisInstanceBusOptions<Req, Res> {
  /** Connection for PUBLISH, shared with the store: the bus never closes it. */
  publisher: Redis;
  instanceId: string;
  /** The channel of instance X is `<channelPrefix>X`. */
  channelPrefix: string;
  schemas: { request: z.ZodType<Req>; reply: z.ZodType<Res> };
  logger: Logger;
  newId?: () => string;
}

interface Pending<Res> {
  to: string;
  timer: NodeJS.Timeout;
  resolve: (outcome: BusOutcome<Res>) => void;
}

/** An envelope without the parts the bus fills in (distributes over the union of message types). */
type Addressed = BusEnvelope extends infer E ? (E extends BusEnvelope ? Omit<E, 'v' | 'from' | 'to'> : never) : never;

/** How long close() waits for the subscriber socket to end before giving up on it. */
const CLOSE_WAIT_MS = 2000;

export class RedisInstanceBus<Req, Res> implements InstanceBus<Req, Res> {
  readonly instanceId: string;
  private handler: BusHandler<Req, Res> | null = null;
  private readonly pending = new Map<string, Pending<Res>>();
  private readonly newId: () => string;
  private closed = false;
  private closing: Promise<void> | null = null;

  private constructor(
    private readonly options: RedisInstanceBusOptions<Req, Res>,
    private readonly subscriber: Redis,
    private readonly log: Logger,
  ) {
    this.instanceId = options.instanceId;
    this.newId = options.newId ?? randomUUID;
  }

  /** Subscribes to this instance's channel; resolves once Redis confirmed the subscription. */
  static async open<Req, Res>(options: RedisInstanceBusOptions<Req, Res>): Promise<RedisInstanceBus<Req, Res>> {
    const subscriber = options.publisher.duplicate({ lazyConnect: true });
    const log = options.logger.child({ component: 'instance-bus' });
    subscriber.on('error', (error: Error) => log.warn({ err: error }, 'instance bus connection error'));
    const bus = new RedisInstanceBus(options, subscriber, log);
    subscriber.on('message', (channel: string, message: string) => bus.receive(channel, message));
    try {
      await subscriber.connect();
      await subscriber.subscribe(bus.channel(options.instanceId));
    } catch (error) {
      subscriber.disconnect();
      throw new TalkbridgeError('STORE_ERR_UNAVAILABLE', `cannot subscribe to the instance bus: ${(error as Error).message}`, {}, { cause: error });
    }
    log.info({ channel: bus.channel(options.instanceId) }, 'instance bus subscribed');
    return bus;
  }

  serve(handler: BusHandler<Req, Res>): void {
    this.handler = handler;
  }

  request(to: string, request: Req, timeoutMs: number): Promise<BusOutcome<Res>> {
    if (this.closed) return Promise.resolve({ ok: false, failure: 'closed', detail: 'instance bus closed', correlationId: null });
    const id = this.newId();
    const outcome = new Promise<BusOutcome<Res>>((resolve) => {
      const timer = setTimeout(
        () => this.settle(id, { ok: false, failure: 'timeout', detail: `no reply from ${to} within ${timeoutMs} ms`, correlationId: id }),
        timeoutMs,
      );
      // The timer alone never keeps the process alive (whoever awaits the request does).
      timer.unref();
      this.pending.set(id, { to, timer, resolve });
    });
    this.publish(to, { type: 'request', id, body: request }).then(
      (receivers) => {
        if (receivers === 0) {
          this.settle(id, { ok: false, failure: 'unreachable', detail: `instance ${to} is not listening on the bus`, correlationId: id });
        } else if (receivers > 1) {
          this.log.warn({ to, receivers, correlationId: id }, 'several processes use one instance id; each receives the command (instance.id must be unique)');
        }
      },
      (error: unknown) => this.settle(id, { ok: false, failure: 'unavailable', detail: `publish failed: ${(error as Error).message}`, correlationId: id }),
    );
    return outcome;
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    this.handler = null;
    for (const id of [...this.pending.keys()]) {
      this.settle(id, { ok: false, failure: 'closed', detail: 'instance bus closed', correlationId: id });
    }
    const sub = this.subscriber;
    if (sub.status === 'end') return;
    let bound: NodeJS.Timeout | undefined;
    const ended = Promise.race([once(sub, 'end'), new Promise<void>((resolve) => (bound = setTimeout(resolve, CLOSE_WAIT_MS)))]);
    if (sub.status === 'ready') await sub.quit().catch(() => sub.disconnect());
    else sub.disconnect();
    await ended;
    clearTimeout(bound);
  }

  private channel(instanceId: string): string {
    return `${this.options.channelPrefix}${instanceId}`;
  }

  private publish(to: string, message: Addressed): Promise<number> {
    const envelope = { v: BUS_PROTOCOL_VERSION, from: this.instanceId, to, ...message };
    return this.options.publisher.publish(this.channel(to), JSON.stringify(envelope));
  }

  /** Replies and rejections: best effort (the requester times out when one is lost). */
  private answer(to: string, message: Addressed): void {
    this.publish(to, message).then(
      (receivers) => {
        if (receivers === 0) this.log.warn({ to, correlationId: message.id }, 'reply reached nobody (requester gone)');
      },
      (error: unknown) => this.log.warn({ err: error, to, correlationId: message.id }, 'reply could not be published'),
    );
  }

  private settle(id: string, outcome: BusOutcome<Res>): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    clearTimeout(pending.timer);
    pending.resolve(outcome);
  }

  /** The edge: nothing a peer sends may throw out of here. */
  private receive(channel: string, raw: string): void {
    try {
      this.dispatch(channel, raw);
    } catch (error) {
      this.log.error({ err: error, channel }, 'instance bus message handling failed');
    }
  }

  private dispatch(channel: string, raw: string): void {
    if (this.closed) return;
    const context = { channel, bytes: raw.length };
    if (raw.length > BUS_MAX_MESSAGE_BYTES) {
      this.log.warn(context, 'oversized instance bus message dropped');
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      this.log.warn(context, 'instance bus message is not JSON; dropped');
      return;
    }
    const decoded = busEnvelopeSchema.safeParse(json);
    if (!decoded.success) {
      this.log.warn({ ...context, issues: issues(decoded.error) }, 'malformed instance bus message dropped');
      return;
    }
    const message = decoded.data;
    if (message.to !== this.instanceId) {
      this.log.warn({ ...context, to: message.to, correlationId: message.id }, 'instance bus message for another instance dropped');
      return;
    }
    if (message.type === 'request') this.onRequest(message.id, message.from, message.body);
    else if (message.type === 'reply') this.onReply(message.id, message.from, message.body);
    else this.onRejected(message.id, message.from, message.reason);
  }

  private onRequest(id: string, from: string, rawBody: unknown): void {
    const meta = { from, correlationId: id };
    const body = this.options.schemas.request.safeParse(rawBody);
    if (!body.success) {
      this.log.warn({ ...meta, issues: issues(body.error) }, 'malformed instance bus request rejected');
      this.answer(from, { type: 'rejected', id, reason: 'malformed request' });
      return;
    }
    const handler = this.handler;
    if (!handler) {
      this.answer(from, { type: 'rejected', id, reason: `instance ${this.instanceId} serves no requests yet` });
      return;
    }
    Promise.resolve()
      .then(() => handler(body.data, meta))
      .then(
        // Answered even when the bus closed meanwhile: the command ran, its requester should know.
        (reply) => this.answer(from, { type: 'reply', id, body: reply }),
        (error: unknown) => {
          this.log.error({ err: error, ...meta }, 'instance bus request handler failed');
          this.answer(from, { type: 'rejected', id, reason: 'the request handler failed' });
        },
      );
  }

  private onReply(id: string, from: string, rawBody: unknown): void {
    const pending = this.pending.get(id);
    if (!pending) {
      this.log.info({ from, correlationId: id }, 'late or unknown instance bus reply dropped');
      return;
    }
    if (pending.to !== from) {
      this.log.warn({ from, expected: pending.to, correlationId: id }, 'instance bus reply from an unexpected instance dropped');
      return;
    }
    const body = this.options.schemas.reply.safeParse(rawBody);
    if (!body.success) {
      this.log.warn({ from, correlationId: id, issues: issues(body.error) }, 'malformed instance bus reply');
      this.settle(id, { ok: false, failure: 'rejected', detail: `malformed reply from ${from}`, correlationId: id });
      return;
    }
    this.settle(id, { ok: true, reply: body.data, correlationId: id });
  }

  private onRejected(id: string, from: string, reason: string): void {
    if (this.pending.get(id)?.to !== from) {
      this.log.info({ from, correlationId: id }, 'late or unknown instance bus rejection dropped');
      return;
    }
    this.settle(id, { ok: false, failure: 'rejected', detail: `${from} rejected the request: ${reason}`, correlationId: id });
  }
}

/** Paths and messages of the first few zod issues (never the values: they may be anything). */
function issues(error: z.ZodError): string[] {
  return error.issues.slice(0, 5).map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
}
