/**
 * What travels on the Redis instance bus: one JSON envelope per PUBLISH, on the channel of the
 * instance it is addressed to. Requests and replies share the shape; the body is decoded by the
 * schema the bus was opened with (the bus does not know what a call command is).
 *
 *   request   {v, type, id, from, to, body}  → channel of `to`
 *   reply     {v, type, id, from, to, body}  → channel of the requester (`to` = its `from`)
 *   rejected  {v, type, id, from, to, reason} → the requester: its request could not be served
 */
import { z } from 'zod';
import { ID_PATTERN } from '../../config/field-formats.js';

/** Bumped on an incompatible change; a message of another version is dropped as malformed. */
export const BUS_PROTOCOL_VERSION = 1;

/** Larger messages are dropped unread (a transfer reply is well under 4 KiB). */
export const BUS_MAX_MESSAGE_BYTES = 64 * 1024;

const instanceId = z.string().regex(ID_PATTERN, 'must be an instance id');
const correlationId = z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'must be a correlation id');
const addressed = { v: z.literal(BUS_PROTOCOL_VERSION), id: correlationId, from: instanceId, to: instanceId };

export const busEnvelopeSchema = z.discriminatedUnion('type', [
  z.strictObject({ ...addressed, type: z.literal('request'), body: z.unknown() }),
  z.strictObject({ ...addressed, type: z.literal('reply'), body: z.unknown() }),
  z.strictObject({ ...addressed, type: z.literal('rejected'), reason: z.string().max(500) }),
]);

export type BusEnvelope = z.output<typeof busEnvelopeSchema>;
