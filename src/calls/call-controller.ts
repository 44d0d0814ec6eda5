/**
 * Commands on live calls (issue 5): transfer to a destination, hang up, and the agent's
 * destinations. Refusals are values (`CallCommandError`); the HTTP layer maps them to problems.
 * Also the upward hook for legs hanging up (`LegRelayHooks`).
 */
import type { DestinationConfig } from '../config/config.schema.js';
import type { TenantDirectory } from '../config/tenant-directory.js';
import { isTransferOutcome, type SessionState, type Transfer } from '../sessions/session.js';
import { newId } from '../store/new-id.js';
import type { Store } from '../store/store.js';
import { cancelTransfer, type ActiveTransfer, type Call } from './call.js';
import type { CallClock } from './call-clock.js';
import { callError, type CallCommandError } from './call-errors.js';
import type { CallLeg } from './call-leg.js';
import type { CallRegistry } from './call-registry.js';
import type { CallTeardown } from './call-teardown.js';
import type { LegRelayHooks } from './leg-relay.js';
import type { SessionRecorder } from './session-recorder.js';
import type { TransferRunner } from './transfer-runner.js';

export type CommandResult<T> = { ok: true; value: T } | { ok: false; error: CallCommandError };

export interface TransferCommand {
  orgId: string;
  sessionId: string;
  /** Destination id or label. */
  destination: string;
  idempotencyKey: string | null;
}

export interface TransferAccepted {
  transfer: Transfer;
  /** True when an earlier request with the same Idempotency-Key created it. */
  replayed: boolean;
}

/** What the HTTP routes need from call control. */
export interface CallControllerPort {
  transfer(command: TransferCommand): Promise<CommandResult<TransferAccepted>>;
  /** The transfer once it has an outcome, or as it is after `timeoutMs`; null when unknown. */
  waitForTransfer(transferId: string, timeoutMs: number): Promise<Transfer | null>;
  hangup(orgId: string, sessionId: string): Promise<CommandResult<{ sessionId: string; state: SessionState }>>;
  destinations(orgId: string, agentId: string): CommandResult<DestinationConfig[]>;
}

export interface CallControllerDeps {
  tenants: TenantDirectory;
  store: Pick<Store, 'sessions' | 'transfers'>;
  registry: CallRegistry;
  recorder: SessionRecorder;
  teardown: CallTeardown;
  clock: CallClock;
  newId?: () => string;
}


export class CallController implements CallControllerPort, LegRelayHooks {
  private runner: TransferRunner | null = null;
  /** Transfers still running here, by id (for `?wait=true`). */
  private readonly running = new Map<string, Promise<Transfer>>();
  /** Idempotency keys of transfers being created, so a concurrent retry gets the same transfer. */
  private readonly claims = new Map<string, { transfer: Transfer; stored: Promise<unknown> }>();
  private readonly newId: () => string;

  constructor(private readonly deps: CallControllerDeps) {
    this.newId = deps.newId ?? (() => newId('trf', deps.clock.now()));
  }

  /** The runner needs the controller as its settle hook, so it is attached after construction. */
  attachRunner(runner: TransferRunner): void {
    this.runner = runner;
  }

