// Process-tree resource accounting from /proc for the benchmark scenarios: the same accounting
// `dbt-temporal bench` does (src/supervisor/cli/bench-proc.ts), over several trees.
import { treeCpuSeconds as oneTreeCpuSeconds } from '../src/supervisor/cli/bench-proc.js';

export { reapedChildrenCpuSeconds, sampleRss } from '../src/supervisor/cli/bench-proc.js';

/** CPU seconds used so far by the trees (live processes plus the children they reaped). */
export function treeCpuSeconds(roots: readonly number[]): number {
  return roots.reduce((sum, root) => sum + oneTreeCpuSeconds(root), 0);
}
