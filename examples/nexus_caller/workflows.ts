// A caller workflow in another namespace that runs dbt through the worker's Nexus service
// `dbt` (operation `dbt_run`, same input and output as the dbt_run workflow). Bundle it in
// your own worker (`workflowsPath`); it needs only @temporalio/workflow and nexus-rpc.
import { createNexusServiceClient } from '@temporalio/workflow';
import * as nexus from 'nexus-rpc';

/** The fields of dbt_run's input you use (all optional; see the README of dbt-temporal). */
export interface DbtRunInput {
  project?: string;
  command?: string;
  select?: string;
  exclude?: string;
  vars?: Record<string, unknown>;
  target?: string;
  full_refresh?: boolean;
  fail_fast?: boolean;
  env?: Record<string, string>;
}

/** The part of DbtRunOutput a caller usually reads. */
export interface DbtRunOutput {
  invocation_id: string;
  success: boolean;
  node_results: { unique_id: string; status: string; message: string | null }[];
  elapsed_time: number;
}

/** The worker's Nexus contract, restated on the caller side. */
export const dbtService = nexus.service('dbt', {
  dbt_run: nexus.operation<DbtRunInput, DbtRunOutput>(),
});

/**
 * Runs dbt through the Nexus endpoint and returns its output. A failed run arrives as a
 * NexusOperationFailure whose cause is the run's `DbtRunFailed` ApplicationFailure, with the
 * complete DbtRunOutput in its details; cancelling this workflow cancels the dbt run.
 */
export async function dbtRunViaNexus(input: DbtRunInput, endpoint = 'dbt'): Promise<DbtRunOutput> {
  const dbt = createNexusServiceClient({ endpoint, service: dbtService });
  return await dbt.executeOperation('dbt_run', input, { scheduleToCloseTimeout: '6 hours' });
}
