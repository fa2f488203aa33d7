// Pause and reset from Temporal (UI, CLI) as the run sees them. Temporal tells only the node's
// activity (on a heartbeat), so the activity tells its run (NODE_INTERRUPTION_SIGNAL): the run's
// `run_status` and log show the node paused or reset. The interrupted attempt leaves a mark in
// its heartbeat details, which Temporal hands to the next attempt: that one tells the run the
// node runs again.
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { NODE_INTERRUPTION_SIGNAL } from '../../shared/run-status.js';
import type { NodeInterruption, NodeInterruptionSignal } from '../../shared/run-status.js';

/** The worker's own client (not the activity's: that one is aborted with the activity). */
export type RunClient = () => Client | null;

/** The heartbeat details an interrupted attempt leaves for the next one. */
const MARK = 'dbt_temporal_interrupted';
/** A run that cannot be told in time is not told: the node's work matters more. */
const SIGNAL_TIMEOUT_MS = 5_000;

async function tell(client: RunClient | undefined, uniqueId: string, state: NodeInterruption): Promise<void> {
  const ctx = Context.current();
  const run = ctx.info.workflowExecution;
  const c = client?.();
  if (!run || !c) return;
  const signal: NodeInterruptionSignal = { unique_id: uniqueId, state, attempt: ctx.info.attempt };
  try {
    // The connection's deadline cancels the call itself when the run cannot be told in time.
    await c.connection.withDeadline(Date.now() + SIGNAL_TIMEOUT_MS, () => c.workflow.getHandle(run.workflowId, run.runId).signal(NODE_INTERRUPTION_SIGNAL, signal));
  } catch (err) {
    ctx.log.warn(`could not tell run ${run.workflowId} that ${uniqueId} was ${state}: ${(err as Error).message}`);
  }
}

/** At an attempt's start: when the previous attempt was paused or reset, the run learns the node runs again. */
export async function announceRerun(client: RunClient | undefined, uniqueId: string): Promise<void> {
  const details = Context.current().info.heartbeatDetails as Record<string, unknown> | undefined;
  if (details && typeof details === 'object' && MARK in details) await tell(client, uniqueId, 'resumed');
}

/** When an attempt ends: if Temporal paused or reset it, mark it for the next attempt and tell the run. */
export async function announceInterruption(client: RunClient | undefined, uniqueId: string): Promise<void> {
  const ctx = Context.current();
  const why = ctx.cancellationDetails;
  if (!why?.paused && !why?.reset) return;
  const state: NodeInterruption = why.paused ? 'paused' : 'reset';
  // Sent with the attempt's failure (the SDK flushes the last heartbeat before completing).
  ctx.heartbeat({ [MARK]: state });
  await tell(client, uniqueId, state);
}
