/**
 * SDP rules for transfer media: Zendesk SIP-IN (Twilio) accepts only G.711 (PCMU/PCMA), so the offer
 * sent to a destination keeps only those (plus RFC 4733 telephone-event for DTMF) and only audio.
 * The caller's SDP is the starting point, so RTP still flows caller ↔ destination directly.
 */
import sdpTransform, { type MediaDescription, type SessionDescription } from 'sdp-transform';

export type SdpResult = { ok: true; sdp: string } | { ok: false; reason: string };

/** RFC 3551 static payload types. */
const STATIC_G711: Record<number, string> = { 0: 'PCMU', 8: 'PCMA' };
const KEEP_CODECS = new Set(['pcmu', 'pcma', 'telephone-event']);

export function g711Offer(sdp: string): SdpResult {
  if (!sdp || !sdp.trim()) return { ok: false, reason: 'caller SDP is empty' };
  let parsed: SessionDescription;
  try {
    parsed = sdpTransform.parse(sdp);
  } catch {
    return { ok: false, reason: 'caller SDP does not parse' };
  }
  const audio = parsed.media.filter((m) => m.type === 'audio' && m.port !== 0);
  if (audio.length === 0) return { ok: false, reason: 'caller SDP has no active audio stream' };

  const media: MediaDescription[] = [];
  for (const m of audio) {
    const rtpByPayload = new Map((m.rtp ?? []).map((r) => [r.payload, r]));
    const payloads = String(m.payloads ?? '')
      .split(/\s+/)
      .filter(Boolean)
      .map(Number)
      .filter((pt) => {
        const codec = rtpByPayload.get(pt)?.codec ?? STATIC_G711[pt];
        if (!codec || !KEEP_CODECS.has(codec.toLowerCase())) return false;
        // RFC 4733 telephone-event is kept only at the G.711 clock rate.
        const rate = rtpByPayload.get(pt)?.rate ?? 8000;
        return rate === 8000;
      });
    const hasVoice = payloads.some((pt) => {
      const codec = rtpByPayload.get(pt)?.codec ?? STATIC_G711[pt];
      return codec?.toLowerCase() === 'pcmu' || codec?.toLowerCase() === 'pcma';
    });
    if (!hasVoice) continue;
    const keep = new Set(payloads);
    const out: MediaDescription = {
      ...m,
      payloads: payloads.join(' '),
      rtp: (m.rtp ?? []).filter((r) => keep.has(r.payload)),
      fmtp: (m.fmtp ?? []).filter((f) => keep.has(f.payload)),
    };
    if (m.rtcpFb) out.rtcpFb = m.rtcpFb.filter((f) => keep.has(Number(f.payload)));
    // Ensure static payloads carry an explicit rtpmap (harmless, and some gateways insist).
    for (const pt of payloads) {
      const name = STATIC_G711[pt];
      if (name && !rtpByPayload.has(pt)) out.rtp.push({ payload: pt, codec: name, rate: 8000 });
    }
    out.rtp.sort((a, b) => payloads.indexOf(a.payload) - payloads.indexOf(b.payload));
    media.push(out);
  }
  if (media.length === 0) return { ok: false, reason: 'caller SDP offers neither PCMU nor PCMA' };

  const result: SessionDescription = { ...parsed, media };
  // Session-level BUNDLE groups would name m-lines that may be gone.
  delete result.groups;
  return { ok: true, sdp: sdpTransform.write(result) };
}

/**
 * SDP to re-offer to a leg inside an existing dialog: the new media description with the origin
 * (`o=`) of what we sent that leg before and its version incremented (RFC 3264 §8: a changed
 * session description keeps the origin and increments the version).
 */
export function reofferWithin(previousLocalSdp: string, newMediaSdp: string): string {
  try {
    const previous = sdpTransform.parse(previousLocalSdp);
    const next = sdpTransform.parse(newMediaSdp);
    if (!previous.origin || !next.origin) return newMediaSdp;
    next.origin = { ...previous.origin, sessionVersion: Number(previous.origin.sessionVersion) + 1 };
    return sdpTransform.write(next);
  } catch {
    return newMediaSdp;
  }
}
