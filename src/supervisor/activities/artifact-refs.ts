// Reads earlier runs' artifacts named by the input (`retry_from`, `state_manifest_ref`,
// `defer_manifest_ref`) from the artifact store; a small cache keeps hot manifests in memory.
import { codeOf } from '../../shared/failures.js';
import { toFailure } from './deps.js';
import type { ActivityDeps } from './deps.js';

const CACHE_ENTRIES = 4;
const cache = new Map<string, string>();

/** The text behind `ref`; a clear non-retryable failure when it cannot be read. */
export async function readArtifactRef(deps: ActivityDeps, field: string, ref: string): Promise<string> {
  const store = deps.observability?.store;
  if (!store) throw toFailure(codeOf({ kind: 'invalid-input' }), `${field} requires artifact storage to be configured (WRITE_ARTIFACTS=true, ARTIFACT_STORE)`);
  const key = `${store.location}\0${ref}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  let text: string;
  try {
    text = await store.get(ref);
  } catch (err) {
    const notFound = (err as { code?: unknown }).code === 'ARTIFACT_NOT_FOUND';
    throw toFailure(codeOf({ kind: 'artifact', notFound }), `${field}: cannot read ${ref} from the artifact store: ${(err as Error).message}`);
  }
  cache.set(key, text);
  if (cache.size > CACHE_ENTRIES) cache.delete(cache.keys().next().value as string);
  return text;
}

/** dbt retry's rule: rerun what errored, failed or was skipped (not passes, successes or warnings). */
const RETRY_STATUSES = new Set(['error', 'fail', 'skipped', 'runtime error', 'partial success', 'cancelled']);

/** Unique ids to rerun from an earlier run_results.json (dbt's schema or ours). */
export function idsToRetry(runResultsJson: string, field = 'retry_from'): Set<string> {
  let doc: { results?: { unique_id?: string; status?: string }[] };
  try {
    doc = JSON.parse(runResultsJson) as typeof doc;
  } catch {
    // JSON.parse's message quotes the text: never echo a file's contents.
    throw toFailure(codeOf({ kind: 'invalid-input' }), `${field}: not a run_results.json (not valid JSON)`);
  }
  if (!Array.isArray(doc.results)) throw toFailure(codeOf({ kind: 'invalid-input' }), `${field}: not a run_results.json (no results array)`);
  return new Set(doc.results.filter((r) => r.unique_id && RETRY_STATUSES.has(String(r.status))).map((r) => r.unique_id as string));
}
