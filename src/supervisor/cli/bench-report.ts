// What `dbt-temporal bench` reports: one row per setting and one for the `dbt build` baseline,
// a plain-text table, the best setting under the memory limit with the env vars that deploy
// it, and one self-contained HTML page (inline SVG charts, no external assets).
import type { Measurement } from './bench-sweep.js';

export interface BenchRow {
  setting: string;
  kind: 'dbt-build' | 'worker';
  /** Concurrent runs of the selection. */
  runs: number;
  /** The worker env vars of the setting (empty for the baseline). */
  env: Record<string, string>;
  nodes: number;
  wall_s: number;
  cpu_s: number;
  peak_rss_mb: number;
  nodes_per_s: number;
  schedule_to_start_p50_ms: number | null;
  schedule_to_start_p95_ms: number | null;
  overhead_p50_ms: number | null;
  overhead_p95_ms: number | null;
  failures: number;
}

export interface BestSetting {
  setting: string;
  wall_s: number;
  peak_rss_mb: number;
  /** What to set on the deployment (the setting's env plus WORKER_MEMORY_LIMIT when given). */
  env: Record<string, string>;
}

const round = (n: number, d = 2): number => Math.round(n * 10 ** d) / 10 ** d;

/** The p-th percentile (nearest rank) of `values`, null when there are none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number);
}

export function rowOf(setting: string, kind: BenchRow['kind'], runs: number, env: Record<string, string>, m: Measurement): BenchRow {
  return {
    setting, kind, runs, env, nodes: m.nodes, wall_s: round(m.wallS), cpu_s: round(m.cpuS, 1), peak_rss_mb: m.peakRssMb,
    nodes_per_s: m.wallS > 0 ? round(m.nodes / m.wallS) : 0,
    schedule_to_start_p50_ms: percentile(m.scheduleToStartMs, 50), schedule_to_start_p95_ms: percentile(m.scheduleToStartMs, 95),
    overhead_p50_ms: percentile(m.overheadMs, 50), overhead_p95_ms: percentile(m.overheadMs, 95), failures: m.failures,
  };
}

/** The fastest worker setting without failures whose peak RSS fits `memoryLimitMb` (any, when no limit). */
export function bestSetting(rows: readonly BenchRow[], memoryLimitMb: number | null, memoryLimit: string | null): BestSetting | null {
  const fits = rows.filter((r) => r.kind === 'worker' && r.failures === 0 && (memoryLimitMb === null || r.peak_rss_mb <= memoryLimitMb));
  const best = [...fits].sort((a, b) => a.wall_s - b.wall_s)[0];
  if (!best) return null;
  return { setting: best.setting, wall_s: best.wall_s, peak_rss_mb: best.peak_rss_mb, env: { ...best.env, ...(memoryLimit ? { WORKER_MEMORY_LIMIT: memoryLimit } : {}) } };
}

const COLUMNS: Array<[string, (r: BenchRow) => string]> = [
  ['setting', (r) => r.setting], ['runs', (r) => String(r.runs)], ['nodes', (r) => String(r.nodes)], ['wall s', (r) => String(r.wall_s)],
  ['CPU s', (r) => String(r.cpu_s)], ['peak RSS MiB', (r) => String(r.peak_rss_mb)], ['nodes/s', (r) => String(r.nodes_per_s)],
  ['s2s p50/p95 ms', (r) => (r.schedule_to_start_p50_ms === null ? '-' : `${r.schedule_to_start_p50_ms}/${r.schedule_to_start_p95_ms}`)],
  ['overhead p50/p95 ms', (r) => (r.overhead_p50_ms === null ? '-' : `${r.overhead_p50_ms}/${r.overhead_p95_ms}`)], ['failures', (r) => String(r.failures)],
];

/** The rows as an aligned text table. */
export function textTable(rows: readonly BenchRow[]): string {
  const cells = [COLUMNS.map(([h]) => h), ...rows.map((r) => COLUMNS.map(([, f]) => f(r)))];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((c) => (c[i] as string).length)));
  return cells.map((c) => c.map((v, i) => v.padEnd(widths[i] as number)).join('  ').trimEnd()).join('\n');
}

/** The best-setting lines: the setting and `KEY=VALUE` per env var (or why there is none). */
export function bestText(best: BestSetting | null, memoryLimit: string | null): string {
  const under = memoryLimit ? ` under ${memoryLimit}` : '';
  if (!best) return `No setting ran without failures${under}.`;
  const env = Object.entries(best.env).map(([k, v]) => `  ${k}=${v}`);
  return [`Best for wall time${under}: ${best.setting} (${best.wall_s} s, peak ${best.peak_rss_mb} MiB). Deploy it with:`, ...(env.length ? env : ['  (the worker defaults)'])].join('\n');
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A horizontal bar chart of one column, as inline SVG. */
function bars(title: string, rows: readonly BenchRow[], value: (r: BenchRow) => number, unit: string): string {
  const max = Math.max(1e-9, ...rows.map(value));
  const h = 24;
  const items = rows.map((r, i) => {
    const w = Math.round((value(r) / max) * 420);
    const y = 30 + i * h;
    const fill = r.kind === 'dbt-build' ? '#888' : '#3b6fd4';
    return `<text x="0" y="${y + 15}" font-size="12">${esc(r.setting)}</text><rect x="260" y="${y + 3}" width="${w}" height="${h - 8}" fill="${fill}"/>`
      + `<text x="${266 + w}" y="${y + 15}" font-size="12">${value(r)} ${unit}</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="800" height="${40 + rows.length * h}" role="img"><title>${esc(title)}</title>`
    + `<text x="0" y="16" font-size="14" font-weight="bold">${esc(title)}</text>${items.join('')}</svg>`;
}

/** The self-contained HTML report. */
export function htmlReport(o: { title: string; rows: readonly BenchRow[]; best: BestSetting | null; memoryLimit: string | null }): string {
  const head = COLUMNS.map(([h]) => `<th>${esc(h)}</th>`).join('');
  const body = o.rows.map((r) => `<tr>${COLUMNS.map(([, f]) => `<td>${esc(f(r))}</td>`).join('')}</tr>`).join('\n');
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${esc(o.title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:1000px}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}td:first-child,th:first-child{text-align:left}pre{background:#f4f4f4;padding:1em}</style>
</head><body>
<h1>${esc(o.title)}</h1>
<table><thead><tr>${head}</tr></thead><tbody>
${body}
</tbody></table>
${bars('Wall time (lower is better)', o.rows, (r) => r.wall_s, 's')}
${bars('Peak RSS of the process tree', o.rows, (r) => r.peak_rss_mb, 'MiB')}
${bars('Nodes per second (higher is better)', o.rows, (r) => r.nodes_per_s, '/s')}
<h2>Best setting</h2>
<pre>${esc(bestText(o.best, o.memoryLimit))}</pre>
</body></html>
`;
}
