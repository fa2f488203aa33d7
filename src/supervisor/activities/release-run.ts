// release_run (a local activity): the run has no more nodes, so this worker's engines close
// its run contexts now instead of after their idle time: a DuckDB database is free for readers
// the moment the run's result is out. Contexts on other workers close when idle.
import type { ActivityDeps } from './deps.js';

export interface ReleaseRunInput {
  invocation_id: string;
}

export function createReleaseRunActivity(deps: ActivityDeps) {
  return async function release_run({ invocation_id: invocationId }: ReleaseRunInput): Promise<void> {
    deps.runEnv.forget();
    await deps.executor.releaseRun(invocationId);
  };
}
