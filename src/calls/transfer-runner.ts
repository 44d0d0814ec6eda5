/**
 * Runs one transfer of a live call (issue 5 "Transfer"): optional bounded wait for the Zendesk
 * ticket → INVITE to the destination (G.711 offer built from the caller's SDP, headers and From from
 * `transferHeaders`) → on 2xx the caller is re-INVITEd to the destination's media, the AI leg gets
 * BYE and the session is `transferred`; on busy / reject / no answer (ring timeout → CANCEL) / error
 * the AI leg is untouched and the outcome is typed.
 */
import type { DestinationConfig } from '../config/config.schema.js';
import type { TenantDirectory } from '../config/tenant-directory.js';
import type { Session, Transfer } from '../sessions/session.js';
import type { Store } from '../store/store.js';
import { cancelTransfer, type ActiveTransfer, type Call } from './call.js';
import type { CallClock } from './call-clock.js';
import { CallLeg } from './call-leg.js';
import type { CallMetrics } from './call-metrics.js';
import { destinationTarget } from './destination-target.js';
import { g711Offer, reofferWithin } from './g711-offer.js';
import { attachLeg, type LegRelayHooks } from './leg-relay.js';
import type { RateLimiter } from './rate-limiter.js';
import type { SessionRecorder } from './session-recorder.js';
import { sipErrorReason, sipErrorStatus, type DialogLike, type SrfPort } from './srf-port.js';
import type { TicketWaiter } from './ticket-waiter.js';
import { transferHeaders } from './transfer-headers.js';
import { transferOutcome, type TransferVerdict } from './transfer-outcome.js';

export interface TransferRunnerDeps {
  srf: SrfPort;
  tenants: TenantDirectory;
  store: Pick<Store, 'sessions'>;
  recorder: SessionRecorder;
  ticketWaiter: TicketWaiter;
  rateLimiter: RateLimiter;
  metrics: CallMetrics;
  clock: CallClock;
  relayHooks: LegRelayHooks;
  ringTimeoutMs: number;
  /**
   * After CANCEL, how long to wait for the INVITE's final response before reporting the outcome
   * anyway (a destination that never sent a provisional cannot be cancelled: RFC 3261 §9.1; its
   * INVITE would only end with Timer B). A late 2xx is then released with BYE.
   */
  cancelGraceMs: number;
  /** Longest pacing delay accepted for the carrier trunk's calls/s before the transfer fails. */
  maxTrunkWaitMs: number;
  /** Called when the transfer has its outcome (the controller releases the slot). */
  onSettled: (call: Call, transfer: Transfer) => void;
}

export class TransferRunner {
  constructor(private readonly deps: TransferRunnerDeps) {}

  /** Runs to the outcome; never rejects. `acceptedAt` is when the command was accepted (latency metric). */
  async run(call: Call, active: ActiveTransfer, transfer: Transfer, destination: DestinationConfig, acceptedAt: number): Promise<Transfer> {
    let current = transfer;
    /** Remember a change; `write` also stores it now (otherwise it goes with the outcome). */
    const update = (patch: Partial<Transfer>, write = true): void => {
      current = { ...current, ...patch };
      if (write) this.deps.recorder.transfer(current, patch);
    };
    let verdict: TransferVerdict;
    try {
      verdict = await this.attempt(call, active, current, destination, acceptedAt, update);
    } catch (error) {
      call.log.error({ err: error, transferId: transfer.id }, 'transfer failed unexpectedly');
      verdict = { outcome: 'failed', sipStatus: null, reason: `internal error: ${sipErrorReason(error)}` };
    }
    update({
      state: verdict.outcome,
      sipStatus: verdict.sipStatus,
      reason: verdict.reason,
      completedAt: this.deps.clock.now(),
      target: current.target,
      headersSent: current.headersSent,
      fromSent: current.fromSent,
    });
    this.deps.recorder.event(call.sessionId, 'transfer.outcome', {
      transferId: transfer.id,
      outcome: verdict.outcome,
      sipStatus: verdict.sipStatus,
      reason: verdict.reason,
    });
    this.deps.metrics.transfers.inc({ outcome: verdict.outcome, destination_type: destination.type });
    call.log.info({ transferId: transfer.id, outcome: verdict.outcome, sipStatus: verdict.sipStatus }, `transfer ${verdict.outcome}`);
    this.deps.onSettled(call, current);
    return current;
  }

