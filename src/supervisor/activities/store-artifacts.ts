// store_artifacts: writes a run's run_results.json, manifest.json and log.txt under
// `<store>/<invocation_id>/` in dbt's own formats. Never receives or writes the run's env.
import { Context } from '@temporalio/activity';
import type { ArtifactPaths, JsonValue, NodeResult } from '../../shared/contracts.js';
import { dbtVersionOf, manifestForRun, relationNames } from '../artifacts/manifest.js';
import { buildRunResults } from '../artifacts/run-results.js';
import { buildSourcesJson } from '../artifacts/sources.js';
import { rethrowCoded, toFailure } from './deps.js';
import type { ActivityDeps } from './deps.js';
import { NO_OBSERVABILITY } from './observability-deps.js';

export interface StoreArtifactsInput {
  invocation_id: string;
  project: string;
  results: NodeResult[];
  log: string[];
  /** ISO time the run started. */
  started_at: string;
  elapsed_time: number;
  args: Record<string, JsonValue>;
  /** The run's manifest stored at plan time; when absent the worker's startup manifest is written. */
  manifest_path?: string | null;
}

export function createStoreArtifactsActivity(deps: ActivityDeps) {
  const obs = deps.observability ?? NO_OBSERVABILITY;
  return async function store_artifacts(input: StoreArtifactsInput): Promise<ArtifactPaths> {
    const store = obs.store;
    if (!store) throw toFailure('CONFIG_ERROR', 'store_artifacts called but WRITE_ARTIFACTS is off on this worker');
    let project;
    try {
      project = deps.cache.pick(input.project);
    } catch (err) {
      rethrowCoded(err);
    }
    Context.current().heartbeat();
    const generatedAt = new Date().toISOString();
    // Relation names as this run resolved them (its env and target), when its manifest was stored.
    const manifestJson = input.manifest_path ? await store.get(input.manifest_path) : project.manifestJson;
    const runResults = buildRunResults({
      invocationId: input.invocation_id,
      dbtVersion: dbtVersionOf(manifestJson),
      generatedAt,
      startedAt: input.started_at,
      elapsedTime: input.elapsed_time,
      results: input.results,
      relationNames: relationNames(manifestJson),
      args: input.args,
    });
    const paths: ArtifactPaths = {
      run_results_path: await store.put(input.invocation_id, 'run_results.json', `${JSON.stringify(runResults, null, 2)}\n`),
      manifest_path: input.manifest_path ?? await store.put(input.invocation_id, 'manifest.json', manifestForRun(project.manifestJson, input.invocation_id, generatedAt)),
      log_path: null,
      catalog_path: null,
    };
    if (obs.writeRunLog) paths.log_path = await store.put(input.invocation_id, 'log.txt', `${input.log.join('\n')}\n`);
    // After source-freshness: dbt's sources.json (its path is not part of the output, as in dbt-temporal).
    const sources = buildSourcesJson({ invocationId: input.invocation_id, dbtVersion: dbtVersionOf(manifestJson), generatedAt, elapsedTime: input.elapsed_time, results: input.results });
    if (sources) await store.put(input.invocation_id, 'sources.json', `${JSON.stringify(sources, null, 2)}\n`);
    await store.finishRun?.(input.invocation_id);
    return paths;
  };
}
