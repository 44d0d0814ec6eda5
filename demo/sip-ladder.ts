/**
 * Turns SIPp -trace_msg logs into one SIP ladder: every message any peer sent, in time order, as
 * `time  from ──METHOD/status──▶ to`. Each peer's log says when it sent and received what; the
 * sends are enough to draw every arrow (a message received by a SIPp peer was sent by talkbridge,
 * and appears in that peer's log as received).
 */
export interface PeerTrace {
  /** Column name of the SIPp peer (`carrier`, `AI agent`, `Zendesk SIP-IN`). */
  name: string;
  /** The SIPp -trace_msg log. */
  messages: string;
}

export interface LadderStep {
  at: string;
  from: string;
  to: string;
  label: string;
  /** The whole message text. */
  text: string;
}

const BLOCK_HEAD = /^-+ (\d{4}-\d\d-\d\d\s+)?(\d\d:\d\d:\d\d[.:]\d+)/;

export function ladderSteps(peers: readonly PeerTrace[], middle = 'talkbridge'): LadderStep[] {
  const steps: LadderStep[] = [];
  for (const peer of peers) {
    const blocks = peer.messages.split(/\r?\n(?=-{10,})/);
    for (const block of blocks) {
      const lines = block.split(/\r?\n/);
      const head = BLOCK_HEAD.exec(lines[0] ?? '');
      const kind = lines[1] ?? '';
      const sent = /message sent/i.test(kind);
      const received = /message received/i.test(kind);
      if (!head || (!sent && !received)) continue;
      const body = lines.slice(2).join('\n').trim();
      const start = body.split('\n')[0]?.trim() ?? '';
      const method = cseqMethod(body);
      // Responses name their method only when it is not the INVITE everyone expects.
      const label = /^SIP\/2\.0 /.test(start) ? `${start.slice(8)}${method === 'INVITE' ? '' : ` (${method})`}` : (start.split(' ')[0] ?? start);
      steps.push({
        at: head[2]!.replace(/^(\d\d:\d\d:\d\d)[.:](\d{3})\d*$/, '$1.$2'),
        from: sent ? peer.name : middle,
        to: sent ? middle : peer.name,
        label,
        text: body,
      });
    }
  }
  return steps.sort((a, b) => a.at.localeCompare(b.at));
}

function cseqMethod(message: string): string {
  return /^CSeq:\s*\d+\s+(\S+)/im.exec(message)?.[1] ?? '?';
}

/** Draw the steps as a ladder with one column per party. */
export function drawLadder(steps: readonly LadderStep[], columns: readonly string[]): string {
  const width = 24;
  const centre = (i: number): number => i * width + Math.floor(width / 2);
  const header = columns.map((c) => c.padStart(Math.floor((width + c.length) / 2)).padEnd(width)).join('');
  const out = [`              ${header}`];
  for (const step of steps) {
    const from = columns.indexOf(step.from);
    const to = columns.indexOf(step.to);
    if (from < 0 || to < 0) continue;
    const row: string[] = Array.from({ length: columns.length * width }, (_, i) => (columns.some((_, c) => centre(c) === i) ? '│' : ' '));
    const [left, right] = from < to ? [centre(from), centre(to)] : [centre(to), centre(from)];
    for (let i = left + 1; i < right; i++) row[i] = '─';
    row[from < to ? right - 1 : left + 1] = from < to ? '▶' : '◀';
    // The label sits between the two arrow ends, never over the arrow head.
    const room = right - left - 3;
    const label = ` ${step.label} `.slice(0, room);
    const start = left + 2 + Math.floor((room - label.length) / 2);
    for (let i = 0; i < label.length; i++) row[start + i] = label[i]!;
    out.push(`${step.at}  ${row.join('')}`);
  }
  return out.join('\n');
}
