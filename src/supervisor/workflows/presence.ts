// A run's presence on its scope (docs/coordination.md, shared/leases.ts pumpPresence): a run
// that leases relations first joins the scope's presence lease, once. Alone, it is `solo`: its
// nodes take no relation lease, so a run with nobody to coordinate with pays one request, not
// two signals and a local activity per node. When another run arrives, the lease tells it
// (contended): it asks the relation leases of the nodes it has running, says it switched, and
// from then on leases every node; the newcomer is admitted only after that, so a relation is
// never built by two runs at once.
import { getExternalWorkflowHandle } from '@temporalio/workflow';
import type { ReleaseOutcome } from '../../shared/leases.js';
import type { PlanNode } from '../../shared/plan.js';
import { leaseSwitchedSignal } from './lease.js';

/** What the presence needs of its run's coordinator. */
export interface PresenceDeps {
  /** Joins the scope: true alone (solo), false leasing, null when the run was cancelled meanwhile. */
  join(): Promise<boolean | null>;
  /** The presence lease's workflow id and this run's request id in it. */
  readonly workflowId: string;
  readonly requestId: string;
  /** Asks a node's relation lease (granted at once: nobody else leases on the scope yet); its lease workflow id and request id. */
  askRelation(node: PlanNode): Promise<{ workflowId: string; id: string }>;
  /** Gives back a relation lease (or withdraws the request). */
  release(workflowId: string, id: string, outcome: ReleaseOutcome): void;
}

/** A solo run's node running without its relation lease; asked for once the run is contended. */
export interface Unleased {
  node: PlanNode;
  asked: Promise<{ workflowId: string; id: string }> | null;
}

export class ScopePresence {
  private joined: Promise<boolean | null> | null = null;
  private solo = false;
  /** Told of another run: never solo again (the telling may come in the activation of the grant, before the join resolves). */
  private contendedSeen = false;
  private readonly running = new Map<string, Unleased>();

  constructor(private readonly deps: PresenceDeps) {}

  /**
   * Before a node writes its relation: `unleased` (the run is solo: the node runs without its
   * lease, tracked so a contention can lease it), `lease` (take the relation lease), or
   * `cancelled` (the run was cancelled while joining). Decided and tracked in one step, so a
   * contention never misses a node that starts unleased.
   */
  async enter(node: PlanNode): Promise<Unleased | 'lease' | 'cancelled'> {
    this.joined ??= this.deps.join().then((solo) => {
      this.solo = solo === true && !this.contendedSeen;
      return solo;
    });
    if ((await this.joined) === null) return 'cancelled';
    if (!this.solo) return 'lease';
    const u: Unleased = { node, asked: null };
    this.running.set(node.unique_id, u);
    return u;
  }

  /** The node ended: its relation lease, if the run asked it meanwhile, goes back with what was built. */
  async done(u: Unleased, outcome: ReleaseOutcome): Promise<void> {
    this.running.delete(u.node.unique_id);
    if (!u.asked) return;
    // Released after the ask, so the lease never keeps a finished node's request.
    const asked = await u.asked.catch(() => null);
    if (asked) this.deps.release(asked.workflowId, asked.id, outcome);
  }

  /**
   * Another run waits: lease what is running, then say so (the lease admits the newcomer). When
   * an ask fails (its local activity's retries ran out), the run does not say it switched: the
   * newcomer then waits until this run leaves the scope, which is slow but never builds twice.
   */
  async contended(): Promise<void> {
    this.contendedSeen = true;
    this.solo = false;
    for (const u of this.running.values()) u.asked ??= this.deps.askRelation(u.node);
    try {
      await Promise.all([...this.running.values()].map((u) => u.asked));
      await getExternalWorkflowHandle(this.deps.workflowId).signal(leaseSwitchedSignal, { id: this.deps.requestId });
    } catch {
      // Left to the run's leaving (close) or the lease's ping, as above.
    }
  }
}
