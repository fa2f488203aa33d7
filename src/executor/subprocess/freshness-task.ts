// `dbt source freshness` for one source; dbt writes its result to sources.json.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { JsonValue, NodeResult, NodeStatus, NodeTiming } from '../../shared/contracts.js';
import type { ExecutorResult, FreshnessTask } from '../../shared/executor-protocol.js';
import { dbtFailed } from '../failure.js';
import { dbtExitFailure, processFailure } from './process-failure.js';
import { invokeDbt } from './tasks.js';
import { withWorkspace } from '../workspace.js';

interface RawFreshness {
  unique_id: string;
  status: string;
  error?: string;
  max_loaded_at?: string | null;
  snapshotted_at?: string | null;
  max_loaded_at_time_ago_in_s?: number | null;
  criteria?: JsonValue;
  adapter_response?: Record<string, JsonValue>;
  timing?: NodeTiming[];
  execution_time?: number;
}

function toResult(r: RawFreshness): NodeResult {
  const age = r.max_loaded_at_time_ago_in_s;
  const message = r.error ?? `freshness ${r.status}${age == null ? '' : ` (age ${Math.round(age)}s, max_loaded_at ${r.max_loaded_at})`}`;
  return {
    unique_id: r.unique_id,
    status: r.status as NodeStatus,
    execution_time: r.execution_time ?? 0,
    message,
    adapter_response: r.adapter_response ?? {},
    compiled_code: null,
    timing: r.timing ?? [],
    failures: null,
    freshness: {
      max_loaded_at: r.max_loaded_at ?? null,
      snapshotted_at: r.snapshotted_at ?? null,
      max_loaded_at_time_ago_in_s: age ?? null,
      criteria: r.criteria ?? null,
    },
  };
}

export async function runFreshness(task: FreshnessTask, signal: AbortSignal): Promise<ExecutorResult> {
  return withWorkspace(task.invocation, 'dbtt-fresh-', async (ws) => {
    const p = await invokeDbt(task, ws, ['source', 'freshness', '--select', task.selector], signal);
    const stopped = processFailure(p, `freshness of ${task.uniqueId}`);
    if (stopped) return stopped;
    let raw: RawFreshness | undefined;
    try {
      const doc = JSON.parse(await readFile(join(ws.targetPath, 'sources.json'), 'utf8')) as { results?: RawFreshness[] };
      raw = doc.results?.find((r) => r.unique_id === task.uniqueId);
    } catch {
      raw = undefined;
    }
    if (!raw) {
      return dbtExitFailure(p, `dbt source freshness ${task.uniqueId}`, `failed (exit ${p.exitCode})`);
    }
    const result = toResult(raw);
    if (result.status === 'runtime error') return dbtFailed(result.message ?? '', result.message ?? 'freshness failed', null, result);
    return { type: 'node', result, overheadMs: { queued: 0, engine: 0 } };
  });
}
