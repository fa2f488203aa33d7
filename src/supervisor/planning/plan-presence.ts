// The plan asks its run's scope presence (docs/coordination.md) as soon as its `dbt ls` names the
// target and warehouse, so the lease's start and grant (a workflow start, two workflow tasks and
// a signal: ~80 ms) overlap the plan's reuse decisions instead of holding the run's first node.
// The run then waits for the grant without asking (PlanCoordination.presence_asked). A plan that
// fails after asking withdraws the request, so no other run waits for a run that never starts.
import type { Client } from '@temporalio/client';
import { leaseWorkflowId, presenceRequest } from '../../shared/leases.js';
import type { ManifestDoc } from '../artifacts/manifest.js';
import type { PlanNode } from '../../shared/plan.js';
import { askLease } from '../activities/acquire-lease.js';
import { LEASE_SIGNALS } from '../../shared/leases.js';
import { coordinationScope, wantsLeases, writtenRelation } from './coordination.js';
import type { ProjectSettings } from '../projects/project-settings.js';

/** Where the plan's activity runs: its client, its run's workflow id and task queue. */
export interface PlanActivityFrame {
  client: Client;
  workflowId: string;
  taskQueue: string;
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
  invocationId: string;
}

/** An asked presence: `asked` resolves to whether the lease got the request (never rejects). */
export interface AskedPresence {
  asked: Promise<boolean>;
  /** Withdraws the request (the plan failed); never rejects. */
  withdraw(): Promise<void>;
}

/**
 * Asks the scope's presence for the run when its nodes will lease relations (planCoordination's
 * rule: leases wanted, a manifest, a node that writes a relation); null when they will not.
 */
export function askPresence(frame: PlanActivityFrame, a: PresenceAsk): AskedPresence | null {
  const manifest = a.manifest;
  if (!wantsLeases(a.settings, a.command, a.reuse) || manifest === null || !a.nodes.some((n) => writtenRelation(n, manifest) !== null)) return null;
  const scope = coordinationScope(a.target, a.warehouse);
  const workflowId = leaseWorkflowId(frame.taskQueue, 'presence', scope);
  const request = presenceRequest(a.invocationId, frame.workflowId);
  const asked = askLease(frame.client, frame.taskQueue, { workflow_id: workflowId, key: scope, request }).then(() => true, () => false);
  return {
    asked,
    withdraw: async () => {
      if (!(await asked)) return;
      await frame.client.workflow.getHandle(workflowId).signal(LEASE_SIGNALS.release, { id: request.id, outcome: { kind: 'untouched' } }).catch(() => undefined);
    },
  };
}
