// manifest.json for a run: dbt's own manifest (written by `dbt parse` at worker start-up,
// schema v12) with the run's invocation id and generation time in its metadata.
import type { JsonValue } from '../../shared/contracts.js';
import type { ManifestEntry } from '../reuse/fingerprint.js';

/** A parsed manifest.json, as far as the worker reads it (parsed once per plan, shared read-only). */
export interface ManifestDoc {
  metadata?: Record<string, JsonValue> & { dbt_version?: string; adapter_type?: string };
  nodes?: Record<string, ManifestEntry>;
  sources?: Record<string, ManifestEntry>;
  macros?: Record<string, ManifestEntry>;
}

/** manifest.json for a run (its JSON, or the plan's parse of it, which is left unchanged). */
export function manifestForRun(manifest: string | ManifestDoc, invocationId: string, generatedAt: string): string {
  const doc = typeof manifest === 'string' ? (JSON.parse(manifest) as ManifestDoc) : manifest;
  return JSON.stringify({ ...doc, metadata: { ...(doc.metadata ?? {}), invocation_id: invocationId, generated_at: generatedAt } });
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
