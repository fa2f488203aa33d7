// Process-tree resource accounting from /proc for the benchmark scenarios: the accounting of
// `dbt-temporal bench` (src/supervisor/cli/bench-proc.ts).
export { ownCpuSeconds, reapedChildrenCpuSeconds, sampleRss, treeCpuSeconds } from '../src/supervisor/cli/bench-proc.js';
