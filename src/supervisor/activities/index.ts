// The activity set registered on the worker; workflows see it through `typeof` only.
import { createAcquireLeaseActivity } from './acquire-lease.js';
import type { ActivityDeps } from './deps.js';
import { createExecuteNodeActivity } from './execute-node.js';
import { createGenerateCatalogActivity } from './generate-catalog.js';
import { createPlanProjectActivity } from './plan-project.js';
import { createReleaseRunActivity } from './release-run.js';
import { createResolveConfigActivity } from './resolve-config.js';
import { createStoreArtifactsActivity } from './store-artifacts.js';
import { createRunProjectHooksActivity } from './run-project-hooks.js';
import { PlanRecords } from '../reuse/plan-records.js';

export function createActivities(deps: ActivityDeps) {
  // The reuse state built nodes record: written by plans, read by nodes (one file per run).
  const store = deps.observability?.store;
  const records = store ? new PlanRecords(store) : null;
  return {
    plan_project: createPlanProjectActivity(deps, records),
    execute_node: createExecuteNodeActivity(deps, records),
    resolve_config: createResolveConfigActivity(deps),
    store_artifacts: createStoreArtifactsActivity(deps),
    run_project_hooks: createRunProjectHooksActivity(deps),
    generate_catalog: createGenerateCatalogActivity(deps),
    release_run: createReleaseRunActivity(deps),
    acquire_lease: createAcquireLeaseActivity(),
  };
}

export type Activities = ReturnType<typeof createActivities>;