  async transfer(command: TransferCommand): Promise<CommandResult<TransferAccepted>> {
    const { orgId, sessionId, idempotencyKey } = command;
    // Idempotent replay of a transfer that is already known (running here or stored).
    if (idempotencyKey !== null) {
      const replay = await this.replay(command);
      if (replay) return replay;
    }
    const call = this.deps.registry.get(sessionId);
    if (!call || call.session.orgId !== orgId) return this.refuseWithoutCall(orgId, sessionId);
    if (call.transfer) {
      // A retry racing the original request (same key) gets the original's transfer.
      const claim = idempotencyKey !== null ? this.claims.get(claimKey(sessionId, idempotencyKey)) : undefined;
      if (claim) {
        await claim.stored;
        return { ok: true, value: { transfer: claim.transfer, replayed: true } };
      }
      return conflict();
    }
    if (call.state === 'connecting') return fail(callError('CALL_ERR_NOT_ANSWERED'));
    if (call.state === 'transferred') return fail(callError('CALL_ERR_ALREADY_TRANSFERRED'));
    if (call.state === 'ended') return fail(callError('CALL_ERR_ENDED'));
    const destination = this.deps.tenants.destination(orgId, call.session.agentId, command.destination);
    if (!destination) {
      return fail(callError('CALL_ERR_DESTINATION_NOT_FOUND', `agent ${call.session.agentId} has no destination "${command.destination}"`));
    }
    const runner = this.runner;
    if (!runner) throw new Error('CallController used before attachRunner()');

    // Claim the one-transfer slot synchronously, before any await.
    const acceptedAt = this.deps.clock.now();
    let settle!: () => void;
    let dispatched!: () => void;
    // The record is written after the INVITE has left (next turn of the loop): no store write delays it.
    const afterDispatch = new Promise<void>((resolve) => (dispatched = resolve)).then(() => new Promise<void>((resolve) => setImmediate(resolve)));
    const active: ActiveTransfer = {
      id: this.newId(),
      invite: null,
      cancelled: null,
      done: new Promise<void>((resolve) => (settle = resolve)),
      onCancelled: null,
      dispatched: () => dispatched(),
    };
    call.transfer = active;
    const transfer: Transfer = {
      id: active.id,
      sessionId,
      orgId,
      destinationId: destination.id,
      destinationType: destination.type,
      target: destination.type === 'sip' ? destination.uri : destination.number,
      state: 'pending',
      sipStatus: null,
      reason: null,
      fromSent: null,
      headersSent: [],
      idempotencyKey,
      createdAt: acceptedAt,
      completedAt: null,
    };
    const stored = this.deps.recorder.createTransfer(transfer, afterDispatch);
    this.deps.recorder.event(sessionId, 'transfer.requested', {
      transferId: transfer.id,
      destinationId: destination.id,
      destinationType: destination.type,
      label: destination.label,
    });
    const claimId = idempotencyKey !== null ? claimKey(sessionId, idempotencyKey) : null;
    if (claimId !== null) this.claims.set(claimId, { transfer, stored: stored.catch(() => undefined) });
    const promise = runner.run(call, active, transfer, destination, acceptedAt).finally(() => {
      dispatched();
      settle();
      if (claimId !== null) this.claims.delete(claimId);
    });
    this.running.set(transfer.id, promise);
    try {
      await stored;
    } catch (error) {
      // Without its record the transfer cannot be reported: give it up (the runner settles it).
      cancelTransfer(active, 'hangup_command');
      if (claimId !== null) this.claims.delete(claimId);
      throw error;
    }
    return { ok: true, value: { transfer, replayed: false } };
  }

  /** Whether the transfer runs on this instance (`?wait=true` then waits for it here). */
  hasRunningTransfer(transferId: string): boolean {
    return this.running.has(transferId);
  }

  async waitForTransfer(transferId: string, timeoutMs: number): Promise<Transfer | null> {
    const running = this.running.get(transferId);
    if (running) {
      let timer: unknown = null;
      const timeout = new Promise<null>((resolve) => {
        timer = this.deps.clock.setTimeout(() => resolve(null), timeoutMs);
      });
      const settled = await Promise.race([running, timeout]);
      this.deps.clock.clearTimeout(timer);
      if (settled) return settled;
    }
    const stored = await this.deps.recorder.idle().then(() => this.deps.store.transfers.get(transferId));
    return stored;
  }

  async hangup(orgId: string, sessionId: string): Promise<CommandResult<{ sessionId: string; state: SessionState }>> {
    const call = this.deps.registry.get(sessionId);
    if (call && call.session.orgId === orgId) {
      call.endReason ??= 'hangup_command';
      this.deps.teardown.end(call, 'hangup_command');
      return { ok: true, value: { sessionId, state: 'ended' } };
    }
    const session = await this.deps.store.sessions.get(sessionId);
    if (!session || session.orgId !== orgId) return fail(callError('CALL_ERR_SESSION_NOT_FOUND'));
    // Hanging up an ended call again is not an error (retries are safe).
    if (session.state === 'ended') return { ok: true, value: { sessionId, state: 'ended' } };
    return fail(callError('CALL_ERR_NOT_OWNED'));
  }

