// What /proc says about a process: open file descriptors, children (and zombies among them), memory.
import * as fs from 'node:fs';

export function openFds(pid: number): number {
  return fs.readdirSync(`/proc/${pid}/fd`).length;
}

/** Resident memory now, in MiB. */
export function rssMiB(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
}

/** Direct children of `pid` with their state letter (Z is a zombie nobody reaped). */
export function children(pid: number): { pid: number; state: string; command: string }[] {
  const found: { pid: number; state: string; command: string }[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const [state, ppid] = stat.slice(close + 2).split(' ');
      if (Number(ppid) === pid) found.push({ pid: Number(entry), state: state!, command: stat.slice(stat.indexOf('(') + 1, close) });
    } catch {
      // Exited while we looked.
    }
  }
  return found;
}
