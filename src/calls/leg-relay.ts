/**
 * In-dialog traffic of one leg, relayed to the leg it is bridged with (B2BUA): re-INVITE (hold,
 * codec change), UPDATE and INFO (DTMF) pass through; BYE ends the leg and is reported upward.
 */
import type { Call } from './call.js';
import type { CallLeg } from './call-leg.js';
import type { SessionRecorder } from './session-recorder.js';
import { sipErrorStatus, type InboundRequest, type OutboundResponse } from './srf-port.js';

export interface LegRelayHooks {
  /** The far end of `leg` sent BYE. */
  legHungUp(call: Call, leg: CallLeg): void;
}

export function attachLeg(call: Call, leg: CallLeg, recorder: SessionRecorder, hooks: LegRelayHooks): void {
  const { dialog } = leg;

  dialog.on('destroy', () => {
    leg.markEnded();
    hooks.legHungUp(call, leg);
  });

  dialog.on('modify', (req: InboundRequest, res: OutboundResponse) => {
    void relayReinvite(call, leg, req, res, recorder);
  });

  dialog.on('update', (req: InboundRequest, res: OutboundResponse) => {
    void relayRequest(call, leg, 'UPDATE', req, res);
  });

  dialog.on('info', (req: InboundRequest, res: OutboundResponse) => {
    void relayRequest(call, leg, 'INFO', req, res);
  });

  // Transfers go through the HTTP API; accepting a REFER we would not act on would lie to the agent.
  dialog.on('refer', (_req: InboundRequest, res: OutboundResponse) => {
    res.send(403, 'Use the talkbridge transfer API');
  });

  // srf handles every frame of one TCP read synchronously: a BYE right behind the 200/ACK can be
  // handled (and 'destroy' emitted) before the promise that handed us this dialog resumed us.
  if (dialog.connected === false) {
    leg.markEnded();
    queueMicrotask(() => hooks.legHungUp(call, leg));
  }
}

async function relayReinvite(
  call: Call,
  leg: CallLeg,
  req: InboundRequest,
  res: OutboundResponse,
  recorder: SessionRecorder,
): Promise<void> {
  const peer = call.peerOf(leg);
  if (!peer || peer.ended) {
    // Not bridged (e.g. the AI leg being released): keep the current media.
    res.send(200, { body: leg.dialog.local.sdp, headers: { 'Content-Type': 'application/sdp' } });
    return;
  }
  // RFC 3261 §14.2: a UAS that has sent a re-INVITE of its own and gets one answers 491.
  if (call.reinviting.has(leg) || call.reinviting.has(peer)) {
    res.send(491);
    return;
  }
  call.reinviting.add(peer);
  try {
    const answer = await peer.dialog.modify(req.body);
    leg.dialog.local.sdp = answer;
    res.send(200, { body: answer, headers: { 'Content-Type': 'application/sdp' } });
    recorder.event(call.sessionId, 'call.reinvite', { from: leg.role, to: peer.role, status: 200 });
  } catch (error) {
    const status = sipErrorStatus(error) ?? 500;
    res.send(status >= 300 ? status : 500);
    recorder.event(call.sessionId, 'call.reinvite', { from: leg.role, to: peer.role, status });
  } finally {
    call.reinviting.delete(peer);
  }
}

async function relayRequest(
  call: Call,
  leg: CallLeg,
  method: 'UPDATE' | 'INFO',
  req: InboundRequest,
  res: OutboundResponse,
): Promise<void> {
  const peer = call.peerOf(leg);
  if (!peer || peer.ended) {
    res.send(200, method === 'UPDATE' && req.body ? { body: leg.dialog.local.sdp } : {});
    return;
  }
  const headers: Record<string, string> = {};
  const contentType = req.get('Content-Type');
  if (contentType) headers['Content-Type'] = contentType;
  try {
    const answer = await peer.dialog.request({ method, headers, ...(req.body ? { body: req.body } : {}) });
    if (method === 'UPDATE' && answer.status === 200 && answer.body) leg.dialog.local.sdp = answer.body;
    res.send(answer.status, answer.body ? { body: answer.body } : {});
  } catch (error) {
    res.send(sipErrorStatus(error) ?? 500);
  }
}

/**
 * srf answers a re-INVITE itself (with the current local SDP) while a dialog has no 'modify'
 * listener, and it handles every frame of one TCP read synchronously: a re-INVITE right behind the
 * ACK can reach the dialog before `attachLeg` ran. When the leg's remote SDP is no longer the one
 * it was created with, such a re-INVITE slipped through: offer the new SDP to the peer now, so a
 * hold (or codec change) still reaches the other side.
 */
export function relayMissedReinvite(call: Call, leg: CallLeg, createdWithSdp: string, recorder: SessionRecorder): void {
  const offered = leg.dialog.remote.sdp;
  const peer = call.peerOf(leg);
  if (!offered || offered === createdWithSdp || !peer || peer.ended) return;
  call.reinviting.add(peer);
  peer.dialog
    .modify(offered)
    .then(
      () => recorder.event(call.sessionId, 'call.reinvite', { from: leg.role, to: peer.role, status: 200, late: true }),
      (error: unknown) =>
        recorder.event(call.sessionId, 'call.reinvite', { from: leg.role, to: peer.role, status: sipErrorStatus(error) ?? 500, late: true }),
    )
    .finally(() => call.reinviting.delete(peer));
}