  destinations(orgId: string, agentId: string): CommandResult<DestinationConfig[]> {
    const agent = this.deps.tenants.agent(orgId, agentId);
    if (!agent) return fail(callError('CALL_ERR_AGENT_NOT_FOUND'));
    return { ok: true, value: agent.destinations };
  }

  // LegRelayHooks: a far end sent BYE.
  legHungUp(call: Call, leg: CallLeg): void {
    switch (leg.role) {
      case 'caller':
        this.deps.teardown.end(call, 'caller_hangup');
        return;
      case 'destination':
        this.deps.teardown.end(call, 'destination_hangup');
        return;
      case 'agent':
        if (call.state === 'live' && call.transfer) {
          // The AI may hang up right after asking for the transfer: keep the caller for its outcome.
          this.deps.recorder.event(call.sessionId, 'call.agent_left_during_transfer', {});
          return;
        }
        if (call.state === 'live') this.deps.teardown.end(call, 'agent_hangup');
        return;
    }
  }

  /** The runner settled a transfer: free the slot; a caller whose AI left meanwhile is released. */
  transferSettled(call: Call, transfer: Transfer): void {
    if (call.transfer?.id === transfer.id) call.transfer = null;
    const entry = this.running.get(transfer.id);
    // `?wait=true` callers already racing on the promise still get it; later ones read the store.
    if (entry) void entry.finally(() => this.running.delete(transfer.id));
    if (transfer.state !== 'answered' && call.state === 'live' && call.agent?.ended) {
      this.deps.teardown.end(call, 'agent_hangup');
    }
  }

  private async replay(command: TransferCommand): Promise<CommandResult<TransferAccepted> | null> {
    const key = command.idempotencyKey;
    if (key === null) return null;
    const existing = await this.deps.store.transfers.findByIdempotencyKey(command.sessionId, key);
    if (!existing || existing.orgId !== command.orgId) return null;
    const destination = this.deps.tenants.destination(command.orgId, (await this.agentOf(command)) ?? '', command.destination);
    if (destination && destination.id !== existing.destinationId) {
      return fail(callError('CALL_ERR_IDEMPOTENCY_MISMATCH', 'this Idempotency-Key was used for a transfer to another destination'));
    }
    const fresh = isTransferOutcome(existing.state) ? existing : ((await this.deps.store.transfers.get(existing.id)) ?? existing);
    return { ok: true, value: { transfer: fresh, replayed: true } };
  }

  private async agentOf(command: TransferCommand): Promise<string | null> {
    const call = this.deps.registry.get(command.sessionId);
    if (call) return call.session.agentId;
    return (await this.deps.store.sessions.get(command.sessionId))?.agentId ?? null;
  }

  private async refuseWithoutCall(orgId: string, sessionId: string): Promise<CommandResult<TransferAccepted>> {
    const session = await this.deps.store.sessions.get(sessionId);
    if (!session || session.orgId !== orgId) return fail(callError('CALL_ERR_SESSION_NOT_FOUND'));
    if (session.state === 'ended') return fail(callError('CALL_ERR_ENDED'));
    if (session.state === 'transferred') return fail(callError('CALL_ERR_ALREADY_TRANSFERRED'));
    return fail(callError('CALL_ERR_NOT_OWNED'));
  }
}

function claimKey(sessionId: string, key: string): string {
  return `${sessionId}\n${key}`;
}

function fail<T>(error: CallCommandError): CommandResult<T> {
  return { ok: false, error };
}

function conflict<T>(): CommandResult<T> {
  return fail(callError('CALL_ERR_TRANSFER_IN_PROGRESS'));
}
