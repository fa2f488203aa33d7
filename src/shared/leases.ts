// Leases through Temporal (docs/coordination.md): one `dbt_lease` workflow per key grants slots
// to run workflows in arrival order. A relation lease has one slot (one build of a relation at
// a time); a target's admission lease has `limits:` slots. Pure state and rules (workflow-safe).
import { sortedJson } from './sorted-json.js';
import type { NodeReuse } from './reuse.js';

/** Workflow type of the lease coordinator. */
export const LEASE_WORKFLOW_TYPE = 'dbt_lease';
/** Signals: a run asks (`acquire`) and gives back (`release`); the lease grants; pings find dead holders. */
export const LEASE_SIGNALS = {
  acquire: 'dbt_lease_acquire', release: 'dbt_lease_release', granted: 'dbt_lease_granted', ping: 'dbt_lease_ping',
  /** Presence: to a solo holder, another run waits; from it, it now leases (`switched`). */
  contended: 'dbt_lease_contended', switched: 'dbt_lease_switched',
} as const;

/** What a lease protects. */
export type LeaseKind = 'relation' | 'admission' | 'presence';

/** One request for a slot, by one node of one run. */
export interface LeaseRequest {
  /** Unique per lease: `<invocation id>:<unique id>`. */
  id: string;
  /** The run workflow's id: grants go there; it is pinged while it holds. */
  holder: string;
  /** Slots of the lease (1 for a relation; the target's limit for admission). */
  capacity: number;
  /** The node (`model:orders`), for logs. */
  label: string;
  /** When the lease workflow received it (workflow time), set by the lease. */
  at_ms?: number;
  /** The runs holding the lease when it arrived (at most 3), set by the lease. */
  behind?: string[];
  /** A run's presence on a scope, not a slot: see `pumpPresence`. */
  presence?: boolean;
  /** Presence: granted alone, the run takes no relation lease until it is told of another run (set by the lease). */
  solo?: boolean;
  /** Presence: a solo holder was told another run waits (set by the lease). */
  contended?: boolean;
}

/** The last successful build of a relation: what a later holder may reuse instead of building. */
export interface BuildRecord {
  /** The invocation that built it. */
  from: string;
  /** The node's build inputs but its in-run parents (docs/reuse.md parts). */
  self: string;
  /** Each in-run parent's version (the invocation whose build of it this one read). */
  parents: Record<string, string>;
  /** When the lease took the release (workflow time), set by the lease. */
  at_ms?: number;
}

export interface LeaseState {
  key: string;
  holders: LeaseRequest[];
  waiters: LeaseRequest[];
  last: BuildRecord | null;
}

/** What a holder did with a relation while it held it. */
export type ReleaseOutcome = { kind: 'untouched' } | { kind: 'built'; record: BuildRecord | null };

export interface ReleaseMessage {
  id: string;
  outcome?: ReleaseOutcome;
}

/** The grant a run receives. */
export interface GrantMessage {
  key: string;
  id: string;
  /** Milliseconds it waited in the queue. */
  waited_ms: number;
  /** The runs that held the lease when it arrived (run workflow ids, at most 3). */
  behind: string[];
  last: BuildRecord | null;
  /** Presence: the run is alone on the scope and takes no relation lease until contended. */
  solo?: boolean;
}

/** A node's relation lease, as its plan decided. */
export interface NodeLease {
  /** dbt's relation_name of what the node writes. */
  relation: string;
  /** Whether a build of it finished by another run while this one waited may be reused (reuse on, no full refresh, not a stateful node). */
  reuse: boolean;
  /**
   * Its build inputs but its in-run parents (a digest of those fingerprint parts), and those
   * parents: what its build is recorded with for a run that waits on the relation. Absent: none
   * (or a plan of an older worker, whose node carries the parts themselves).
   */
  inputs?: { self: string; parents: string[] };
}

/** What a plan asks of its run's nodes (from dbt_temporal.yml `leases:` and `limits:`). */
export interface PlanCoordination {
  /** Nodes with a `relation` take its lease before they build it. */
  leases: boolean;
  /** Where relations live: the target and its warehouse (relation lease keys start with it). */
  scope: string;
  /** The resolved target and its `limits:` entry; null: no limit. */
  admission: { target: string; limit: number } | null;
  /** How often leases check their holders are alive (tests shorten it). @default the lease's 30 s */
  ping_ms?: number;
  /**
   * The plan asked the scope's presence for the run (presenceRequest), beside its reuse
   * decisions: the run's first segment waits for the grant without asking. @default false
   */
  presence_asked?: boolean;
}

/** A run's request for its scope's presence lease, whoever sends it (the plan or the run). */
export function presenceRequest(invocationId: string, holder: string): LeaseRequest {
  return { id: `${invocationId}:presence`, holder, capacity: 1, label: 'run', presence: true };
}

export interface LeaseWorkflowInput {
  key: string;
  /** Carried state of a continued execution. */
  state?: LeaseState | null;
  /** How often holders are checked to be alive. @default 30000 */
  ping_ms?: number;
  /** History length at which the lease continues as new (tests lower it). @default 4000 */
  max_history_events?: number;
}

export function emptyLease(key: string): LeaseState {
  return { key, holders: [], waiters: [], last: null };
}

/**
 * The workflow id of a lease: per namespace and task queue (the lease runs on the queue's
 * workers, so it is served as long as its runs are).
 */
export function leaseWorkflowId(taskQueue: string, kind: LeaseKind, key: string): string {
  return `dbt-lease/${taskQueue}/${kind}/${key}`;
}

