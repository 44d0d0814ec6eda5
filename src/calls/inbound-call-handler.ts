/**
 * Inbound INVITE from a carrier → admission → phone session → contact → B2BUA to the AI agent's SIP
 * URI (issue 5 "Inbound calls"). Provisional responses and the answer propagate (createB2BUA);
 * CANCEL before answer is relayed; BYE from either side ends both legs.
 */
import type { Logger } from 'pino';
import type { CallsConfig } from '../config/config.schema.js';
import type { NumberRoute } from '../config/tenant-directory.js';
import { resolveCallerIdentity, userOf, type CallerIdentity } from '../phone/caller-identity.js';
import type { SessionEvents } from '../sessions/session-events.js';
import type { SessionService } from '../sessions/session-service.js';
import type { Session } from '../sessions/session.js';
import type { Store } from '../store/store.js';
import { callerFinalForAgentFailure } from './agent-failure.js';
import { Call } from './call.js';
import { CallLog } from './call-log.js';
import type { CallClock } from './call-clock.js';
import { CallLeg } from './call-leg.js';
import type { CallMetrics } from './call-metrics.js';
import type { CallRegistry } from './call-registry.js';
import type { CallTeardown } from './call-teardown.js';
import { admitInbound, type AdmissionDirectory } from './inbound-admission.js';
import { attachLeg, relayMissedReinvite, type LegRelayHooks } from './leg-relay.js';
import type { RateLimiter } from './rate-limiter.js';
import type { SessionRecorder } from './session-recorder.js';
import { callIdOf, sipErrorStatus, type InboundRequest, type OutboundResponse, type SrfPort } from './srf-port.js';
import { HEADER_AGENT_ID, HEADER_SESSION_ID } from './transfer-headers.js';

export interface InboundCallDeps {
  srf: SrfPort;
  directory: AdmissionDirectory;
  calls: CallsConfig;
  sessions: SessionService;
  store: Pick<Store, 'contacts'>;
  registry: CallRegistry;
  recorder: SessionRecorder;
  teardown: CallTeardown;
  relayHooks: LegRelayHooks;
  rateLimiter: RateLimiter;
  metrics: CallMetrics;
  events: Partial<Pick<SessionEvents, 'opened'>>;
  clock: CallClock;
  logger: Logger;
}

export class InboundCallHandler {
  constructor(private readonly deps: InboundCallDeps) {}

  async handle(req: InboundRequest, res: OutboundResponse): Promise<void> {
    const d = this.deps;
    const callId = callIdOf(req);
    const admission = admitInbound({ sourceAddress: req.source_address, dialledUser: userOf(req.uri) }, d.directory, {
      liveCalls: d.registry.load,
      maxConcurrentCalls: d.calls.maxConcurrentCalls,
      retryAfterSeconds: d.calls.retryAfterSeconds,
      takeCarrierToken: (carrier) => d.rateLimiter.tryTake(`inbound:${carrier.id}`, carrier.maxCallsPerSecond),
    });
    if (!admission.ok) {
      // RFC 3261 §21.5.4 / §20.33: 503 carries Retry-After so the carrier backs off.
      const headers: Record<string, string> = admission.retryAfterSeconds !== null ? { 'Retry-After': String(admission.retryAfterSeconds) } : {};
      res.send(admission.status, { headers });
      d.metrics.countInbound(`refused_${admission.status}`);
      d.logger.info({ callId, source: req.source_address, status: admission.status }, `inbound call refused: ${admission.reason}`);
      return;
    }
    const { carrier, route } = admission;
    const identity = resolveCallerIdentity({
      from: req.get('From') ?? null,
      pai: req.get('P-Asserted-Identity') ?? null,
      privacy: req.get('Privacy') ?? null,
      trustPai: carrier.trustPai,
      dialledNumber: route.number,
    });

    // Counted against capacity from now on, even while the session is being stored.
    const early = { canceled: false };
    const onEarlyCancel = (): void => {
      early.canceled = true;
    };
    req.on('cancel', onEarlyCancel);
    d.registry.reserve();
    let session: Session;
    try {
      // Contact first, so the session is stored with it in one write.
      const contactId = await this.findContact(route.organisation.id, identity, callId);
      // Awaited: the session row, with session.opened and call.invite, is committed before the AI
      // agent is dialled, so a session whose id the agent receives always exists, also after a
      // crash, and a store failure still refuses the call cleanly. Store writes are batched per
      // event-loop turn, so this costs at most one commit per INVITE, shared with every write of
      // the same turn; the later events and transitions (recorder) are not awaited and ride along.
      session = await d.sessions.open({
        contactId,
        orgId: route.organisation.id,
        agentId: route.agent.id,
        dialledNumber: route.number,
        callerPhone: identity.phone,
        callerNational: identity.national,
        anonymous: identity.anonymous,
        callId,
      }, (opened) => [inviteEvent(opened, carrier.id, req.source_address, route, identity)]);
    } catch (error) {
      d.registry.release();
      req.off('cancel', onEarlyCancel);
      d.logger.error({ err: error, callId }, 'could not store the session; refusing the call');
      if (!res.finalResponseSent) res.send(503, { headers: { 'Retry-After': String(d.calls.retryAfterSeconds) } });
      d.metrics.countInbound('store_failed');
      return;
    }
    req.off('cancel', onEarlyCancel);
    const call = new Call(session, new CallLog(d.logger, { callId, sessionId: session.id }));
    d.registry.add(call);
    d.registry.release();
    d.metrics.liveCalls.set(d.registry.size);
    let agentDialled = false;
    req.on('cancel', () => {
      // The server has already answered 200 to the CANCEL and 487 to the INVITE.
      call.endReason ??= 'caller_cancel';
      // Once the agent is being dialled, createB2BUA relays the CANCEL and connectAgent ends the call.
      if (!agentDialled) d.teardown.end(call, 'caller_cancel');
    });
    call.log.info({ orgId: session.orgId, agentId: session.agentId, anonymous: identity.anonymous }, 'inbound call admitted');
    this.notifyOpened(call);

    if (early.canceled) {
      d.teardown.end(call, 'caller_cancel');
      return;
    }
    if (call.state === 'ended') return;
    agentDialled = true;
    await this.connectAgent(call, req, res, route.agent.sipUri, route.agent.headers, route.agent.id);
  }

