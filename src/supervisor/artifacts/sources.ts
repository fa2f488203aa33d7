// dbt's sources.json (schema v3) from a `source-freshness` run's node results.
import type { JsonValue, NodeResult } from '../../shared/contracts.js';

export interface SourcesArtifactInput {
  invocationId: string;
  dbtVersion: string;
  generatedAt: string;
  elapsedTime: number;
  results: readonly NodeResult[];
}

/** Null when no result carries freshness data (nothing to write). */
export function buildSourcesJson(input: SourcesArtifactInput): Record<string, JsonValue> | null {
  const fresh = input.results.filter((r) => r.freshness);
  if (fresh.length === 0) return null;
  return {
    metadata: {
      dbt_schema_version: 'https://schemas.getdbt.com/dbt/sources/v3.json',
      dbt_version: input.dbtVersion,
      generated_at: input.generatedAt,
      invocation_id: input.invocationId,
      env: {},
    },
    results: fresh.map((r) => ({
      unique_id: r.unique_id,
      max_loaded_at: r.freshness?.max_loaded_at ?? null,
      snapshotted_at: r.freshness?.snapshotted_at ?? null,
      max_loaded_at_time_ago_in_s: r.freshness?.max_loaded_at_time_ago_in_s ?? null,
      status: r.status,
      criteria: r.freshness?.criteria ?? {},
      adapter_response: r.adapter_response,
      timing: r.timing.map((t) => ({ name: t.name, started_at: t.started_at, completed_at: t.completed_at })),
      thread_id: 'Thread-1',
      execution_time: r.execution_time,
    })),
    elapsed_time: input.elapsedTime,
  };
}
