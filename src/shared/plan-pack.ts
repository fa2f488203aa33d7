// A plan's nodes as they travel in Temporal payloads (plan_project's result, a continued run's
// carried plan), which the server caps at 2 MB: parents as indexes, names and types left out
// where the unique id says them, a reused node's decision as the index of the run it reads.
// About a third of the plain JSON (~0.13 against ~0.37 KB a node with reuse); workflow code
// unpacks it once and works on plain `PlanNode`s. Pure and workflow-safe.
import type { ExecutionPlan, PlanNode } from './plan.js';

/** A node's fields other than its id and parents; `name` and `resource_type` only when the id does not say them. */
type PackedRest = Partial<Omit<PlanNode, 'unique_id' | 'depends_on'>> & {
  /** A reused node: the index in `inv` of the run it reads ("unchanged since" that run). */
  u?: number;
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
    } else if (reuse) rest.reuse = reuse;
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
    const { u, name, resource_type: type, ...others } = rest;
    const from = u === undefined ? undefined : packed.inv[u];
    return {
      unique_id: id, name: name ?? segment(id, 2) ?? id, resource_type: type ?? segment(id, 0) ?? 'unknown',
      depends_on: parents.map((p) => ids[p] as string), ...others,
      ...(from === undefined ? {} : { reuse: { action: 'reuse' as const, from, reason: `${UNCHANGED}${from}` } }),
    };
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
