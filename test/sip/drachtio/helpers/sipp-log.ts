/** Reads the messages out of SIPp's -trace_msg log (for checks on headers and ordering). */
import type { SippResult } from '../../../helpers/sipp.js';

export interface LoggedMessage {
  direction: 'sent' | 'received';
  /** Local wall-clock time SIPp logged (ms; microseconds kept as a fraction). */
  time: number;
  startLine: string;
  text: string;
  header(name: string): string | undefined;
}

/** Every message SIPp sent or received, in log order. */
export function loggedMessages(result: SippResult): LoggedMessage[] {
  const out: LoggedMessage[] = [];
  for (const block of result.messages.split(/\r?\n(?=-{10,})/)) {
    const direction = /message received/i.test(block) ? 'received' : /message sent/i.test(block) ? 'sent' : null;
    if (direction === null) continue;
    const stamp = /-{10,}\s+(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)\.(\d+)/.exec(block);
    const time = stamp ? Date.parse(`${stamp[1]}T${stamp[2]}`) + Number(`0.${stamp[3]}`) * 1000 : Number.NaN;
    const lines = block.split(/\r?\n/).map((line) => line.trim());
    const start = lines.findIndex((line) => /^(SIP\/2\.0 \d{3}|[A-Z]+ \S+ SIP\/2\.0)/.test(line));
    if (start < 0) continue;
    const blank = lines.indexOf('', start + 1);
    const headers = lines.slice(start + 1, blank < 0 ? undefined : blank);
    out.push({
      direction,
      time,
      startLine: lines[start]!,
      text: lines.slice(start).join('\n'),
      header(name) {
        const prefix = `${name.toLowerCase()}:`;
        const line = headers.find((h) => h.toLowerCase().startsWith(prefix));
        return line?.slice(prefix.length).trim();
      },
    });
  }
  return out;
}

/** Every message SIPp received, in order. */
export function receivedMessages(result: SippResult): LoggedMessage[] {
  return loggedMessages(result).filter((m) => m.direction === 'received');
}

/** Requests of one method that SIPp received (or sent). */
export function receivedRequests(result: SippResult, method: string): LoggedMessage[] {
  return receivedMessages(result).filter((m) => m.startLine.startsWith(`${method} `));
}

export function sentRequests(result: SippResult, method: string): LoggedMessage[] {
  return loggedMessages(result).filter((m) => m.direction === 'sent' && m.startLine.startsWith(`${method} `));
}
