// generate_catalog: dbt's catalog.json for a finished run (WRITE_CATALOG), stored next to the
// run's other artifacts. Runs `dbt docs generate` with the run's target, vars and env.
import type { RunRequest } from '../../shared/input.js';
import { invocationFor } from '../projects/resolve-cache.js';
import { toFailure } from './deps.js';
import type { ActivityDeps } from './deps.js';
import { pickProject, runEnvOf, runOnExecutor } from './executor-call.js';
import { runSelection } from '../planning/run-selection.js';

export interface GenerateCatalogInput {
  request: RunRequest;
  project: string;
  invocation_id: string;
}

export function createGenerateCatalogActivity(deps: ActivityDeps) {
  return async function generate_catalog(input: GenerateCatalogInput): Promise<{ catalog_path: string }> {
    const store = deps.observability?.store;
    if (!store) throw toFailure('CONFIG_ERROR', 'generate_catalog needs artifact storage (WRITE_ARTIFACTS=true)');
    const project = pickProject(deps, input.project);
    const { env } = await runEnvOf(deps, input.request.env);
    const result = await runOnExecutor(deps, project, () => ({
      type: 'catalog',
      invocation: invocationFor(project, deps.defaults, { ...input.request, env, invocation_id: input.invocation_id }),
      ...runSelection(input.request),
    }));
    if (result.type === 'error') throw toFailure(result.code, result.message, [], project.settings.nonRetryableErrors);
    if (result.type !== 'catalog') throw new Error(`unexpected executor result ${result.type}`);
    return { catalog_path: await store.put(input.invocation_id, 'catalog.json', result.catalogJson) };
  };
}
