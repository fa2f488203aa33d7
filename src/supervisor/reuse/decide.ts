// The reuse decision of each plan node, in plan (topological) order, so that a parent's
// decision is known before its children's: a parent built in this run is a new version.
import type { JsonValue } from '../../shared/contracts.js';
import type { PlanNode } from '../../shared/plan.js';
import type { NodeReuse } from '../../shared/reuse.js';
import { changedParts, fingerprint, fpOf } from './fingerprint.js';
import type { Fingerprint, ManifestEntry } from './fingerprint.js';
import { codeKey, overridesRefs } from './pure-code.js';
import type { CodeKey } from './pure-code.js';
import type { ProbeAnswer } from './probe.js';
import type { NodeState } from './state-store.js';

export interface DecideInput {
  nodes: readonly PlanNode[];
  entries: ReadonlyMap<string, ManifestEntry>;
  macros: ReadonlyMap<string, ManifestEntry>;
  /**
   * Compiled code by unique id; null when the compile failed (`compileError`). A node missing
   * here is decided without it where it can be (see `compileLater`).
   */
  codes: ReadonlyMap<string, string> | null;
  compileError: string | null;
  /**
   * Collects the nodes whose decision needs their compiled code, which is not in `codes`; each is
   * taken as reused for now, so its children are decided as if it were. Absent: such a node is
   * built (its compiled code is unavailable).
   */
  compileLater?: Set<string>;
  /** The run's dbt command (part of a node's code key). @default build */
  command?: string;
  /**
   * Whether code keys may stand for compiled SQL (pure-code.ts): not when refs resolve elsewhere
   * at execution (`--defer`) or a microbatch window applies. @default true
   */
  codeKeys?: boolean;
  /**
   * Also compile (into `compileLater`) the built nodes whose SQL no code key stands for: a run
   * that takes relation leases hands its complete inputs to a run waiting on the relation, which
   * reuses the build when they match. @default false
   */
  compileBuilt?: boolean;
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

/** A build decision: the fingerprint to record, or its parts without `sql`, which the node's own build completes. */
function build(reason: string, f: Fingerprint, code: CodeKey | null): NodeReuse {
  const pending = f.unknown === null && f.parts['sql'] === undefined;
  return { action: 'build', reason, fp: f.fp, parts: f.parts, ...(pending ? { pending_sql: true } : {}), ...(code ? { code } : {}) };
}

export function decideAll(i: DecideInput): Map<string, NodeReuse> {
  const out = new Map<string, NodeReuse>();
  const inPlan = new Set(i.nodes.map((n) => n.unique_id));
  const keyed = (i.codeKeys ?? true) && !overridesRefs(i.macros);
  for (const node of i.nodes) {
    if (!REUSABLE_TYPES.includes(node.resource_type)) continue;
    const e = i.entries.get(node.unique_id);
    if (!e) {
      out.set(node.unique_id, { action: 'build', reason: 'not in the run\'s manifest', fp: null, parts: {} });
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
    const compiled = i.codes === null ? null : i.codes.get(node.unique_id);
    const f = fingerprint({ node: e, compiled, macros: i.macros, vars: i.vars, env: i.env, where: i.where, parents, sources });
    const code = keyed ? codeKey({ node: e, entries: i.entries, macros: i.macros, macroIds: f.macroIds, parts: f.parts, command: i.command ?? 'build' }) : null;
    const d = decide(node, e, f, code, i, parents, inPlan);
    if (i.compileBuilt && d.action === 'build' && d.pending_sql && !d.code) i.compileLater?.add(node.unique_id);
    out.set(node.unique_id, d);
  }
  return out;
}

function decide(node: PlanNode, e: ManifestEntry, f: Fingerprint, code: CodeKey | null, i: DecideInput, parents: ReadonlyMap<string, string | null>, inPlan: ReadonlySet<string>): NodeReuse {
  if (i.fullRefresh) return build('full refresh', f, code);
  if (isStateful(e) && !i.stateful) return build(`${e.resource_type === 'snapshot' ? 'snapshot' : `${String(e.config?.['materialized'])} model`}: rebuilt by default (reuse.stateful)`, f, code);
  if (i.compileError !== null && node.resource_type !== 'seed') return build(`compile failed: ${i.compileError.split('\n')[0] ?? ''}`.slice(0, 200), { ...f, fp: null, unknown: 'compile failed' }, code);
  if (!i.probe) return build(`warehouse probe failed: ${(i.probeError ?? 'no answer').split('\n')[0] ?? ''}`.slice(0, 200), f, code);
  for (const [p, v] of parents) if (v === i.invocationId && inPlan.has(p)) return build(`parent ${p} is rebuilt`, f, code);
  if (f.unknown !== null) return build(f.unknown, f, code);
  const before = i.stored.get(node.unique_id);
  if (!before) return build('no earlier build recorded', f, code);
  if (before.fp === null) return build(`last built by ${before.invocation_id} without reuse`, f, code);
  // Not compiled (its `sql` part pending): the code key says whether the compiled SQL is the recorded build's.
  const pending = f.parts['sql'] === undefined;
  const changed = pending ? changedParts(before.parts, f.parts).filter((k) => k !== 'sql') : changedParts(before.parts, f.parts);
  if (pending && changed.length === 0) {
    if (code && before.code_key === code.key && before.parts['sql'] !== undefined) return compare(node, e, withSql(f, before.parts['sql']), i, before, code);
    if (code && before.code !== undefined && before.code !== code.code) return build('changed: sql', f, code);
    if (i.compileLater) {
      i.compileLater.add(node.unique_id);
      return { action: 'reuse', from: before.invocation_id, reason: 'to be compared once compiled' };
    }
    return build('compiled code unavailable', { ...f, unknown: 'compiled code unavailable' }, code);
  }
  if (changed.length > 0) return build(`changed: ${changed.join(', ')}`, f, code);
  return compare(node, e, f, i, before, code);
}

/** The fingerprint with the `sql` part the node's last build recorded. */
function withSql(f: Fingerprint, sql: string): Fingerprint {
  const parts = { ...f.parts, sql };
  return { ...f, parts, fp: fpOf(parts) };
}

/** A complete fingerprint against the recorded build's. */
function compare(node: PlanNode, e: ManifestEntry, f: Fingerprint, i: DecideInput, before: NodeState, code: CodeKey | null = null): NodeReuse {
  if (before.fp !== f.fp) return build(`changed: ${changedParts(before.parts, f.parts).join(', ') || 'fingerprint'}`, f, code);
  if (node.resource_type !== 'test' && !relationExists(e, i.probe)) return build('relation missing in the warehouse', f, code);
  return { action: 'reuse', from: before.invocation_id, reason: `unchanged since ${before.invocation_id}` };
}

function relationExists(e: ManifestEntry, probe: ProbeAnswer | null): boolean {
  if (!probe) return false;
  return probe.exists.has(`${e.database ?? ''}.${e.schema ?? ''}.${e.alias ?? e.identifier ?? e.name ?? ''}`.toLowerCase());
}
