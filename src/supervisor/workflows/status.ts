// The run's live controls: queries `run_status` and `run_log` (and the worker-internal
// `dbt_temporal_run_env`), updates `set_fail_fast` and `cancel_remaining`, and the
// worker-internal signal of nodes paused or reset from Temporal.
import { defineQuery, defineSignal, defineUpdate, setHandler } from '@temporalio/workflow';
import { CANCEL_REMAINING_UPDATE, NODE_INTERRUPTION_SIGNAL, RUN_ENV_QUERY, RUN_LOG_QUERY, RUN_STATUS_QUERY, SET_FAIL_FAST_UPDATE } from '../../shared/run-status.js';
import type { CancelRemainingResult, NodeInterruptionSignal, RunEnvAnswer, RunLogPage, RunStatus } from '../../shared/run-status.js';
import type { RunSession } from './session.js';

export const runStatusQuery = defineQuery<RunStatus>(RUN_STATUS_QUERY);
export const runLogQuery = defineQuery<RunLogPage, [number]>(RUN_LOG_QUERY);
export const runEnvQuery = defineQuery<RunEnvAnswer>(RUN_ENV_QUERY);
export const setFailFastUpdate = defineUpdate<boolean, [boolean]>(SET_FAIL_FAST_UPDATE);
export const cancelRemainingUpdate = defineUpdate<CancelRemainingResult, []>(CANCEL_REMAINING_UPDATE);
export const nodeInterruptionSignal = defineSignal<[NodeInterruptionSignal]>(NODE_INTERRUPTION_SIGNAL);

export function installHandlers(session: RunSession): void {
  setHandler(runStatusQuery, () => session.status());
  setHandler(runLogQuery, (from) => session.logSince(from));
  setHandler(runEnvQuery, () => session.runEnv());
  setHandler(nodeInterruptionSignal, (signal) => session.nodeInterrupted(signal));
  setHandler(setFailFastUpdate, (value) => session.setFailFast(value), {
    validator: (value) => {
      if (typeof value !== 'boolean') throw new TypeError(`set_fail_fast takes a boolean, got ${JSON.stringify(value)}`);
    },
  });
  setHandler(
    cancelRemainingUpdate,
    () => {
      session.requestStop();
      const s = session.status();
      return { cancelled: s.pending, running: s.running };
    },
    {
      validator: () => {
        if (session.phase === 'finalizing' || session.phase === 'done') throw new Error(`run is ${session.phase}: no nodes left to cancel`);
      },
    },
  );
}
