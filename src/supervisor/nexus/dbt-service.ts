// The `dbt` Nexus service: `dbt_run` starts the dbt_run workflow on this worker's task queue
// as an asynchronous workflow-run operation, so the caller gets its DbtRunOutput (or its
// failure, details included) and cancelling the operation cancels the run.
import * as nexus from 'nexus-rpc';
import { WorkflowRunOperationHandler, startWorkflow } from '@temporalio/nexus';
import type { DbtRunInput, DbtRunOutput } from '../../shared/contracts.js';
import { WORKFLOW_TYPE } from '../../shared/names.js';
import { dbtNexusService } from '../../shared/nexus-service.js';

/** The run's workflow id: one per operation request, so a retried start reuses the run. */
export function nexusRunWorkflowId(requestId: string): string {
  return `dbt-nexus-${requestId}`;
}

export function createDbtNexusService() {
  return nexus.serviceHandler(dbtNexusService, {
    dbt_run: new WorkflowRunOperationHandler<DbtRunInput, DbtRunOutput>((ctx, input) =>
      startWorkflow<(input?: DbtRunInput) => Promise<DbtRunOutput>>(ctx, WORKFLOW_TYPE, { workflowId: nexusRunWorkflowId(ctx.requestId), args: [input ?? {}] })),
  });
}
