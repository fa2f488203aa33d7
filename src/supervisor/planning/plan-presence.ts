// The plan asks its run's scope presence (docs/coordination.md), so the lease's start and grant
// (a workflow start, two workflow tasks and a signal: ~80 ms) overlap the plan instead of holding
// the run's first node: at its start, on the scope the last plan of its key used, and once its
// `dbt ls` names the target and warehouse, again on another scope if that one was not it. The run
// then waits for the grant without asking (PlanCoordination.presence_asked). A plan that fails
// after asking withdraws the request, so no other run waits for a run that never starts.
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { LEASE_SIGNALS, leaseWorkflowId, presenceRequest } from '../../shared/leases.js';
import type { ManifestDoc } from '../artifacts/manifest.js';
import type { PlanNode } from '../../shared/plan.js';
import { askLease } from '../activities/acquire-lease.js';
import { coordinationScope, wantsLeases, writtenRelation } from './coordination.js';
import type { ProjectSettings } from '../projects/project-settings.js';

/** Where the plan's activity runs: its client, its run's workflow id and task queue. */
export interface PlanActivityFrame {
  client: Client;
  workflowId: string;
  taskQueue: string;
}

/** The running plan activity's frame; null outside a workflow's activity. */
export function planActivityFrame(): PlanActivityFrame | null {
  const { info, client } = Context.current();
  const workflowId = info.workflowExecution?.workflowId;
  return workflowId ? { client, workflowId, taskQueue: info.taskQueue } : null;
}

export interface PresenceAsk {
  settings: Pick<ProjectSettings, 'leases' | 'reuse'>;
  command: string;
  reuse: boolean | null | undefined;
  /** The profile's resolved target and the warehouse the ls named. */
  target: string;
  warehouse: string | null;
  manifest: ManifestDoc | null;
  nodes: readonly PlanNode[];
}

/** An asked presence: `asked` resolves to whether the lease got the request (never rejects). */
export interface AskedPresence {
  scope: string;
  asked: Promise<boolean>;
  /** Withdraws the request (the plan failed, or the run needs another scope); never rejects. */
  withdraw(): Promise<void>;
}

/** Asks `scope`'s presence for the run. */
export function askPresenceOf(frame: PlanActivityFrame, scope: string, invocationId: string): AskedPresence {
  const workflowId = leaseWorkflowId(frame.taskQueue, 'presence', scope);
  const request = presenceRequest(invocationId, frame.workflowId);
  const asked = askLease(frame.client, frame.taskQueue, { workflow_id: workflowId, key: scope, request }).then(() => true, () => false);
  return {
    scope, asked,
    withdraw: async () => {
      if (!(await asked)) return;
      await frame.client.workflow.getHandle(workflowId).signal(LEASE_SIGNALS.release, { id: request.id, outcome: { kind: 'untouched' } }).catch(() => undefined);
    },
  };
}

/** The scope whose presence the run's nodes need (planCoordination's rule: leases wanted, a manifest, a node that writes a relation), or null. */
export function presenceScope(a: PresenceAsk): string | null {
  const manifest = a.manifest;
  if (!wantsLeases(a.settings, a.command, a.reuse) || manifest === null || !a.nodes.some((n) => writtenRelation(n, manifest) !== null)) return null;
  return coordinationScope(a.target, a.warehouse);
}

/**
 * Asks `scope`'s presence (presenceScope: the one the run's nodes need; null: none). `early`
 * (asked at the plan's start, on the scope the last plan of its key used) serves when it is that
 * scope, else it is withdrawn.
 */
export function askPresence(frame: PlanActivityFrame, scope: string | null, invocationId: string, early: AskedPresence | null = null): AskedPresence | null {
  if (early && early.scope === scope) return early;
  void early?.withdraw();
  return scope === null ? null : askPresenceOf(frame, scope, invocationId);
}