/** Grants queued requests in arrival order while the head fits (its capacity > holders). */
function pump(state: LeaseState, now: number): LeaseRequest[] {
  if (state.waiters[0]?.presence) return pumpPresence(state, now);
  const granted: LeaseRequest[] = [];
  for (let head = state.waiters[0]; head && state.holders.length < head.capacity; head = state.waiters[0]) {
    state.waiters.shift();
    state.holders.push(head);
    granted.push({ ...head, at_ms: head.at_ms ?? now });
  }
  return granted;
}

/**
 * A scope's presence lease (docs/coordination.md): the runs that lease relations on a scope. A run
 * alone is granted `solo` and takes no relation lease; runs that arrive later wait until every
 * solo holder has switched to leasing (taken the leases of the nodes it has running), then are
 * granted together, leasing. So a relation is never built by two runs at once, and a run alone
 * pays one request, not one per node.
 */
function pumpPresence(state: LeaseState, now: number): LeaseRequest[] {
  if (state.waiters.length === 0 || state.holders.some((h) => h.solo)) return [];
  const solo = state.holders.length === 0 && state.waiters.length === 1;
  const granted = state.waiters.map((w) => ({ ...w, solo, at_ms: w.at_ms ?? now }));
  state.holders.push(...granted);
  state.waiters = [];
  return granted;
}

/** Presence: the solo holders not yet told that a run waits (each is told once). */
export function toContend(state: LeaseState): LeaseRequest[] {
  if (state.waiters.length === 0) return [];
  const out = state.holders.filter((h) => h.solo && !h.contended);
  for (const h of out) h.contended = true;
  return out;
}

/** Presence: a solo holder now leases its relations; returns the requests granted now. */
export function switched(state: LeaseState, id: string, now: number): LeaseRequest[] {
  const h = state.holders.find((x) => x.id === id);
  if (h) h.solo = false;
  return pump(state, now);
}

/** A request arrives; returns the requests granted now (a repeated request that holds is granted again). */
export function acquire(state: LeaseState, req: LeaseRequest, now: number): LeaseRequest[] {
  const held = state.holders.find((h) => h.id === req.id);
  if (held) return [held];
  if (state.waiters.some((w) => w.id === req.id)) return [];
  const behind = [...new Set(state.holders.map((h) => h.holder))].slice(0, 3);
  state.waiters.push({ ...req, at_ms: now, behind });
  return pump(state, now);
}

/** A holder gives back its slot (or a waiter withdraws); the build outcome updates `last`. */
export function release(state: LeaseState, msg: ReleaseMessage, now: number): LeaseRequest[] {
  const held = state.holders.findIndex((h) => h.id === msg.id);
  if (held >= 0) {
    state.holders.splice(held, 1);
    if (msg.outcome?.kind === 'built') state.last = msg.outcome.record ? { ...msg.outcome.record, at_ms: now } : null;
    else if (!msg.outcome) state.last = null; // a holder that does not say may have written anything
  } else state.waiters = state.waiters.filter((w) => w.id !== msg.id);
  return pump(state, now);
}

/** A run workflow is gone (closed, terminated): its slots free up; what it held may be half-written. */
export function dropHolder(state: LeaseState, holder: string, now: number): LeaseRequest[] {
  if (state.holders.some((h) => h.holder === holder)) state.last = null;
  state.holders = state.holders.filter((h) => h.holder !== holder);
  state.waiters = state.waiters.filter((w) => w.holder !== holder);
  return pump(state, now);
}

export function isIdle(state: LeaseState): boolean {
  return state.holders.length === 0 && state.waiters.length === 0;
}

/** The grant for a request that just got its slot. */
export function grantOf(state: LeaseState, req: LeaseRequest, now: number): GrantMessage {
  return { key: state.key, id: req.id, waited_ms: Math.max(0, now - (req.at_ms ?? now)), behind: req.behind ?? [], last: state.last, ...(req.presence ? { solo: req.solo === true } : {}) };
}

/** A node's build inputs split: parts but those of its in-run parents (`self`), and those parents. */
export function splitParts(parts: Record<string, string>, inRun: (id: string) => boolean): { self: string; parents: string[] } {
  const self: Record<string, string> = {};
  const parents: string[] = [];
  for (const [k, v] of Object.entries(parts)) {
    if (k.startsWith('parent:') && inRun(k.slice('parent:'.length))) parents.push(k.slice('parent:'.length));
    else self[k] = v;
  }
  return { self: sortedJson(self), parents: parents.sort() };
}

/**
 * The build inputs a node's relation lease records (splitParts), from its plan's reuse decision;
 * null without a complete fingerprint. A node the plan did not compile stands for its SQL with its
 * code key (reuse/pure-code.ts).
 */
export function leaseParts(reuse: NodeReuse | undefined, inRun: (id: string) => boolean): { self: string; parents: string[] } | null {
  if (!reuse?.parts) return null;
  if (typeof reuse.fp === 'string') return splitParts(reuse.parts, inRun);
  if (reuse.pending_sql && reuse.code) return splitParts({ ...reuse.parts, sql: `code:${reuse.code.key}` }, inRun);
  return null;
}

/**
 * Whether the relation's last build is what this node would build: made since this run started
 * (older builds are the plan's business: it reads the reuse state, which every build records),
 * from the same inputs, each in-run parent read at the same version. Returns the invocation to
 * report "reused from", or null (build).
 */
export function reusableBuild(last: BuildRecord | null, sinceMs: number, self: string, parents: readonly string[], versionOf: (id: string) => string | null): string | null {
  if (!last || last.self !== self || (last.at_ms ?? 0) < sinceMs) return null;
  if (Object.keys(last.parents).length !== parents.length) return null;
  for (const p of parents) {
    const v = versionOf(p);
    if (v === null || last.parents[p] !== v) return null;
  }
  return last.from;
}
