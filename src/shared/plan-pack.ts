// A plan's nodes as they travel in Temporal payloads (plan_project's result, a continued run's
// carried plan), which the server caps at 2 MB: parents as indexes, names and types left out
// where the unique id says them, decisions and lease inputs in short form (a reused node: the
// index of the run it reads; lease parents: indexes).
// About 40% of the plain JSON on a reuse run's plan (~0.14 against ~0.35 KB a node); workflow code
// unpacks it once and works on plain `PlanNode`s. Pure and workflow-safe.
import type { ExecutionPlan, PlanNode } from './plan.js';

/** A node's fields other than its id and parents; `name` and `resource_type` only when the id does not say them. */
type PackedRest = Partial<Omit<PlanNode, 'unique_id' | 'depends_on'>> & {
  /** A reused node: the index in `inv` of the run it reads ("unchanged since" that run). */
  u?: number;
  /** A built node: the reason; `r`: its build records its state (`recorded`). */
  b?: string;
  r?: 1;
  /** Its lease's inputs: the digest, its in-run parents as indexes. */
  li?: [string, number[]];
};

export interface PackedNodes {
  v: 1;
  /** Each node: its unique id, its parents as indexes in this list, the rest (absent: nothing else). */
  n: ([string, number[]] | [string, number[], PackedRest])[];
  /** The invocations reused nodes read. */
  inv: string[];
}

const UNCHANGED = 'unchanged since ';

/** dbt's unique id says `<resource_type>.<package>.<name>[.<more>]`. */
const segment = (id: string, i: number): string | undefined => id.split('.')[i];

/** The plan with its nodes packed (`packed_nodes`, `nodes` empty); unchanged when already packed. */
export function packPlan(plan: ExecutionPlan): ExecutionPlan {
  if (plan.packed_nodes) return plan;
  const index = new Map(plan.nodes.map((n, i) => [n.unique_id, i]));
  const inv: string[] = [];
  const invIndex = new Map<string, number>();
  const n = plan.nodes.map((node): PackedNodes['n'][number] => {
    const { unique_id: id, depends_on: deps, name, resource_type: type, reuse, ...others } = node;
    const parents = deps.map((d) => index.get(d));
    // A parent outside the plan cannot be an index: such a plan travels as it is.
    if (parents.some((p) => p === undefined)) throw new RangeError(`${id} depends on ${deps.join(', ')}, not all in the plan`);
    const rest: PackedRest = { ...others };
    if (name !== segment(id, 2)) rest.name = name;
    if (type !== segment(id, 0)) rest.resource_type = type;
    if (reuse?.action === 'reuse' && reuse.from && reuse.reason === `${UNCHANGED}${reuse.from}` && Object.keys(reuse).length === 3) {
      if (!invIndex.has(reuse.from)) invIndex.set(reuse.from, inv.push(reuse.from) - 1);
      rest.u = invIndex.get(reuse.from) as number;
    } else if (reuse?.action === 'build' && Object.keys(reuse).every((k) => k === 'action' || k === 'reason' || (k === 'recorded' && reuse.recorded === true))) {
      rest.b = reuse.reason;
      if (reuse.recorded) rest.r = 1;
    } else if (reuse) rest.reuse = reuse;
    const inputs = others.lease?.inputs;
    const leaseParents = inputs?.parents.map((p) => index.get(p));
    if (others.lease && inputs && leaseParents?.every((p) => p !== undefined)) {
      const lease = { ...others.lease };
      delete lease.inputs;
      rest.lease = lease;
      rest.li = [inputs.self, leaseParents as number[]];
    }
    return Object.keys(rest).length > 0 ? [id, parents as number[], rest] : [id, parents as number[]];
  });
  return { ...plan, nodes: [], packed_nodes: { v: 1, n, inv } };
}

/** The plan with plain nodes (a plan from an older worker, or one not packed, as it is). */
export function unpackPlan(plan: ExecutionPlan): ExecutionPlan {
  const packed = plan.packed_nodes;
  if (!packed) return plan;
  const ids = packed.n.map(([id]) => id);
  const nodes = packed.n.map(([id, parents, rest = {}]): PlanNode => {
    const { u, b, r, li, name, resource_type: type, ...others } = rest;
    const from = u === undefined ? undefined : packed.inv[u];
    const node: PlanNode = {
      unique_id: id, name: name ?? segment(id, 2) ?? id, resource_type: type ?? segment(id, 0) ?? 'unknown',
      depends_on: parents.map((p) => ids[p] as string), ...others,
    };
    if (from !== undefined) node.reuse = { action: 'reuse', from, reason: `${UNCHANGED}${from}` };
    if (b !== undefined) node.reuse = { action: 'build', reason: b, ...(r ? { recorded: true } : {}) };
    if (li && node.lease) node.lease = { ...node.lease, inputs: { self: li[0], parents: li[1].map((p) => ids[p] as string) } };
    return node;
  });
  const out: ExecutionPlan = { ...plan, nodes };
  delete out.packed_nodes;
  return out;
}

/** Packs the plan when every node's parents are in it (always, for plans of this worker); else leaves it plain. */
export function packIfPossible(plan: ExecutionPlan): ExecutionPlan {
  try {
    return packPlan(plan);
  } catch (err) {
    if (err instanceof RangeError) return plan;
    throw err;
  }
}
