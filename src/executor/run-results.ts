// Reads dbt's own run_results.json and maps one entry to our NodeResult (same vocabulary).
import { readFile } from 'node:fs/promises';
import type { JsonValue, NodeResult, NodeStatus, NodeTiming } from '../shared/contracts.js';

interface RawResult {
  unique_id?: string;
  status?: string;
  execution_time?: number;
  message?: string | null;
  adapter_response?: Record<string, JsonValue>;
  compiled_code?: string | null;
  timing?: NodeTiming[];
  failures?: number | null;
  /** Ours (warm engines): dbt's warnings while the node ran. */
  warnings?: string[];
}

/** Every result in a run_results.json, keyed by unique id; empty when the file is absent. */
export async function readRunResults(path: string): Promise<Map<string, NodeResult>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return new Map();
  }
  return runResultsOf(JSON.parse(text) as { results?: unknown[] });
}

/** The results of a run_results-shaped document, keyed by unique id. */
export function runResultsOf(doc: { results?: unknown[] }): Map<string, NodeResult> {
  const out = new Map<string, NodeResult>();
  for (const r of (doc.results ?? []) as RawResult[]) {
    if (!r.unique_id) continue;
    out.set(r.unique_id, {
      unique_id: r.unique_id,
      status: (r.status ?? 'error') as NodeStatus,
      execution_time: r.execution_time ?? 0,
      message: r.message ?? null,
      adapter_response: r.adapter_response ?? {},
      compiled_code: r.compiled_code ?? null,
      timing: (r.timing ?? []).map((t) => ({ name: t.name, started_at: t.started_at, completed_at: t.completed_at })),
      failures: r.failures ?? null,
      ...(r.warnings && r.warnings.length > 0 ? { warnings: r.warnings } : {}),
    });
  }
  return out;
}
