/**
 * Payload layout (drachtio-protocol.md §3): `<leader>` or `<leader> CRLF <SIP message>`.
 * The leader is everything up to the first CRLF, split on `|` without collapsing empty tokens
 * (`a||b` is three tokens, a trailing `|` yields a trailing empty token). token[0] is the
 * sender's message id, token[1] the message type.
 */

const CR = 0x0d;
const LF = 0x0a;

export interface Payload {
  tokens: string[];
  /** Bytes after the first CRLF (the SIP message), or null when the payload has no CRLF. */
  sip: Buffer | null;
}

export function parsePayload(payload: Buffer): Payload {
  let end = payload.indexOf(CR);
  while (end >= 0 && payload[end + 1] !== LF) end = payload.indexOf(CR, end + 1);
  if (end < 0) return { tokens: payload.toString('utf8').split('|'), sip: null };
  return { tokens: payload.toString('utf8', 0, end).split('|'), sip: payload.subarray(end + 2) };
}

/** Thrown only for programming errors: a token that would corrupt the leader. */
export class LeaderTokenError extends Error {
  constructor(token: string) {
    super(`drachtio leader token must not contain "|", CR or LF: ${JSON.stringify(token)}`);
  }
}

const FORBIDDEN = /[|\r\n]/;

/** Join tokens with `|` and append `CRLF <sip>` when a SIP message is attached. */
export function buildPayload(tokens: readonly string[], sip?: Buffer | string | null): Buffer {
  for (const token of tokens) if (FORBIDDEN.test(token)) throw new LeaderTokenError(token);
  const leader = tokens.join('|');
  if (sip === undefined || sip === null) return Buffer.from(leader, 'utf8');
  const body = typeof sip === 'string' ? Buffer.from(sip, 'utf8') : sip;
  // One allocation for leader + CRLF + SIP message (this runs for every frame to an application).
  const leaderBytes = Buffer.byteLength(leader, 'utf8');
  const out = Buffer.allocUnsafe(leaderBytes + 2 + body.length);
  out.write(leader, 0, 'utf8');
  out[leaderBytes] = CR;
  out[leaderBytes + 1] = LF;
  body.copy(out, leaderBytes + 2);
  return out;
}
