// What a plan asks of its nodes' coordination (docs/coordination.md): relation leases (each node
// that writes a relation names it) and the target's admission limit, from dbt_temporal.yml.
import type { PlanNode } from '../../shared/plan.js';
import { leaseParts } from '../../shared/leases.js';
import type { PlanCoordination } from '../../shared/leases.js';
import type { ManifestDoc } from '../artifacts/manifest.js';
import type { ProjectSettings } from '../projects/project-settings.js';
import { isStateful } from '../reuse/decide.js';
import { digest } from '../reuse/fingerprint.js';

/** Resource types that write a relation of their own (tests only read, unless they store failures). */
export const WRITING_TYPES: readonly string[] = ['model', 'seed', 'snapshot'];
/** Commands whose nodes write relations. */
const WRITING_COMMANDS: readonly string[] = ['build', 'run', 'seed', 'snapshot'];

/**
 * Whether the run takes relation leases: `leases:` when set, else when the run or the project
 * reuses (a run without reuse in a reusing project takes them too, so its builds are seen).
 */
export function wantsLeases(settings: Pick<ProjectSettings, 'leases' | 'reuse'>, command: string, reuse: boolean | null | undefined): boolean {
  return WRITING_COMMANDS.includes(command) && (settings.leases ?? (reuse === true || settings.reuse.enabled));
}

export interface CoordinationInput {
  settings: Pick<ProjectSettings, 'leases' | 'reuse' | 'limits'>;
  command: string;
  reuse: boolean | null | undefined;
  fullRefresh: boolean;
  /** The profile's resolved target name. */
  target: string;
  warehouse: string | null;
  /** The run's manifest (its env's schemas): where relation names come from. */
  manifest: ManifestDoc | null;
  nodes: PlanNode[];
}

/** Where a run's relations live, as its leases key them: the target and its warehouse. */
export function coordinationScope(target: string, warehouse: string | null): string {
  return warehouse ? `${target}@${warehouse}` : target;
}

/** The relation the node writes (its manifest entry's), or null: it writes none of its own. */
export function writtenRelation(n: PlanNode, manifest: ManifestDoc): string | null {
  const e = manifest.nodes?.[n.unique_id];
  if (!WRITING_TYPES.includes(n.resource_type) || !e?.relation_name || e.config?.['materialized'] === 'ephemeral') return null;
  return e.relation_name;
}

/** The plan's coordination and its nodes with the relations they write (unchanged when neither applies). */
export function planCoordination(i: CoordinationInput): { nodes: PlanNode[]; coordination: PlanCoordination | null } {
  const leases = wantsLeases(i.settings, i.command, i.reuse) && i.manifest !== null;
  const limit = i.settings.limits[i.target];
  if (!leases && limit === undefined) return { nodes: i.nodes, coordination: null };
  const coordination: PlanCoordination = {
    leases, scope: coordinationScope(i.target, i.warehouse),
    admission: limit === undefined ? null : { target: i.target, limit },
  };
  const manifest = i.manifest;
  if (!leases || manifest === null) return { nodes: i.nodes, coordination };
  // What another run built while a node waited counts only where the plan itself could reuse.
  const reuses = (i.reuse ?? i.settings.reuse.enabled) && !i.fullRefresh;
  const inRun = new Set(i.nodes.map((n) => n.unique_id));
  const nodes = i.nodes.map((n) => {
    const relation = writtenRelation(n, manifest);
    const e = manifest.nodes?.[n.unique_id];
    if (relation === null || !e) return n;
    // What its build is made of, for a run that waits on the relation: a digest, not the parts.
    const split = leaseParts(n.reuse, (id) => inRun.has(id));
    const inputs = split ? { inputs: { self: digest(split.self), parents: split.parents } } : {};
    return { ...n, lease: { relation, reuse: reuses && (i.settings.reuse.stateful || !isStateful(e)), ...inputs } };
  });
  return { nodes, coordination };
}