  private async attempt(
    call: Call,
    active: ActiveTransfer,
    transfer: Transfer,
    destination: DestinationConfig,
    acceptedAt: number,
    update: (patch: Partial<Transfer>, write?: boolean) => void,
  ): Promise<TransferVerdict> {
    const d = this.deps;
    const caller = call.caller;
    if (!caller || caller.ended) return { outcome: 'failed', sipStatus: null, reason: 'caller leg is gone' };

    let session: Session = (await d.store.sessions.get(call.sessionId)) ?? call.session;
    if (destination.type === 'sip' && (await d.ticketWaiter.expected(session))) {
      active.dispatched();
      update({ state: 'waiting_ticket' });
      d.recorder.event(call.sessionId, 'transfer.waiting_ticket', { transferId: transfer.id });
      session = await d.ticketWaiter.wait(session, () => active.cancelled !== null || call.state !== 'live');
      d.recorder.event(call.sessionId, 'transfer.ticket_wait_over', { transferId: transfer.id, ticketId: session.ticketId });
    }
    if (active.cancelled !== null) return transferOutcome({ kind: 'error', message: 'cancelled', cancelled: active.cancelled });

    const plan = transferHeaders({
      destinationType: destination.type,
      sessionId: session.id,
      agentId: session.agentId,
      contactId: session.contactId ?? call.session.contactId,
      ticketId: session.ticketId,
      callerPhone: session.callerPhone,
      anonymous: session.anonymous,
      fallbackCallerId: d.tenants.anonymousCallerId(session.orgId, session.dialledNumber),
    });
    if (!plan.ok) return { outcome: 'failed', sipStatus: null, reason: `${plan.error.code}: ${plan.error.message}` };
    const offer = g711Offer(caller.dialog.remote.sdp);
    if (!offer.ok) return { outcome: 'failed', sipStatus: null, reason: `no G.711 offer possible: ${offer.reason}` };
    const carrier = destination.type === 'pstn' ? d.tenants.trunkCarrierFor(destination) : null;
    const target = destinationTarget(destination, carrier);
    if (!target.ok) return { outcome: 'failed', sipStatus: null, reason: target.reason };
    if (carrier) {
      const waitMs = d.rateLimiter.reserve(`trunk:${carrier.id}`, carrier.maxCallsPerSecond, d.maxTrunkWaitMs);
      if (waitMs === null) return { outcome: 'failed', sipStatus: null, reason: `carrier ${carrier.id} call rate exceeded` };
      if (waitMs > 0) {
        active.dispatched();
        await new Promise<void>((resolve) => d.clock.setTimeout(resolve, waitMs));
      }
      if (active.cancelled !== null) return transferOutcome({ kind: 'error', message: 'cancelled', cancelled: active.cancelled });
    }

    const headers: Record<string, string> = { From: `<sip:${plan.plan.fromUser}@localhost>` };
    for (const h of plan.plan.headers) headers[h.name] = h.value;
    update({ target: target.requestUri, headersSent: plan.plan.headers }, false);

    let ringTimer: unknown = null;
    let graceTimer: unknown = null;
    let ringing = false;
    let dialog: DialogLike;
    const gaveUp = new Promise<null>((resolve) => {
      active.onCancelled = () => {
        graceTimer = d.clock.setTimeout(() => resolve(null), d.cancelGraceMs);
      };
    });
    const clearTimers = (): void => {
      if (ringTimer !== null) d.clock.clearTimeout(ringTimer);
      if (graceTimer !== null) d.clock.clearTimeout(graceTimer);
      active.onCancelled = null;
    };
    try {
      const invite = d.srf.createUAC(
        target.requestUri,
        { localSdp: offer.sdp, headers },
        {
          cbRequest: (err, sent) => {
            if (err || !sent) return;
            active.invite = sent;
            d.metrics.transferInviteLatency.observe((d.clock.now() - acceptedAt) / 1000);
            const fromSent = sent.get('From') ?? headers.From ?? null;
            update({ state: 'dialing', target: target.requestUri, headersSent: plan.plan.headers, fromSent });
            d.recorder.event(call.sessionId, 'transfer.invite_sent', {
              transferId: transfer.id,
              target: target.requestUri,
              from: fromSent,
              headers: plan.plan.headers,
            });
            // Ring timeout counts from the INVITE leaving (CANCEL then ends it: outcome no_answer).
            ringTimer = d.clock.setTimeout(() => {
              if (active.cancelled !== null) return;
              d.recorder.event(call.sessionId, 'transfer.ring_timeout', { transferId: transfer.id });
              cancelTransfer(active, 'ring_timeout');
            }, d.ringTimeoutMs);
            if (active.cancelled !== null) cancelQuietly(sent);
          },
          cbProvisional: (res) => {
            if (ringing || res.status < 180) return;
            ringing = true;
            d.recorder.event(call.sessionId, 'transfer.ringing', { transferId: transfer.id, status: res.status });
          },
        },
      );
      active.dispatched();
      const settled = await Promise.race([invite, gaveUp]);
      if (settled === null) {
        // No final response after CANCEL: report now; release a late answer if one still comes.
        invite.then((late) => void new CallLeg('destination', late).bye({ cause: 200, text: 'transfer abandoned' })).catch(() => undefined);
        clearTimers();
        return transferOutcome({ kind: 'error', message: 'no final response after CANCEL', cancelled: active.cancelled });
      }
      dialog = settled;
    } catch (error) {
      clearTimers();
      const status = sipErrorStatus(error);
      return transferOutcome(
        status !== null
          ? { kind: 'status', status, reason: (error as { reason?: string }).reason ?? null, cancelled: active.cancelled }
          : { kind: 'error', message: sipErrorReason(error), cancelled: active.cancelled },
      );
    }
    clearTimers();
    active.invite = null;
    const destLeg = new CallLeg('destination', dialog);
    if (active.cancelled !== null || call.state !== 'live') {
      // RFC 3261 §15: the answer came after we gave up; release it.
      void destLeg.bye({ cause: 200, text: 'transfer abandoned' });
      return transferOutcome({ kind: 'status', status: 200, reason: null, cancelled: active.cancelled ?? 'caller_gone' });
    }
    return this.connect(call, caller, destLeg, offer.sdp, transfer);
  }

