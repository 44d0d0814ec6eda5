/**
 * The `CallControllerPort` the HTTP routes use when several instances share one store: it tries
 * the local controller and, when the call is not owned here and the stored session names another
 * instance, forwards the command over the instance bus and returns the owner's answer as is
 * (README "Scaling out").
 *
 * - owner not listening (PUBLISH reached nobody) → CALL_ERR_OWNER_UNREACHABLE (503) at once;
 * - owner listening but silent past `forwardTimeoutMs` → CALL_ERR_OWNER_TIMEOUT (504);
 * - the owner threw (e.g. its store failed) → the same TalkbridgeError code is thrown here.
 * A single instance (no bus) does not use this class: its routes command the local controller.
 *
 * Ended and transferred sessions never get here (the local controller answers them from the
 * shared store), and the owner runs a forwarded command locally only, so nothing loops.
 */
import type { DestinationConfig } from '../config/config.schema.js';
import { TalkbridgeError } from '../errors.js';
import type { Logger } from '../logger.js';
import { isTransferOutcome, type SessionState, type Transfer } from '../sessions/session.js';
import type { InstanceBus } from '../store/instance-bus.js';
import type { SessionStore, TransferStore } from '../store/store.js';
import type { CallControllerPort, CommandResult, TransferAccepted, TransferCommand } from './call-controller.js';
import { callError, type CallCommandError } from './call-errors.js';
import type { CallMetrics } from './call-metrics.js';
import type { ForwardedCommand, ForwardedReply } from './forwarded-command.schema.js';

export interface ForwardingCallControllerDeps {
  /** This instance's controller: commands it can carry out itself never leave it. */
  local: CallControllerPort & { hasRunningTransfer(transferId: string): boolean };
  store: { sessions: Pick<SessionStore, 'get'>; transfers: Pick<TransferStore, 'get'> };
  bus: InstanceBus<ForwardedCommand, ForwardedReply>;
  instanceId: string;
  /** How long the owner may take to answer (config calls.forwardTimeoutSeconds). */
  forwardTimeoutMs: number;
  metrics: Pick<CallMetrics, 'forwardedCommands'>;
  logger: Logger;
  now?: () => number;
}

type Forwarded<K extends ForwardedReply['kind']> = { ok: true; reply: Extract<ForwardedReply, { kind: K }> } | { ok: false; error: CallCommandError };


export class ForwardingCallController implements CallControllerPort {
  private readonly now: () => number;

  constructor(private readonly deps: ForwardingCallControllerDeps) {
    this.now = deps.now ?? Date.now;
  }

  async transfer(command: TransferCommand): Promise<CommandResult<TransferAccepted>> {
    const local = await this.deps.local.transfer(command);
    const owner = await this.ownerToAsk(local, command.sessionId);
    if (owner === null) return local;
    const { orgId, sessionId, destination, idempotencyKey } = command;
    const request: ForwardedCommand = { command: 'transfer', orgId, sessionId, destination, idempotencyKey };
    const forwarded = await this.forward(owner, request, 'transfer', this.deps.forwardTimeoutMs, { sessionId });
    if (forwarded === null) return local;
    return forwarded.ok ? forwarded.reply.result : { ok: false, error: forwarded.error };
  }

  async hangup(orgId: string, sessionId: string): Promise<CommandResult<{ sessionId: string; state: SessionState }>> {
    const local = await this.deps.local.hangup(orgId, sessionId);
    const owner = await this.ownerToAsk(local, sessionId);
    if (owner === null) return local;
    const forwarded = await this.forward(owner, { command: 'hangup', orgId, sessionId }, 'hangup', this.deps.forwardTimeoutMs, { sessionId });
    if (forwarded === null) return local;
    return forwarded.ok ? forwarded.reply.result : { ok: false, error: forwarded.error };
  }

