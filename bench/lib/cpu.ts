/**
 * CPU time (user + system, all threads) of processes and their descendants, from /proc — the cost
 * per call independent of how busy the machine is (the benches share two cores with SIPp).
 */
import { readdir, readFile } from 'node:fs/promises';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ; 100 on Linux x86). */
const TICKS_PER_S = 100;

async function statFields(pid: number): Promise<string[] | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** The pids of `root` and all its descendants alive now. */
export async function processTree(root: number): Promise<number[]> {
  const parents = new Map<number, number[]>();
  for (const entry of await readdir('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const fields = await statFields(pid);
    if (!fields) continue;
    const ppid = Number(fields[1]);
    parents.set(ppid, [...(parents.get(ppid) ?? []), pid]);
  }
  const out: number[] = [];
  const visit = (pid: number): void => {
    out.push(pid);
    for (const child of parents.get(pid) ?? []) visit(child);
  };
  visit(root);
  return out;
}

/** utime + stime in ms of the given processes (3rd/4th fields after the state: 14 and 15 of stat). */
export async function cpuMs(pids: number[]): Promise<number> {
  let ticks = 0;
  for (const pid of pids) {
    const fields = await statFields(pid);
    if (fields) ticks += Number(fields[11]) + Number(fields[12]);
  }
  return (ticks * 1000) / TICKS_PER_S;
}
