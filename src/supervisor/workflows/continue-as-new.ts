// Large DAGs: when the server suggests it (history length or size), the run drains its running
// nodes and continues as a new execution, carrying its state in the input (`resume_from`).
// Callers see one run: same invocation id, one artifact set, one result (clients follow the
// chain of executions).
import { allHandlersFinished, condition, continueAsNew, workflowInfo } from '@temporalio/workflow';
import type { DbtRunInput, DbtRunOutput } from '../../shared/contracts.js';
import { PAYLOAD_BUDGET_BYTES, fitCarry, jsonSize } from '../../shared/payload-budget.js';
import { packIfPossible, unpackPlan } from '../../shared/plan-pack.js';
import type { CarriedRun } from '../../shared/run-tracker.js';

/** Input of a continued execution: the caller's input plus the carried state. */
export interface ResumableInput extends DbtRunInput {
  resume_from?: CarriedRun | null;
}

/** The carried state of a continued execution, or null for a fresh run. */
export function readResume(raw: DbtRunInput | undefined): CarriedRun | null {
  const carried = (raw as ResumableInput | undefined)?.resume_from;
  return carried && typeof carried === 'object' && Array.isArray(carried.results) ? { ...carried, plan: unpackPlan(carried.plan) } : null;
}

/** Whether this execution should stop starting nodes and continue as new. */
export function continueAsNewSuggested(finishedThisSegment: number): boolean {
  return finishedThisSegment > 0 && workflowInfo().continueAsNewSuggested;
}

/** Continues the run in a new execution (never returns). */
export async function continueRun(raw: DbtRunInput | undefined, carried: CarriedRun): Promise<DbtRunOutput> {
  await condition(allHandlersFinished);
  // Packed only when plain does not fit: a worker of an older version may pick up the new execution.
  const fits = jsonSize(carried) <= PAYLOAD_BUDGET_BYTES;
  const input: ResumableInput = { ...(raw ?? {}), resume_from: fitCarry(fits ? carried : { ...carried, plan: packIfPossible(carried.plan) }) };
  return continueAsNew<(input?: ResumableInput) => Promise<DbtRunOutput>>(input);
}