  private async connectAgent(
    call: Call,
    req: InboundRequest,
    res: OutboundResponse,
    agentUri: string,
    agentHeaders: Record<string, string>,
    agentId: string,
  ): Promise<void> {
    const d = this.deps;
    const { session } = call;
    const headers: Record<string, string> = {
      ...agentHeaders,
      From: agentFrom(session),
      [HEADER_SESSION_ID]: session.id,
      [HEADER_AGENT_ID]: agentId,
    };
    let timedOut = false;
    const timer = d.clock.setTimeout(() => {
      timedOut = true;
      try {
        call.agentInvite?.cancel();
      } catch {
        // answered meanwhile
      }
    }, d.calls.agentAnswerTimeoutSeconds * 1000);
    let ringingAt: number | null = null;
    try {
      const { uas, uac } = await d.srf.createB2BUA(
        req,
        res,
        agentUri,
        { headers, passFailure: false },
        {
          cbRequest: (err, sent) => {
            if (err || !sent) return;
            call.agentInvite = sent;
            // CANCEL or hangup that raced the INVITE out of the door.
            if (call.state === 'ended' || call.endReason === 'caller_cancel') sent.cancel();
          },
          cbProvisional: (provisional) => {
            if (ringingAt === null && provisional.status >= 180) ringingAt = d.clock.now();
          },
        },
      );
      d.clock.clearTimeout(timer);
      call.agentInvite = null;
      call.caller = new CallLeg('caller', uas);
      call.agent = new CallLeg('agent', uac);
      if (!call.apply('agent_answered')) {
        // Hung up (command) while the agent was answering.
        void call.caller.bye({ cause: 200, text: call.endReason ?? 'hangup' });
        void call.agent.bye({ cause: 200, text: call.endReason ?? 'hangup' });
        return;
      }
      attachLeg(call, call.caller, d.recorder, d.relayHooks);
      attachLeg(call, call.agent, d.recorder, d.relayHooks);
      relayMissedReinvite(call, call.caller, req.body, d.recorder);
      d.recorder.transition(session.id, 'live', { data: { ringingAt } });
      d.metrics.countInbound('answered');
      call.log.info('call answered by the AI agent');
    } catch (error) {
      d.clock.clearTimeout(timer);
      call.agentInvite = null;
      const status = sipErrorStatus(error);
      if (call.endReason === 'caller_cancel' || call.state === 'ended') {
        // After a CANCEL the server has answered 487; after a hangup command the caller still needs a final.
        if (call.endReason !== 'caller_cancel' && !res.finalResponseSent) res.send(480);
        d.teardown.end(call, call.endReason ?? 'caller_cancel');
        d.metrics.countInbound('cancelled');
        return;
      }
      const final = callerFinalForAgentFailure({ status, timedOut });
      if (!res.finalResponseSent) res.send(final.status);
      d.metrics.countInbound('agent_failed');
      call.log.warn({ agentStatus: status, timedOut, callerStatus: final.status }, `AI agent did not take the call: ${final.endReason}`);
      d.teardown.end(call, final.endReason, { agentStatus: status, callerStatus: final.status });
    }
  }

  private notifyOpened(call: Call): void {
    try {
      const pending = this.deps.events.opened?.(call.session);
      if (pending) pending.catch((error: unknown) => call.log.error({ err: error }, 'sessionOpened hook failed'));
    } catch (error) {
      call.log.error({ err: error }, 'sessionOpened hook failed');
    }
  }

  /** The caller's contact, found or created by phone (anonymous: a new one); null if the store fails. */
  private async findContact(orgId: string, identity: CallerIdentity, callId: string): Promise<string | null> {
    const { contacts } = this.deps.store;
    try {
      const now = this.deps.clock.now();
      const contact =
        identity.phone !== null && !identity.anonymous
          ? await contacts.findOrCreateByPhone(orgId, identity.phone, now)
          : await contacts.createAnonymous(orgId, now);
      return contact.id;
    } catch (error) {
      this.deps.logger.error({ err: error, callId }, 'contact lookup failed; the call goes on without one');
      return null;
    }
  }
}

/** One event for the whole set-up (timeline writes cost), stored with the session: what came in and what goes to the agent. */
function inviteEvent(session: Session, carrier: string, source: string, route: NumberRoute, identity: CallerIdentity): { type: string; data: Record<string, unknown> } {
  return {
    type: 'call.invite',
    data: {
      carrier,
      source,
      dialled: route.number,
      callerPhone: identity.phone,
      anonymous: identity.anonymous,
      identitySource: identity.source,
      agentUri: route.agent.sipUri,
      agentHeaders: { [HEADER_SESSION_ID]: session.id, [HEADER_AGENT_ID]: route.agent.id },
    },
  };
}

/** From on the INVITE to the AI agent: the caller's E.164 number, or RFC 3323 anonymous. */
function agentFrom(session: Session): string {
  if (session.anonymous || session.callerPhone === null) return '"Anonymous" <sip:anonymous@anonymous.invalid>';
  return `<sip:${session.callerPhone}@localhost>`;
}
