// run_project_hooks: the project's on-run-start / on-run-end hooks, once per run (as dbt does).
import type { NodeResult } from '../../shared/contracts.js';
import type { RunRequest } from '../../shared/input.js';
import { hookCommandWords } from '../planning/commands.js';
import { invocationFor } from '../projects/resolve-cache.js';
import { readArtifactRef } from './artifact-refs.js';
import { toFailure } from './deps.js';
import type { ActivityDeps } from './deps.js';
import { pickProject, runEnvOf, runOnExecutor } from './executor-call.js';
import { runSelection } from '../planning/run-selection.js';

export interface RunProjectHooksInput {
  request: RunRequest;
  project: string;
  phase: 'start' | 'end';
  invocation_id?: string;
  /** The run's start (ISO 8601): dbt's run_started_at in the hooks as in every node. */
  run_started_at?: string | null;
  /** The run's warehouse from its plan (a DuckDB database is used by one process at a time). */
  warehouse?: string | null;
  /** The run's node results so far (for on-run-end's `results`). */
  results: NodeResult[];
}

export interface RunProjectHooksResult {
  /** dbt's result per hook; empty when the project has no hooks for the phase. */
  hooks: NodeResult[];
}

export function createRunProjectHooksActivity(deps: ActivityDeps) {
  return async function run_project_hooks(input: RunProjectHooksInput): Promise<RunProjectHooksResult> {
    const project = pickProject(deps, input.project);
    const command = hookCommandWords(input.request.command);
    if (!project.graph.hooks[input.phase] || command === null) return { hooks: [] };
    const stateManifest = input.request.state_manifest_ref ? await readArtifactRef(deps, 'state_manifest_ref', input.request.state_manifest_ref) : null;
    // What the run's nodes run with: warm mode runs the hooks in their run context.
    const deferManifest = input.request.defer_manifest_ref ? await readArtifactRef(deps, 'defer_manifest_ref', input.request.defer_manifest_ref) : null;
    const { env } = await runEnvOf(deps, input.request.env);
    const result = await runOnExecutor(deps, project, () => ({
      type: 'hooks',
      invocation: invocationFor(project, deps.defaults, { ...input.request, env, invocation_id: input.invocation_id ?? null, run_started_at: input.run_started_at ?? null, stateManifest }),
      phase: input.phase,
      command,
      ...runSelection(input.request),
      indirectSelection: input.request.indirect_selection,
      results: input.results,
      fullRefresh: input.request.full_refresh,
      deferManifest,
      warehouse: input.warehouse ?? null,
    }), input.warehouse);
    if (result.type === 'error') {
      // retry.non_retryable_errors apply to hooks as to nodes.
      throw toFailure(result.code, result.message, [], project.settings.nonRetryableErrors);
    }
    if (result.type !== 'hooks') throw new Error(`unexpected executor result ${result.type}`);
    return { hooks: result.results };
  };
}
