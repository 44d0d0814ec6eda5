/**
 * The call commands one instance forwards to the instance that owns the call, and their replies,
 * as they travel on the instance bus (src/store/instance-bus.ts). The bus decodes every message
 * with these schemas where it arrives, so both sides work with typed values only.
 *
 * A reply carries the owner's `CommandResult` as is, so the HTTP client gets the owner's answer;
 * `thrown` carries the code of an exception the owner's controller threw (e.g. store unavailable).
 */
import { z } from 'zod';
import { ID_PATTERN } from '../config/field-formats.js';
import { ERROR_CODES, type ErrorCode } from '../errors.js';
import type { Transfer } from '../sessions/session.js';
import type { CallErrorCode } from './call-errors.js';

const id = z.string().regex(ID_PATTERN);
const recordId = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/);
/** The longest `?wait=true` a request may ask the owner for (config caps it far lower). */
const MAX_WAIT_MS = 10 * 60 * 1000;

const forwardedCommandSchema = z.discriminatedUnion('command', [
  z.strictObject({
    command: z.literal('transfer'),
    orgId: id,
    sessionId: recordId,
    destination: z.string().min(1).max(200),
    idempotencyKey: z.string().regex(/^[\x21-\x7e]{1,255}$/).nullable(),
  }),
  z.strictObject({ command: z.literal('wait'), orgId: id, transferId: recordId, timeoutMs: z.number().int().min(0).max(MAX_WAIT_MS) }),
  z.strictObject({ command: z.literal('hangup'), orgId: id, sessionId: recordId }),
]);

export type ForwardedCommand = z.output<typeof forwardedCommandSchema>;

const errorCodes = Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]];
const callErrorCodes = errorCodes.filter((code): code is CallErrorCode => code.startsWith('CALL_ERR_')) as [CallErrorCode, ...CallErrorCode[]];
const callError = z.strictObject({ code: z.enum(callErrorCodes), message: z.string().max(1000) });

const transferSchema: z.ZodType<Transfer> = z.strictObject({
  id: recordId,
  sessionId: recordId,
  orgId: id,
  destinationId: id,
  destinationType: z.enum(['sip', 'pstn']),
  target: z.string().max(1000),
  state: z.enum(['pending', 'waiting_ticket', 'dialing', 'answered', 'busy', 'no_answer', 'rejected', 'failed']),
  sipStatus: z.number().int().nullable(),
  reason: z.string().max(1000).nullable(),
  fromSent: z.string().max(1000).nullable(),
  headersSent: z.array(z.strictObject({ name: z.string().max(100), value: z.string().max(1024) })).max(50),
  idempotencyKey: z.string().max(255).nullable(),
  createdAt: z.number(),
  completedAt: z.number().nullable(),
});

function result<T extends z.ZodType>(value: T) {
  return z.discriminatedUnion('ok', [z.strictObject({ ok: z.literal(true), value }), z.strictObject({ ok: z.literal(false), error: callError })]);
}

const forwardedReplySchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('transfer'), result: result(z.strictObject({ transfer: transferSchema, replayed: z.boolean() })) }),
  z.strictObject({ kind: z.literal('wait'), transfer: transferSchema.nullable() }),
  z.strictObject({
    kind: z.literal('hangup'),
    result: result(z.strictObject({ sessionId: recordId, state: z.enum(['connecting', 'live', 'transferred', 'ended']) })),
  }),
  z.strictObject({ kind: z.literal('thrown'), code: z.enum(errorCodes), message: z.string().max(1000) }),
]);

export type ForwardedReply = z.output<typeof forwardedReplySchema>;

/** Schemas the composition root opens the instance bus with. */
export const forwardedCommandSchemas = { request: forwardedCommandSchema, reply: forwardedReplySchema };
