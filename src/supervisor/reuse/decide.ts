// The reuse decision of each plan node, in plan (topological) order, so that a parent's
// decision is known before its children's: a parent built in this run is a new version.
import type { JsonValue } from '../../shared/contracts.js';
import type { PlanNode } from '../../shared/plan.js';
import type { NodeReuse } from '../../shared/reuse.js';
import { changedParts, fingerprint } from './fingerprint.js';
import type { ManifestEntry } from './fingerprint.js';
import type { ProbeAnswer } from './probe.js';
import type { NodeState } from './state-store.js';

export interface DecideInput {
  nodes: readonly PlanNode[];
  entries: ReadonlyMap<string, ManifestEntry>;
  macros: ReadonlyMap<string, ManifestEntry>;
  /** Compiled code by unique id; null when the compile failed (`compileError`). */
  codes: ReadonlyMap<string, string> | null;
  compileError: string | null;
  /** null: the probe failed (`probeError`): nothing is reused. */
  probe: ProbeAnswer | null;
  probeError?: string | null;
  stored: ReadonlyMap<string, NodeState>;
  invocationId: string;
  vars: Record<string, JsonValue>;
  env: Record<string, string>;
  where: string;
  stateful: boolean;
  fullRefresh: boolean;
}

/** The resource types reuse decides for (the rest always run). */
export const REUSABLE_TYPES: readonly string[] = ['model', 'seed', 'snapshot', 'test'];

/** Whether the node's output depends on time and its own state (incremental, microbatch, snapshot). */
export function isStateful(e: ManifestEntry | undefined): boolean {
  const m = e?.config?.['materialized'];
  return e?.resource_type === 'snapshot' || m === 'incremental' || m === 'microbatch' || m === 'snapshot';
}

/** Upstream build versions of a node: ephemeral parents are looked through (dbt inlines them). */
function upstream(id: string, entries: ReadonlyMap<string, ManifestEntry>, seen = new Set<string>()): { parents: string[]; sources: string[] } {
  const out = { parents: [] as string[], sources: [] as string[] };
  for (const p of entries.get(id)?.depends_on?.nodes ?? []) {
    if (seen.has(p)) continue;
    seen.add(p);
    const e = entries.get(p);
    if (p.startsWith('source.')) out.sources.push(p);
    else if (e?.config?.['materialized'] === 'ephemeral') {
      const deeper = upstream(p, entries, seen);
      out.parents.push(...deeper.parents);
      out.sources.push(...deeper.sources);
    } else out.parents.push(p);
  }
  return out;
}

const build = (reason: string, fp: string | null, parts: Record<string, string>): NodeReuse => ({ action: 'build', reason, fp, parts });

export function decideAll(i: DecideInput): Map<string, NodeReuse> {
  const out = new Map<string, NodeReuse>();
  const inPlan = new Set(i.nodes.map((n) => n.unique_id));
  for (const node of i.nodes) {
    if (!REUSABLE_TYPES.includes(node.resource_type)) continue;
    const e = i.entries.get(node.unique_id);
    if (!e) {
      out.set(node.unique_id, build('not in the run\'s manifest', null, {}));
      continue;
    }
    const up = upstream(node.unique_id, i.entries);
    const parents = new Map<string, string | null>();
    for (const p of up.parents) {
      const decided = out.get(p);
      if (inPlan.has(p) && decided) parents.set(p, decided.action === 'reuse' ? (decided.from ?? null) : i.invocationId);
      else parents.set(p, i.stored.get(p)?.invocation_id ?? null);
    }
    const sources = new Map<string, string | null>(up.sources.map((s) => [s, i.probe?.versions.get(s) ?? null]));
    const f = fingerprint({ node: e, compiled: i.codes?.get(node.unique_id) ?? null, macros: i.macros, vars: i.vars, env: i.env, where: i.where, parents, sources });
    out.set(node.unique_id, decide(node, e, f, i, parents, inPlan));
  }
  return out;
}

function decide(node: PlanNode, e: ManifestEntry, f: ReturnType<typeof fingerprint>, i: DecideInput, parents: ReadonlyMap<string, string | null>, inPlan: ReadonlySet<string>): NodeReuse {
  if (i.fullRefresh) return build('full refresh', f.fp, f.parts);
  if (isStateful(e) && !i.stateful) return build(`${e.resource_type === 'snapshot' ? 'snapshot' : `${String(e.config?.['materialized'])} model`}: rebuilt by default (reuse.stateful)`, f.fp, f.parts);
  if (i.compileError !== null && node.resource_type !== 'seed') return build(`compile failed: ${i.compileError.split('\n')[0] ?? ''}`.slice(0, 200), null, f.parts);
  if (!i.probe) return build(`warehouse probe failed: ${(i.probeError ?? 'no answer').split('\n')[0] ?? ''}`.slice(0, 200), f.fp, f.parts);
  const rebuiltParent = [...parents].find(([p, v]) => v === i.invocationId && inPlan.has(p));
  if (rebuiltParent) return build(`parent ${rebuiltParent[0]} is rebuilt`, f.fp, f.parts);
  if (f.fp === null) return build(f.unknown ?? 'an input is unknown', null, f.parts);
  const before = i.stored.get(node.unique_id);
  if (!before) return build('no earlier build recorded', f.fp, f.parts);
  if (before.fp === null) return build(`last built by ${before.invocation_id} without reuse`, f.fp, f.parts);
  if (before.fp !== f.fp) return build(`changed: ${changedParts(before.parts, f.parts).join(', ') || 'fingerprint'}`, f.fp, f.parts);
  if (node.resource_type !== 'test' && !relationExists(e, i.probe)) return build('relation missing in the warehouse', f.fp, f.parts);
  return { action: 'reuse', from: before.invocation_id, reason: `unchanged since ${before.invocation_id}` };
}

function relationExists(e: ManifestEntry, probe: ProbeAnswer | null): boolean {
  if (!probe) return false;
  return probe.exists.has(`${e.database ?? ''}.${e.schema ?? ''}.${e.alias ?? e.identifier ?? e.name ?? ''}`.toLowerCase());
}