  /**
   * A transfer running here is waited for here; a settled one is in the shared store; otherwise the
   * owner, which runs it, waits and answers. If the owner cannot be asked, the transfer (already
   * accepted) is answered as the store has it now, which the route reports as 202.
   */
  async waitForTransfer(transferId: string, timeoutMs: number): Promise<Transfer | null> {
    const { local, store } = this.deps;
    if (local.hasRunningTransfer(transferId)) return local.waitForTransfer(transferId, timeoutMs);
    const stored = await store.transfers.get(transferId);
    if (!stored) return local.waitForTransfer(transferId, timeoutMs);
    if (isTransferOutcome(stored.state)) return stored;
    const session = await store.sessions.get(stored.sessionId);
    if (!session || session.instanceId === this.deps.instanceId) return local.waitForTransfer(transferId, timeoutMs);
    const forwarded = await this.forward(
      session.instanceId,
      { command: 'wait', orgId: stored.orgId, transferId, timeoutMs },
      'wait',
      // The owner waits up to timeoutMs itself; the bound is on its answer arriving after that.
      timeoutMs + this.deps.forwardTimeoutMs,
      { sessionId: stored.sessionId, transferId },
    );
    if (forwarded?.ok && forwarded.reply.transfer) return forwarded.reply.transfer;
    return (await store.transfers.get(transferId)) ?? stored;
  }

  destinations(orgId: string, agentId: string): CommandResult<DestinationConfig[]> {
    return this.deps.local.destinations(orgId, agentId);
  }

  /** The instance to forward to: only when the local answer is "not owned" and the session names another. */
  private async ownerToAsk(local: CommandResult<unknown>, sessionId: string): Promise<string | null> {
    if (local.ok || local.error.code !== 'CALL_ERR_NOT_OWNED') return null;
    const session = await this.deps.store.sessions.get(sessionId);
    if (!session || session.instanceId === this.deps.instanceId) return null;
    return session.instanceId;
  }

  /** Sends one command; null when there is no bus (keep the local answer). Logs and counts every attempt. */
  private async forward<K extends ForwardedReply['kind']>(
    owner: string,
    command: ForwardedCommand,
    kind: K,
    timeoutMs: number,
    ids: { sessionId: string; transferId?: string },
  ): Promise<Forwarded<K> | null> {
    const started = this.now();
    const outcome = await this.deps.bus.request(owner, command, timeoutMs);
    const context = { ...ids, command: command.command, fromInstance: this.deps.instanceId, toInstance: owner, correlationId: outcome.correlationId };
    const done = (label: string, extra: Record<string, unknown> = {}): void => {
      this.deps.metrics.forwardedCommands.inc({ command: command.command, outcome: label });
      const entry = { ...context, outcome: label, ms: this.now() - started, ...extra };
      if (label === 'ok' || label === 'refused') this.deps.logger.info(entry, 'command forwarded to the owning instance');
      else this.deps.logger.warn(entry, 'command could not be forwarded to the owning instance');
    };

    if (!outcome.ok) {
      done(outcome.failure === 'unreachable' || outcome.failure === 'timeout' ? outcome.failure : 'failed', { failure: outcome.failure, detail: outcome.detail });
      return { ok: false, error: busError(owner, outcome.failure, timeoutMs) };
    }
    const reply = outcome.reply;
    if (reply.kind === 'thrown') {
      done('failed', { code: reply.code });
      // What the owner's HTTP API would have answered for this exception.
      throw new TalkbridgeError(reply.code, reply.message, { ownerInstance: owner });
    }
    if (reply.kind !== kind) {
      done('failed', { detail: `reply of kind ${reply.kind}` });
      return { ok: false, error: callError('CALL_ERR_OWNER_UNREACHABLE', `instance ${owner} answered something unexpected`) };
    }
    const refused = reply.kind !== 'wait' && !reply.result.ok ? reply.result.error.code : null;
    done(refused ? 'refused' : 'ok', refused ? { code: refused } : {});
    return { ok: true, reply: reply as Extract<ForwardedReply, { kind: K }> };
  }
}

function busError(owner: string, failure: string, timeoutMs: number): CallCommandError {
  switch (failure) {
    case 'unreachable':
      return callError('CALL_ERR_OWNER_UNREACHABLE', `instance ${owner} owns this call but is not reachable (stopped, or lost its Redis connection)`);
    case 'timeout':
      return callError(
        'CALL_ERR_OWNER_TIMEOUT',
        `instance ${owner} owns this call and did not answer within ${timeoutMs} ms; the command may still have been carried out ` +
          '(a retry with the same Idempotency-Key is safe)',
      );
    case 'closed':
      return callError('CALL_ERR_OWNER_UNREACHABLE', 'this instance is shutting down; send the command to another instance');
    case 'unavailable':
      return callError('CALL_ERR_OWNER_UNREACHABLE', `instance ${owner} owns this call; the instance bus (Redis) is unavailable`);
    default:
      return callError('CALL_ERR_OWNER_UNREACHABLE', `instance ${owner} owns this call but could not take the command`);
  }
}
