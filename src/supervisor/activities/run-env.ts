// The run's env, for the activities that run dbt: asked of the run's workflow (the
// RUN_ENV_QUERY query) once per run by each worker, and cached, so the env (and the secrets in
// it) travels in no activity input and is never recorded in Temporal's history a second time.
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { RUN_ENV_QUERY } from '../../shared/run-status.js';
import type { RunEnvAnswer } from '../../shared/run-status.js';
import { CodedError } from '../../shared/errors.js';
import { runEnvSecrets } from '../config/secrets.js';
import type { Redactor } from '../redact.js';

export interface RunEnvSource {
  /**
   * The env of the run whose activity is executing. `carried` is an env found in the input
   * itself (workflows started before env left the inputs): used as is, nothing is asked.
   */
  current(carried?: Record<string, string> | null, opts?: { remember?: boolean }): Promise<RunEnvAnswer>;
  /** Forgets the current run's env on this worker (its nodes are done). */
  forget(): void;
}

export interface RunEnvSourceOptions {
  /** The client that asks the workflow; bound once the worker's connection exists. */
  client: () => Client | null;
  /** The run's secret-looking values join the redactor as soon as they are known. */
  redact?: Redactor;
  secretEnvNames?: readonly string[];
  /** Runs remembered at once (the oldest forgotten first). @default 256 */
  maxRuns?: number;
}

export function createRunEnvSource(opts: RunEnvSourceOptions): RunEnvSource {
  const maxRuns = opts.maxRuns ?? 256;
  const cache = new Map<string, Promise<RunEnvAnswer>>();
  const keyOf = (): { key: string; workflowId: string; runId: string } | null => {
    const run = Context.current().info.workflowExecution;
    return run ? { key: `${run.workflowId}\u0000${run.runId}`, workflowId: run.workflowId, runId: run.runId } : null;
  };
  const learn = (answer: RunEnvAnswer): RunEnvAnswer => {
    opts.redact?.addTransient(runEnvSecrets(answer.env, opts.secretEnvNames ?? []));
    return answer;
  };
  const ask = async (workflowId: string, runId: string): Promise<RunEnvAnswer> => {
    const client = opts.client();
    if (!client) throw new CodedError('RUN_ENV_UNAVAILABLE', 'the worker has no Temporal client to ask the run for its env');
    try {
      const answer = await client.workflow.getHandle(workflowId, runId).query<RunEnvAnswer>(RUN_ENV_QUERY);
      if (answer === null || typeof answer !== 'object' || typeof answer.env !== 'object' || answer.env === null) {
        throw new Error(`unexpected answer ${JSON.stringify(answer)?.slice(0, 80)}`);
      }
      return answer;
    } catch (err) {
      throw new CodedError('RUN_ENV_UNAVAILABLE', `cannot ask workflow ${workflowId} (run ${runId}) for the run's env: ${(err as Error).message}`, { cause: err });
    }
  };
  return {
    current(carried, { remember = true } = {}) {
      if (carried && Object.keys(carried).length > 0) return Promise.resolve(learn({ env: carried }));
      const of = keyOf();
      // An activity started outside a workflow has no run to ask: it runs with no run env.
      if (of === null) return Promise.resolve({ env: {} });
      const { key, workflowId, runId } = of;
      // Planning asks before pre_run hooks may add to the env: its answer is not kept.
      if (!remember) return ask(workflowId, runId).then(learn);
      let answer = cache.get(key);
      if (answer === undefined) {
        answer = ask(workflowId, runId);
        // A failed ask is not remembered: the activity's retry asks again.
        answer.catch(() => cache.delete(key));
        cache.set(key, answer);
        if (cache.size > maxRuns) cache.delete(cache.keys().next().value as string);
      }
      // Every activity re-announces the run's secrets (the redactor forgets its oldest).
      return answer.then(learn);
    },
    forget() {
      const of = keyOf();
      if (of) cache.delete(of.key);
    },
  };
}
