// A run's side of the leases (docs/coordination.md). Before a node writes its relation it takes
// the relation's lease; then, with a target limit, a slot of the target's admission lease; it
// runs, and gives both back. The order is fixed (relation, then admission, which is held only
// while the node's activity runs, never while waiting for anything), so runs never deadlock.
// Waiting happens here, in the workflow, before the activity is scheduled: never in its timeout.
import { CancellationScope, condition, getExternalWorkflowHandle, isCancellation, patched, proxyLocalActivities, proxySinks, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Sinks } from '@temporalio/workflow';
import type { NodeResult } from '../../shared/contracts.js';
import { leaseParts, leaseWorkflowId, presenceRequest, reusableBuild } from '../../shared/leases.js';
import type { BuildRecord, GrantMessage, LeaseKind, PlanCoordination, ReleaseOutcome } from '../../shared/leases.js';
import { nodeLabel } from '../../shared/plan.js';
import type { PlanNode } from '../../shared/plan.js';
import { reusedMessage, reusedResult } from '../../shared/reuse.js';
import { CANCELLED_BY_OPERATOR, CANCELLED_RUN, SKIP_FAIL_FAST, syntheticResult } from '../../shared/run-tracker.js';
import type { RunTracker } from '../../shared/run-tracker.js';
import type { Activities } from '../activities/index.js';
import type { CancellationWatch } from './cancellation.js';
import { leaseContendedSignal, leaseGrantedSignal, leasePingSignal, releaseLeaseSignal } from './lease.js';
import { ScopePresence } from './presence.js';
import type { Unleased } from './presence.js';

/** Runs started since this patch take leases when their plan asks (older plans never do). */
export const LEASES_PATCH = 'node-leases';
/** Runs started since this patch join their scope's presence and lease relations only when another run is there. */
export const PRESENCE_PATCH = 'scope-presence';

export interface LeaseSinks extends Sinks {
  leaseMetrics: { waited(kind: LeaseKind, seconds: number): void };
}

const { leaseMetrics } = proxySinks<LeaseSinks>();
const { acquire_lease } = proxyLocalActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: { maximumAttempts: 5, initialInterval: '1 second' } });

/** While waiting, ask again this often: a lease workflow that was terminated is started afresh. */
const REASK_MS = 120_000;
/** A reused node's message, "reused from <invocation id>", names the build it reads. */
const REUSED_PREFIX = reusedMessage('');

type Parts = NonNullable<ReturnType<typeof leaseParts>>;

interface Held {
  workflowId: string;
  id: string;
  grant: GrantMessage;
}

/** Who asks a lease: the request id (`<invocation id>:<unique id>`), a label for logs, the node if any. */
interface Asker {
  id: string;
  label: string;
  node: PlanNode | null;
}

/** Gives back a presence the plan asked (PlanCoordination.presence_asked) for a run that ends before its nodes run. */
export function leaveAskedPresence(plan: { coordination?: PlanCoordination | null | undefined }, invocationId: string): void {
  const c = plan.coordination;
  if (!c?.presence_asked || !patched(PRESENCE_PATCH)) return;
  const id = presenceRequest(invocationId, workflowInfo().workflowId).id;
  const send = CancellationScope.nonCancellable(() => getExternalWorkflowHandle(leaseWorkflowId(workflowInfo().taskQueue, 'presence', c.scope)).signal(releaseLeaseSignal, { id, outcome: { kind: 'untouched' } }));
  send.catch(() => undefined);
}

export class RunCoordinator {
  private readonly grants = new Map<string, GrantMessage>();
  /** Each finished node's version: the invocation whose build of it this run reads. */
  private readonly versions = new Map<string, string>();
  private readonly inRun: Set<string>;

  /** The run's presence on its scope (presence.ts): null without relation leases, or in runs started before it. */
  private readonly presence: ScopePresence | null;
  private presenceHeld: Held | null = null;
  /** The plan asked the presence for this segment (the first): it is waited for, and given back even unused. */
  private presenceAsked: { workflowId: string; id: string } | null = null;

