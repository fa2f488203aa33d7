// Process-tree accounting for `dbt-temporal bench` (Linux /proc): CPU seconds and the sampled
// peak RSS of a process tree, so each setting is measured with everything it started.
import { readFileSync, readdirSync } from 'node:fs';

const TICKS_PER_S = 100; // USER_HZ on Linux
const PAGE_KB = 4;

interface Stat {
  pid: number;
  ppid: number;
  /** utime + stime of the process and of the children it reaped, in ticks. */
  ticks: number;
  rssKb: number;
}

function readStat(pid: number): Stat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const num = (i: number): number => Number(f[i]);
    return { pid, ppid: num(1), ticks: num(11) + num(12) + num(13) + num(14), rssKb: num(21) * PAGE_KB };
  } catch {
    return null; // exited, or no /proc (not Linux): counts as nothing
  }
}

/** Every live process of the tree rooted at `root` (root included). */
function tree(root: number): Stat[] {
  let all: Stat[] = [];
  try {
    all = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map((d) => readStat(Number(d))).filter((s): s is Stat => s !== null);
  } catch {
    return [];
  }
  const kids = new Map<number, Stat[]>();
  for (const s of all) kids.set(s.ppid, [...(kids.get(s.ppid) ?? []), s]);
  const out: Stat[] = [];
  const stack = [readStat(root)].filter((s): s is Stat => s !== null);
  while (stack.length > 0) {
    const s = stack.pop() as Stat;
    out.push(s);
    stack.push(...(kids.get(s.pid) ?? []));
  }
  return out;
}

/** CPU seconds the tree used so far (live processes plus the children they reaped). */
export function treeCpuSeconds(root: number): number {
  return tree(root).reduce((sum, s) => sum + s.ticks, 0) / TICKS_PER_S;
}

/** CPU seconds of this process's reaped children (a finished `dbt build`). */
export function reapedChildrenCpuSeconds(): number {
  try {
    const text = readFileSync(`/proc/${process.pid}/stat`, 'utf8');
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return (Number(f[13]) + Number(f[14])) / TICKS_PER_S;
  } catch {
    return 0;
  }
}

/** Samples the summed RSS of the trees under `roots()` every `intervalMs`; stop() returns the peak in MiB. */
export function sampleRss(roots: () => readonly number[], intervalMs = 100): { stop(): number } {
  let peakKb = 0;
  const tick = (): void => {
    const kb = roots().flatMap(tree).reduce((sum, s) => sum + s.rssKb, 0);
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
