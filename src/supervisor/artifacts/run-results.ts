// run_results.json in dbt's own schema (https://schemas.getdbt.com/dbt/run-results/v6.json),
// so dbt tooling (state:, retry, docs, elementary, ...) can read our runs.
import type { JsonValue, NodeResult } from '../../shared/contracts.js';

export const RUN_RESULTS_SCHEMA = 'https://schemas.getdbt.com/dbt/run-results/v6.json';

export interface RunResultsInput {
  invocationId: string;
  dbtVersion: string;
  generatedAt: string;
  startedAt: string;
  elapsedTime: number;
  results: readonly NodeResult[];
  /** unique_id -> relation name from the manifest (null for tests and ephemerals). */
  relationNames: ReadonlyMap<string, string | null>;
  /** The invocation's arguments, as dbt records them (never the run's env). */
  args: Record<string, JsonValue>;
}

/** dbt has no `cancelled`: a cancelled node reads as `skipped` (its message says why). */
function dbtStatus(status: NodeResult['status']): string {
  return status === 'cancelled' ? 'skipped' : status;
}

export function buildRunResults(input: RunResultsInput): Record<string, JsonValue> {
  return {
    metadata: {
      dbt_schema_version: RUN_RESULTS_SCHEMA,
      dbt_version: input.dbtVersion,
      generated_at: input.generatedAt,
      invocation_id: input.invocationId,
      invocation_started_at: input.startedAt,
      env: {},
    },
    results: input.results.map((r) => ({
      status: dbtStatus(r.status),
      timing: r.timing.map((t) => ({ name: t.name, started_at: t.started_at, completed_at: t.completed_at })),
      thread_id: 'Thread-1 (temporal)',
      execution_time: r.execution_time,
      adapter_response: r.adapter_response,
      message: r.message,
      failures: r.failures,
      unique_id: r.unique_id,
      compiled: r.compiled_code !== null,
      compiled_code: r.compiled_code,
      relation_name: input.relationNames.get(r.unique_id) ?? null,
      batch_results: null,
    })),
    elapsed_time: input.elapsedTime,
    args: input.args,
  };
}
