// The end of a run: artifacts, the DbtRunOutput (kept under the payload limit), the final
// memos and DbtStatus, and the terminal outcome (failed runs fail the workflow with the output).
import { ActivityFailure, proxyActivities } from '@temporalio/workflow';
import type { ArtifactPaths, DbtRunOutput, NodeResult } from '../../shared/contracts.js';
import { withoutEnv } from '../../shared/input.js';
import { runCost } from '../../shared/node-cost.js';
import type { RunRequest } from '../../shared/input.js';
import { failsRun, isFailureStatus } from '../../shared/names.js';
import { fitResults, fitResultsAndLog, PAYLOAD_BUDGET_BYTES } from '../../shared/payload-budget.js';
import { footerLines, summaryBucket } from '../../shared/run-log.js';
import type { RunTracker } from '../../shared/run-tracker.js';
import { DEFAULT_RUN_OPTIONS } from '../../shared/run-options.js';
import { workflowFailure } from '../../shared/workflow-failure.js';
import type { ProjectRunOptions } from '../../shared/run-options.js';
import type { Activities } from '../activities/index.js';
import type { ProgressMemos } from './memos.js';
import type { HookOutcome } from './project-hooks.js';
import { showDetails } from './memos.js';
import type { SearchAttributePublisher } from './search-attributes.js';

const { generate_catalog } = proxyActivities<Activities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '1 minute',
  retry: { maximumAttempts: 3, initialInterval: '5 seconds' },
});

/** store_artifacts with the project's timeouts.store_artifacts_secs. */
function storeArtifactsActivity(options: ProjectRunOptions | undefined) {
  return proxyActivities<Activities>({
    startToCloseTimeout: (options ?? DEFAULT_RUN_OPTIONS).timeouts.store_artifacts_secs * 1000,
    heartbeatTimeout: '1 minute',
    // Which failures are worth a retry is the catalogue's call (toFailure marks CONFIG_ERROR, PROJECT_NOT_FOUND, ... final).
    retry: { maximumAttempts: 3, initialInterval: '2 seconds' },
  }).store_artifacts;
}

export function elapsedSeconds(tracker: RunTracker): number {
  return Math.max(0, Date.now() - tracker.startedAtMs) / 1000;
}

/** Appends the dbt-style footer (`Done. PASS=..`) to the run log. */
export function closeLog(tracker: RunTracker): void {
  tracker.log.push(...footerLines(tracker.resultsInOrder(), elapsedSeconds(tracker), { nodes: tracker.plan.nodes }));
}

/** Writes the run's artifacts; a store failure is reported in the log, never loses the run. */
export async function storeArtifacts(tracker: RunTracker, request: RunRequest, withCatalog = false, hooks?: HookOutcome): Promise<ArtifactPaths | null> {
  // Headroom for the other fields of the activity input.
  // run_results.json keeps dbt's schema: the warnings a node carried stay in the log and the output.
  const results = [...(hooks?.start ?? []), ...tracker.resultsInOrder(), ...(hooks?.end ?? [])].map((r) => {
    const { warnings, ...entry } = r;
    return warnings === undefined ? r : entry;
  });
  const fitted = fitResultsAndLog(results, tracker.log, PAYLOAD_BUDGET_BYTES - 20_000);
  let paths: ArtifactPaths;
  try {
    paths = await storeArtifactsActivity(tracker.plan.options)({
      invocation_id: tracker.invocationId,
      project: tracker.plan.project,
      results: fitted.results,
      log: fitted.log,
      started_at: new Date(tracker.startedAtMs).toISOString(),
      elapsed_time: elapsedSeconds(tracker),
      manifest_path: tracker.plan.manifest_path ?? null,
      args: { which: request.command, select: request.select, exclude: request.exclude, target: request.target, full_refresh: request.full_refresh, fail_fast: request.fail_fast, vars: request.vars },
    });
  } catch (err) {
    const cause = err instanceof ActivityFailure ? err.cause : err;
    tracker.log.push(`WARNING: storing artifacts failed: ${(cause as Error | undefined)?.message ?? String(err)}`);
    return null;
  }
  if (withCatalog) {
    try {
      const { catalog_path } = await generate_catalog({ request: withoutEnv(request), project: tracker.plan.project, invocation_id: tracker.invocationId });
      paths = { ...paths, catalog_path };
    } catch (err) {
      // A catalog is a convenience: its failure is reported in the log, never fails the run.
      const cause = err instanceof ActivityFailure ? err.cause : err;
      tracker.log.push(`WARNING: generating catalog.json failed: ${(cause as Error | undefined)?.message ?? String(err)}`);
    }
  }
  return paths;
}

