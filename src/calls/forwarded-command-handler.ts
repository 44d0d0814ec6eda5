/**
 * The owner's side of forwarding: runs a command another instance forwarded over the instance bus
 * on the LOCAL controller only (a forwarded command is never forwarded again, so there is no loop)
 * and returns its result as the reply. The local controller re-checks everything as for an HTTP
 * command: another organisation's session is not found, an ended call is ended, and a call this
 * instance does not hold is CALL_ERR_NOT_OWNED.
 */
import { TalkbridgeError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { BusHandler } from '../store/instance-bus.js';
import type { CallControllerPort } from './call-controller.js';
import type { ForwardedCommand, ForwardedReply } from './forwarded-command.schema.js';

export interface ForwardedCommandHandlerDeps {
  local: Pick<CallControllerPort, 'transfer' | 'waitForTransfer' | 'hangup'>;
  instanceId: string;
  /** This instance's own bound of `?wait=true` (calls.transferWaitMaxSeconds). */
  maxWaitMs: number;
  logger: Logger;
}

export function forwardedCommandHandler(deps: ForwardedCommandHandlerDeps): BusHandler<ForwardedCommand, ForwardedReply> {
  return async (command, meta) => {
    const log = deps.logger.child({
      correlationId: meta.correlationId,
      command: command.command,
      fromInstance: meta.from,
      toInstance: deps.instanceId,
      ...(command.command === 'wait' ? { transferId: command.transferId } : { sessionId: command.sessionId }),
    });
    try {
      const reply = await execute(deps, command);
      log.info({ outcome: outcomeOf(reply) }, 'forwarded command executed');
      return reply;
    } catch (error) {
      log.error({ err: error }, 'forwarded command failed');
      // The requester rethrows this code, so its client gets what this instance's HTTP API would answer.
      return error instanceof TalkbridgeError
        ? { kind: 'thrown', code: error.code, message: error.message.slice(0, 1000) }
        : { kind: 'thrown', code: 'API_ERR_INTERNAL', message: `internal error on instance ${deps.instanceId}; see its log (correlationId ${meta.correlationId})` };
    }
  };
}

async function execute(deps: ForwardedCommandHandlerDeps, command: ForwardedCommand): Promise<ForwardedReply> {
  switch (command.command) {
    case 'transfer': {
      const { orgId, sessionId, destination, idempotencyKey } = command;
      return { kind: 'transfer', result: await deps.local.transfer({ orgId, sessionId, destination, idempotencyKey }) };
    }
    case 'hangup':
      return { kind: 'hangup', result: await deps.local.hangup(command.orgId, command.sessionId) };
    case 'wait': {
      const transfer = await deps.local.waitForTransfer(command.transferId, Math.min(command.timeoutMs, deps.maxWaitMs));
      // Only the organisation that owns the transfer may see it.
      return { kind: 'wait', transfer: transfer && transfer.orgId === command.orgId ? transfer : null };
    }
  }
}

function outcomeOf(reply: ForwardedReply): string {
  switch (reply.kind) {
    case 'transfer':
    case 'hangup':
      return reply.result.ok ? 'ok' : reply.result.error.code;
    case 'wait':
      return reply.transfer?.state ?? 'unknown_transfer';
    case 'thrown':
      return reply.code;
  }
}
