/**
 * Ending a call: every leg still up gets BYE, a pending INVITE is cancelled, the session is closed
 * with its reason, and the call leaves the registry. Idempotent: the first reason wins.
 */
import { cancelTransfer, type Call } from './call.js';
import type { CallMetrics } from './call-metrics.js';
import type { CallRegistry } from './call-registry.js';
import type { SessionRecorder } from './session-recorder.js';

export class CallTeardown {
  constructor(
    private readonly registry: CallRegistry,
    private readonly recorder: SessionRecorder,
    private readonly metrics: CallMetrics,
  ) {}

  end(call: Call, reason: string, data: Record<string, unknown> = {}): void {
    if (call.state === 'ended') return;
    call.apply('ended');
    call.endReason ??= reason;
    const endReason = call.endReason;

    // A transfer still dialling is cancelled; the runner records its outcome.
    if (call.transfer) cancelTransfer(call.transfer, endReason === 'hangup_command' ? 'hangup_command' : 'caller_gone');
    cancelQuietly(call.agentInvite);
    call.agentInvite = null;

    const bye = { cause: 200, text: endReason };
    for (const leg of [call.caller, call.agent, call.destination]) {
      if (leg && !leg.ended) void leg.bye(bye);
    }

    this.registry.remove(call);
    this.metrics.liveCalls.set(this.registry.size);
    this.recorder.transition(call.sessionId, 'ended', { endReason, data });
    call.log.info({ reason: endReason, ...data }, 'call ended');
  }
}

function cancelQuietly(invite: { cancel(): void } | null): void {
  if (!invite) return;
  try {
    invite.cancel();
  } catch {
    // Already answered or finished: nothing to cancel.
  }
}