/** Failures and warnings carry their node's file (the heading of dbt's summary); others stay as they are. */
function withPaths(tracker: RunTracker, results: NodeResult[]): NodeResult[] {
  const paths = new Map(tracker.plan.nodes.filter((n) => n.path).map((n) => [n.unique_id, n.path as string]));
  return results.map((r) => {
    const path = summaryBucket(r.status) === 'pass' || r.status === 'skipped' ? undefined : paths.get(r.unique_id);
    return path === undefined ? r : { ...r, path };
  });
}

/** dbt's warnings of the plan and of the nodes, each once (none: no field, as older workers). */
function runWarnings(tracker: RunTracker, results: readonly NodeResult[]): { warnings?: string[] } {
  const all = [...new Set([...(tracker.plan.warnings ?? []), ...results.flatMap((r) => r.warnings ?? [])])];
  return all.length > 0 ? { warnings: all } : {};
}

/** What the nodes' adapters reported, summed (no field when none reported anything). */
function costOf(results: readonly NodeResult[]): Pick<DbtRunOutput, 'cost'> {
  const cost = runCost(results);
  return Object.keys(cost).length > 0 ? { cost } : {};
}

/** The run's DbtRunOutput; `success` as plain dbt decides it (any failed or cancelled node fails it). */
export function buildOutput(tracker: RunTracker, artifacts: ArtifactPaths | null, hooks?: HookOutcome): DbtRunOutput {
  // Project hook results sit around the nodes' results, as in dbt's run_results.json.
  const results = [...(hooks?.start ?? []), ...tracker.resultsInOrder(), ...(hooks?.end ?? [])];
  return {
    invocation_id: tracker.invocationId,
    project: tracker.plan.project,
    command: tracker.plan.command,
    success: !results.some(failsRun),
    skipped: false,
    node_results: fitResults(withPaths(tracker, results)),
    elapsed_time: elapsedSeconds(tracker),
    artifacts,
    log_path: artifacts?.log_path ?? null,
    hook_errors: [...(hooks?.errors ?? [])],
    ...runWarnings(tracker, results),
    ...(tracker.plan.listing ? { listing: tracker.plan.listing } : {}),
    ...costOf(results),
  };
}

/**
 * Publishes the final state and completes the run, or fails it with the output in the failure's
 * details: when a node failed or was cancelled, or `hookFailure` (an `on_error: fail` hook) is set.
 */
export function concludeRun(tracker: RunTracker, output: DbtRunOutput, memos: ProgressMemos, sa: SearchAttributePublisher, hookFailure: string | null = null): DbtRunOutput {
  const failed = output.node_results.filter((r) => isFailureStatus(r.status));
  const stopped = output.node_results.filter((r) => r.status === 'cancelled');
  memos.publish(tracker, true);
  const s = tracker.status();
  const summary = `${s.succeeded} ok, ${s.warned} warn, ${s.failed} error, ${s.skipped + s.cancelled} skip of ${s.total_nodes} in ${output.elapsed_time.toFixed(2)}s`;
  if (output.success && hookFailure === null) {
    sa.status('passed');
    showDetails(`passed: ${summary}`);
    return output;
  }
  const result = { ...output, success: false };
  sa.status(failed.length === 0 && stopped.length > 0 ? 'cancelled' : 'failed');
  showDetails(`FAILED: ${summary}`);
  const message = failed.length > 0
    ? `dbt run failed: ${failed.length} node(s) errored or failed: ${failed.slice(0, 20).map((r) => r.unique_id).join(', ')}${failed.length > 20 ? ', ...' : ''}`
    : stopped.length > 0 ? `dbt run stopped: ${stopped.length} node(s) cancelled by operator` : `dbt run failed: ${hookFailure ?? 'unknown'}`;
  throw workflowFailure({ kind: 'run-failed' }, message, [result]);
}

/** Builds the output, publishes the final state and completes (or fails) the run. */
export function finishRun(tracker: RunTracker, artifacts: ArtifactPaths | null, memos: ProgressMemos, sa: SearchAttributePublisher, hooks?: HookOutcome): DbtRunOutput {
  return concludeRun(tracker, buildOutput(tracker, artifacts, hooks), memos, sa);
}
