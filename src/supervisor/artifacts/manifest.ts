// manifest.json for a run: dbt's own manifest (written by `dbt parse` at worker start-up,
// schema v12) with the run's invocation id and generation time in its metadata.
import type { JsonValue } from '../../shared/contracts.js';

export function manifestForRun(manifestJson: string, invocationId: string, generatedAt: string): string {
  const manifest = JSON.parse(manifestJson) as { metadata?: Record<string, JsonValue> };
  manifest.metadata = { ...(manifest.metadata ?? {}), invocation_id: invocationId, generated_at: generatedAt };
  return JSON.stringify(manifest);
}

/** unique_id -> relation_name of every node in a manifest (null where dbt has none). */
export function relationNames(manifestJson: string): Map<string, string | null> {
  const manifest = JSON.parse(manifestJson) as { nodes?: Record<string, { relation_name?: string | null }> };
  const out = new Map<string, string | null>();
  for (const [id, node] of Object.entries(manifest.nodes ?? {})) out.set(id, node.relation_name ?? null);
  return out;
}

/** dbt-core's version as recorded in the manifest (`metadata.dbt_version`). */
export function dbtVersionOf(manifestJson: string): string {
  const m = /"dbt_version"\s*:\s*"([^"]+)"/.exec(manifestJson.slice(0, 4096));
  return m?.[1] ?? 'unknown';
}