  constructor(private readonly c: PlanCoordination, private readonly tracker: RunTracker, private readonly cancel: CancellationWatch) {
    this.inRun = new Set(tracker.plan.nodes.map((n) => n.unique_id));
    for (const r of tracker.resultsInOrder()) this.noteResult(r);
    setHandler(leaseGrantedSignal, (g) => void this.grants.set(g.id, g));
    // The lease checks that its holder lives; nothing to do.
    setHandler(leasePingSignal, () => undefined);
    const presenceId = presenceRequest(tracker.invocationId, workflowInfo().workflowId).id;
    const presenceWorkflowId = leaseWorkflowId(workflowInfo().taskQueue, 'presence', c.scope);
    const withPresence = c.leases && patched(PRESENCE_PATCH);
    if (withPresence && c.presence_asked === true && tracker.segment === 0) this.presenceAsked = { workflowId: presenceWorkflowId, id: presenceId };
    this.presence = withPresence ? new ScopePresence({
      workflowId: presenceWorkflowId, requestId: presenceId,
      join: async () => {
        this.presenceHeld = await this.acquire('presence', c.scope, 1, { id: presenceId, label: 'run', node: null }, this.presenceAsked !== null);
        this.presenceAsked = null;
        return this.presenceHeld ? this.presenceHeld.grant.solo === true : null;
      },
      askRelation: async (node) => {
        const key = `${c.scope}/${node.lease?.relation ?? ''}`;
        const asked = { workflowId: leaseWorkflowId(workflowInfo().taskQueue, 'relation', key), id: `${tracker.invocationId}:${node.unique_id}` };
        await this.ask('relation', key, 1, { id: asked.id, label: nodeLabel(node), node });
        return asked;
      },
      release: (workflowId, id, outcome) => this.release(workflowId, id, outcome),
    }) : null;
    setHandler(leaseContendedSignal, () => void this.presence?.contended());
  }

  /** The run's nodes are done (or it continues as new): it leaves its scope. */
  close(): void {
    const held = this.presenceHeld ?? this.presenceAsked;
    if (held) this.release(held.workflowId, held.id, { kind: 'untouched' });
    this.presenceHeld = null;
    this.presenceAsked = null;
  }

  /** Runs `execute` under the node's leases; never rejects. */
  async run(node: PlanNode, execute: () => Promise<NodeResult>): Promise<NodeResult> {
    // Nothing to take: the node runs as any node (the tracker checked its stop rules just now).
    if (!(this.c.leases && node.lease) && !this.c.admission) return this.noteResult(await execute());
    let relation: Held | null = null;
    let slot: Held | null = null;
    let unleased: Unleased | null = null;
    let outcome: ReleaseOutcome = { kind: 'untouched' };
    // The node's build inputs, its own and its parents' (split once: read before and after it runs).
    let parts: Parts | null = null;
    try {
      const entered = this.c.leases && node.lease && this.presence ? await this.presence.enter(node) : 'lease';
      if (entered === 'cancelled') return this.cancelled(node);
      if (entered !== 'lease') {
        // Alone on the scope: no relation lease, unless another run arrives while it runs.
        unleased = entered;
        parts = this.parts(node);
      } else if (this.c.leases && node.lease) {
        relation = await this.acquire('relation', `${this.c.scope}/${node.lease.relation}`, 1, { id: `${this.tracker.invocationId}:${node.unique_id}`, label: nodeLabel(node), node });
        if (!relation) return this.cancelled(node);
        parts = this.parts(node);
        const from = node.lease.reuse && parts ? reusableBuild(relation.grant.last, this.tracker.startedAtMs, parts.self, parts.parents, (p) => this.versions.get(p) ?? null) : null;
        if (from) return this.noteResult(reusedResult(node.unique_id, from, new Date().toISOString()));
      }
      if (this.c.admission) {
        slot = await this.acquire('admission', this.c.admission.target, this.c.admission.limit, { id: `${this.tracker.invocationId}:${node.unique_id}`, label: nodeLabel(node), node });
        if (!slot) return this.cancelled(node);
      }
      // A node that waited starts as any node would: not after fail_fast tripped or an operator stop.
      const stopped = this.stoppedWhileWaiting(node);
      if (stopped) return stopped;
      outcome = { kind: 'built', record: null };
      const result = await execute();
      // What the build was made of matters only to a run waiting on the relation.
      if ((relation || unleased) && result.status === 'success') outcome = { kind: 'built', record: parts && this.record(parts) };
      return this.noteResult(result);
    } catch (err) {
      return syntheticResult(node.unique_id, 'error', `lease: ${(err as Error).message}`);
    } finally {
      if (slot) this.release(slot.workflowId, slot.id, { kind: 'untouched' });
      if (relation) this.release(relation.workflowId, relation.id, outcome);
      if (unleased) await this.presence?.done(unleased, outcome);
    }
  }

