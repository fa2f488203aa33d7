// Process-tree accounting for `dbt-temporal bench` and `npm run bench` (Linux /proc): CPU
// seconds and the sampled peak RSS of process trees, so each setting is measured with
// everything it started.
import { readdirSync } from 'node:fs';
import { procStatFields } from '../proc-stat.js';

const TICKS_PER_S = 100; // USER_HZ on Linux
const PAGE_KB = 4;

interface Stat {
  pid: number;
  ppid: number;
  /** utime + stime of the process itself, and of the children it reaped, in ticks. */
  own: number;
  children: number;
  rssKb: number;
}

function readStat(pid: number): Stat | null {
  const f = procStatFields(pid);
  if (!f) return null; // exited, or no /proc (not Linux): counts as nothing
  const num = (i: number): number => Number(f[i]);
  return { pid, ppid: num(1), own: num(11) + num(12), children: num(13) + num(14), rssKb: num(21) * PAGE_KB };
}

/** Every live process of the trees rooted at `roots` (roots included), from one read of /proc. */
function treeStats(roots: readonly number[]): Stat[] {
  if (roots.length === 0) return [];
  let all: Stat[] = [];
  try {
    all = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map((d) => readStat(Number(d))).filter((s): s is Stat => s !== null);
  } catch {
    return [];
  }
  const kids = new Map<number, Stat[]>();
  for (const s of all) {
    const siblings = kids.get(s.ppid);
    if (siblings) siblings.push(s);
    else kids.set(s.ppid, [s]);
  }
  const out: Stat[] = [];
  const stack = roots.map(readStat).filter((s): s is Stat => s !== null);
  while (stack.length > 0) {
    const s = stack.pop() as Stat;
    out.push(s);
    stack.push(...(kids.get(s.pid) ?? []));
  }
  return out;
}

/** CPU seconds the trees used so far (live processes plus the children they reaped). */
export function treeCpuSeconds(roots: number | readonly number[]): number {
  return treeStats(typeof roots === 'number' ? [roots] : roots).reduce((sum, s) => sum + s.own + s.children, 0) / TICKS_PER_S;
}

/** CPU seconds of one process alone (its threads included; its children not). */
export function ownCpuSeconds(pid: number): number {
  return (readStat(pid)?.own ?? 0) / TICKS_PER_S;
}

/** CPU seconds of this process's reaped children (a finished `dbt build`). */
export function reapedChildrenCpuSeconds(): number {
  return (readStat(process.pid)?.children ?? 0) / TICKS_PER_S;
}

/** Samples the summed RSS of the trees under `roots()` every `intervalMs`; stop() returns the peak in MiB. */
export function sampleRss(roots: () => readonly number[], intervalMs = 100): { stop(): number } {
  let peakKb = 0;
  const tick = (): void => {
    const kb = treeStats(roots()).reduce((sum, s) => sum + s.rssKb, 0);
    if (kb > peakKb) peakKb = kb;
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      tick();
      return Math.round(peakKb / 1024);
    },
  };
}
