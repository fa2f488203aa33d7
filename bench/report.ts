// Benchmark report: percentiles, the Markdown table, the JSON file and an SVG bar chart.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Measured } from './plain-dbt.js';

export interface Row extends Measured {
  warehouse: string;
  competitor: string;
}

export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

const fmt = (v: number | null, digits = 1): string => (v === null ? '-' : v.toFixed(digits));

export function summarize(r: Row, floorS: number | null, perNodeS: number | null, nodes: number) {
  return {
    warehouse: r.warehouse,
    competitor: r.competitor,
    wall_s: Number(r.wallS.toFixed(2)),
    x_dbt_build: floorS === null ? null : Number((r.wallS / floorS).toFixed(2)),
    speedup_vs_per_node: perNodeS === null ? null : Number((perNodeS / r.wallS).toFixed(2)),
    nodes_per_s: Number((nodes / r.wallS).toFixed(2)),
    schedule_to_start_p50_ms: percentile(r.scheduleToStartMs, 50),
    schedule_to_start_p95_ms: percentile(r.scheduleToStartMs, 95),
    overhead_p50_ms: percentile(r.overheadMs, 50),
    overhead_p95_ms: percentile(r.overheadMs, 95),
    overhead_total_p50_ms: percentile(r.overheadTotalMs, 50),
    peak_rss_mb: r.peakRssMb,
    cpu_s: Number(r.cpuS.toFixed(1)),
    failures: r.failures,
  };
}

export type Summary = ReturnType<typeof summarize>;

export function markdownTable(rows: readonly Summary[]): string {
  const head = '| warehouse | competitor | wall s | x dbt build | speed-up vs per-node | nodes/s | sched-to-start p50/p95 ms | overhead p50/p95 ms | peak RSS MiB | CPU s |';
  const lines = rows.map((s) => `| ${s.warehouse} | ${s.competitor} | ${fmt(s.wall_s)} | ${fmt(s.x_dbt_build, 2)} | ${fmt(s.speedup_vs_per_node, 2)} | ${fmt(s.nodes_per_s, 2)} | ${fmt(s.schedule_to_start_p50_ms, 0)} / ${fmt(s.schedule_to_start_p95_ms, 0)} | ${fmt(s.overhead_p50_ms, 0)} / ${fmt(s.overhead_p95_ms, 0)} | ${s.peak_rss_mb} | ${fmt(s.cpu_s)} |`);
  return [head, `|${'---|'.repeat(10)}`, ...lines].join('\n');
}

/** Horizontal bars of wall time per competitor, grouped by warehouse. */
export function svgChart(title: string, rows: readonly Summary[]): string {
  const barH = 22;
  const left = 260;
  const width = 760;
  const max = Math.max(...rows.map((r) => r.wall_s), 1);
  const bars = rows.map((r, i) => {
    const y = 40 + i * (barH + 8);
    const w = Math.max(1, ((width - left - 80) * r.wall_s) / max);
    const color = r.competitor.startsWith('dbt-temporal warm') ? '#2b8a3e' : r.competitor.startsWith('dbt-temporal') ? '#5c7cfa' : '#868e96';
    return `<text x="${left - 8}" y="${y + 15}" text-anchor="end" font-size="12">${r.warehouse}: ${r.competitor}</text>`
      + `<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${color}"/>`
      + `<text x="${left + w + 6}" y="${y + 15}" font-size="12">${r.wall_s.toFixed(1)} s</text>`;
  });
  const height = 50 + rows.length * (barH + 8);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">`
    + `<text x="10" y="22" font-size="15" font-weight="bold">${title}</text>${bars.join('')}</svg>\n`;
}

/** A Markdown table of `rows` under `head` (null cells print as `-`). */
export function simpleTable(head: readonly string[], rows: readonly (readonly (string | number | null)[])[]): string {
  const line = (cells: readonly (string | number | null)[]): string => `| ${cells.map((c) => (c === null ? '-' : String(c))).join(' | ')} |`;
  return [line(head), `|${'---|'.repeat(head.length)}`, ...rows.map(line)].join('\n');
}

/** bench/results/<scenario>.json and .md, and .svg when there is a chart. */
export async function writeResults(dir: string, scenario: string, doc: object, table: string, svg?: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, `${scenario}.json`), `${JSON.stringify(doc, null, 2)}\n`);
  await writeFile(join(dir, `${scenario}.md`), `${table}\n`);
  if (svg !== undefined) await writeFile(join(dir, `${scenario}.svg`), svg);
}