  /** Destination answered: caller re-INVITEd to its media, AI leg released, session `transferred`. */
  private async connect(call: Call, caller: CallLeg, dest: CallLeg, offered: string, transfer: Transfer): Promise<TransferVerdict> {
    const d = this.deps;
    d.recorder.event(call.sessionId, 'transfer.answered', { transferId: transfer.id });
    call.reinviting.add(caller);
    let callerAnswer: string;
    try {
      callerAnswer = await caller.dialog.modify(reofferWithin(caller.dialog.local.sdp, dest.dialog.remote.sdp));
    } catch (error) {
      // RFC 3261 §14.1: a failed re-INVITE leaves the previous session in place: caller stays with the AI.
      void dest.bye({ cause: 500, text: 'caller re-INVITE failed' });
      const status = sipErrorStatus(error);
      return { outcome: 'failed', sipStatus: status, reason: `caller re-INVITE failed${status ? ` with ${status}` : ''}` };
    } finally {
      call.reinviting.delete(caller);
    }
    if (call.state !== 'live' || caller.ended) {
      void dest.bye({ cause: 200, text: 'caller gone' });
      return { outcome: 'failed', sipStatus: 200, reason: 'caller hung up during the transfer' };
    }
    call.destination = dest;
    call.apply('transfer_answered');
    attachLeg(call, dest, d.recorder, d.relayHooks);
    d.recorder.event(call.sessionId, 'transfer.caller_reinvited', { transferId: transfer.id });
    // The destination got the caller's original SDP; if the caller answered with other media, tell it.
    if (mediaLines(callerAnswer) !== mediaLines(offered)) {
      const media = g711Offer(callerAnswer);
      if (media.ok) {
        dest.dialog.modify(reofferWithin(dest.dialog.local.sdp, media.sdp)).catch((error: unknown) => {
          call.log.warn({ err: error }, 're-INVITE of the destination with the caller media failed');
        });
      }
    }
    const agent = call.agent;
    if (agent && !agent.ended) void agent.bye({ cause: 200, text: 'transferred' });
    d.recorder.transition(call.sessionId, 'transferred', { data: { transferId: transfer.id } });
    d.recorder.event(call.sessionId, 'transfer.agent_released', { transferId: transfer.id });
    return { outcome: 'answered', sipStatus: 200, reason: 'answered' };
  }
}

/** Connection address and media ports: what decides where RTP goes. */
function mediaLines(sdp: string): string {
  return sdp
    .split(/\r?\n/)
    .filter((l) => l.startsWith('c=') || l.startsWith('m='))
    .map((l) => l.replace(/^m=(\S+) (\d+).*$/, 'm=$1 $2'))
    .join('|');
}

function cancelQuietly(invite: { cancel(): void } | null): void {
  if (!invite) return;
  try {
    invite.cancel();
  } catch {
    // Finished meanwhile.
  }
}