  private stoppedWhileWaiting(node: PlanNode): NodeResult | null {
    if (this.tracker.stopRequested) return syntheticResult(node.unique_id, 'cancelled', CANCELLED_BY_OPERATOR);
    if (this.tracker.failFast && this.tracker.hadFailure) return syntheticResult(node.unique_id, 'skipped', SKIP_FAIL_FAST);
    return null;
  }

  private cancelled(node: PlanNode): NodeResult {
    return syntheticResult(node.unique_id, 'cancelled', CANCELLED_RUN);
  }

  /** Asks a lease for a slot (the grant comes as a signal). */
  private async ask(kind: LeaseKind, key: string, capacity: number, who: Asker): Promise<void> {
    const request = { id: who.id, holder: workflowInfo().workflowId, capacity, label: who.label, ...(kind === 'presence' ? { presence: true } : {}) };
    await acquire_lease({ workflow_id: leaseWorkflowId(workflowInfo().taskQueue, kind, key), key, request, ...(this.c.ping_ms ? { ping_ms: this.c.ping_ms } : {}) });
  }

  /** Asks for a slot (unless the plan `asked` it) and waits for it; null when the run is cancelled meanwhile. */
  private async acquire(kind: LeaseKind, key: string, capacity: number, who: Asker, asked = false): Promise<Held | null> {
    const workflowId = leaseWorkflowId(workflowInfo().taskQueue, kind, key);
    const { id } = who;
    let stopped = false;
    try {
      if (!asked) await this.ask(kind, key, capacity, who);
      while (!this.grants.has(id) && !this.cancel.requested) {
        if (!(await condition(() => this.grants.has(id) || this.cancel.requested, REASK_MS))) await this.ask(kind, key, capacity, who);
      }
    } catch (err) {
      if (!this.cancel.requested && !isCancellation(err)) throw err;
      stopped = true;
    }
    const grant = this.grants.get(id);
    if (stopped || this.cancel.requested || !grant) {
      this.release(workflowId, id, { kind: 'untouched' });
      return null;
    }
    this.grants.delete(id);
    if (grant.waited_ms > 0) this.logWait(kind, who, grant);
    return { workflowId, id, grant };
  }

  private logWait(kind: LeaseKind, who: Asker, grant: GrantMessage): void {
    const secs = (grant.waited_ms / 1000).toFixed(2);
    const by = grant.behind.length > 0 ? `run ${grant.behind.join(', ')}` : 'another run';
    this.tracker.log.push(kind === 'relation'
      ? `${who.label} waited ${secs}s for ${by} building ${who.node?.lease?.relation ?? 'its relation'}`
      : kind === 'presence'
        ? `waited ${secs}s for ${by} to lease its relations on ${this.c.scope} (a run alone there takes no relation lease)`
        : `${who.label} waited ${secs}s for target ${this.c.admission?.target ?? ''}'s limit of ${this.c.admission?.limit ?? 0} concurrent nodes`);
    leaseMetrics.waited(kind, grant.waited_ms / 1000);
  }

  /** Gives a slot back (or withdraws a request); a lease that is gone has nothing to give back to. */
  private release(workflowId: string, id: string, outcome: ReleaseOutcome): void {
    const send = CancellationScope.nonCancellable(() => getExternalWorkflowHandle(workflowId).signal(releaseLeaseSignal, { id, outcome }));
    send.catch(() => undefined);
  }

  /**
   * The node's build inputs split into its own and its parents' in this run; null without a
   * fingerprint. A node the plan did not compile has its code key for its SQL (reuse/pure-code.ts).
   */
  private parts(node: PlanNode): Parts | null {
    // Plans of older workers carry the parts themselves.
    return node.lease?.inputs ?? leaseParts(node.reuse, (id) => this.inRun.has(id));
  }

  /** What this node's successful build was made of, for a run that waits on the relation next. */
  private record({ self, parents }: Parts): BuildRecord | null {
    const versions: Record<string, string> = {};
    for (const p of parents) {
      const v = this.versions.get(p);
      if (v === undefined) return null;
      versions[p] = v;
    }
    return { from: this.tracker.invocationId, self, parents: versions };
  }

  /** Records the version a finished node leaves (reused: the run it reuses; built: this run). */
  noteResult(r: NodeResult): NodeResult {
    if (r.status === 'no-op' && r.message?.startsWith(REUSED_PREFIX)) this.versions.set(r.unique_id, r.message.slice(REUSED_PREFIX.length));
    else if (r.status === 'success' || r.status === 'pass') this.versions.set(r.unique_id, this.tracker.invocationId);
    return r;
  }
}
