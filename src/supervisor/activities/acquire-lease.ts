// acquire_lease (a local activity): asks a `dbt_lease` workflow for a slot with signal-with-start,
// which starts the lease when none runs. Returns at once: the grant comes to the run as a signal,
// so a node's wait happens in its workflow (schedule-to-start), never in an activity's timeout.
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { LEASE_SIGNALS, LEASE_WORKFLOW_TYPE } from '../../shared/leases.js';
import type { LeaseRequest, LeaseWorkflowInput } from '../../shared/leases.js';

export interface AcquireLeaseInput {
  /** The lease's workflow id (leaseWorkflowId). */
  workflow_id: string;
  key: string;
  request: LeaseRequest;
  /** How often the lease checks its holders are alive (tests shorten it). @default the lease's */
  ping_ms?: number;
}

/** Asks the lease for a slot, starting it when none runs, on `taskQueue` (the run's). */
export async function askLease(client: Client, taskQueue: string, input: AcquireLeaseInput): Promise<void> {
  const args: LeaseWorkflowInput = { key: input.key, ...(input.ping_ms ? { ping_ms: input.ping_ms } : {}) };
  await client.workflow.signalWithStart(LEASE_WORKFLOW_TYPE, {
    workflowId: input.workflow_id,
    // The lease runs where the run does: on the run's task queue, served by the same workers.
    taskQueue,
    args: [args],
    signal: LEASE_SIGNALS.acquire,
    signalArgs: [input.request],
  });
}

export function createAcquireLeaseActivity() {
  return async function acquire_lease(input: AcquireLeaseInput): Promise<void> {
    const ctx = Context.current();
    await askLease(ctx.client, ctx.info.taskQueue, input);
  };
}
