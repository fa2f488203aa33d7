// Reuse decisions of a plan (docs/reuse.md): compile the candidates, probe the warehouse, read
// the stored states, then walk the plan in order: a node is reused only when its fingerprint
// equals its last successful build's, its relation exists, and every parent is reused too.
import type { DbtInvocation } from '../../shared/executor-protocol.js';
import type { RunRequest } from '../../shared/input.js';
import type { PlanNode } from '../../shared/plan.js';
import type { NodeReuse } from '../../shared/reuse.js';
import type { ManifestDoc } from '../artifacts/manifest.js';
import type { ArtifactStore } from '../artifacts/store.js';
import { exactSelector } from '../planning/commands.js';
import type { ResolvedProject } from '../projects/resolve-cache.js';
import { REUSABLE_TYPES, decideAll } from './decide.js';
import type { ManifestEntry } from './fingerprint.js';
import { coversScope, probeScope } from './probe-scope.js';
import type { ProbeScope } from './probe-scope.js';
import { compiledCodes, runProbe } from './run-probe.js';
import type { CompileOnExecutor } from './run-probe.js';
import type { PrefetchedStates, SpeculativeProbe } from './speculative-probe.js';
import { ReuseStateStore, stateDir } from './state-store.js';

/** Commands whose nodes may be reused. */
const REUSE_COMMANDS: readonly string[] = ['build', 'run', 'seed', 'snapshot', 'test'];

export interface PlanReuseInput {
  project: ResolvedProject;
  /** The request with the run's env. */
  request: RunRequest;
  invocationId: string;
  target: string;
  nodes: PlanNode[];
  /** The run's manifest, parsed once by the plan. */
  manifest: ManifestDoc | null;
  warehouse: string | null;
  store: ArtifactStore | null;
  /** Runs a compile task on the executor (the activity's frame: heartbeats, DuckDB exclusivity). */
  compile: CompileOnExecutor;
  invocation: DbtInvocation;
  /** A probe started with the plan's `dbt ls` (speculative-probe.ts), used when it covers the run's needs. @default none */
  speculative?: SpeculativeProbe | null;
  /** Told what this plan's probe and state reads must read (the next plan of the run's key speculates on it). @default none */
  probed?: (adapter: string, scope: ProbeScope, stateIds: readonly string[]) => void;
  /** States read beside the plan's ls (speculative-probe.ts prefetch), used where their target and ids match. @default none */
  prefetched?: PrefetchedStates | null;
  /** The run takes relation leases (then its built nodes' inputs are complete: decide.ts compileBuilt). @default false */
  leases?: boolean;
  /** Where the plan's cost goes (milliseconds of compile, probe, state reads). @default none */
  log?: (message: string, attrs: Record<string, number | string>) => void;
}

const allBuild = (nodes: PlanNode[], reason: string, record: { target: string } | null = null): PlanNode[] =>
  nodes.map((n) => (REUSABLE_TYPES.includes(n.resource_type) ? { ...n, reuse: { action: 'build', reason, ...(record ? { fp: null, parts: {}, target: record.target } : {}) } } : n));

/** Whether the run's plan decides reuse, and so probes the warehouse once it has the run's manifest. */
export function probesWarehouse(project: ResolvedProject, request: RunRequest, store: ArtifactStore | null): boolean {
  return REUSE_COMMANDS.includes(request.command) && (request.reuse ?? project.settings.reuse.enabled) && Boolean(store?.refOf);
}

/** The plan's nodes with their reuse decisions (unchanged when the run keeps no reuse state). */
export async function planReuse(i: PlanReuseInput): Promise<PlanNode[]> {
  const enabled = i.request.reuse ?? i.project.settings.reuse.enabled;
  if (!REUSE_COMMANDS.includes(i.request.command)) return i.nodes;
  if (!i.store?.refOf) return enabled ? allBuild(i.nodes, 'reuse needs an artifact store (WRITE_ARTIFACTS=true)') : i.nodes;
  const state = new ReuseStateStore(i.store, stateDir(i.project.location.name, i.target));
  if (!enabled) {
    // A run without reuse invalidates what it rebuilds, once reuse state exists for the target.
    return (await state.exists()) ? allBuild(i.nodes, 'reuse is off', { target: i.target }) : i.nodes;
  }
  const manifest = i.manifest;
  if (!manifest) return allBuild(i.nodes, "the run's manifest is unavailable", { target: i.target });
  const entries = new Map<string, ManifestEntry>([...Object.entries(manifest.nodes ?? {}), ...Object.entries(manifest.sources ?? {})]);
  const candidates = i.nodes.filter((n) => REUSABLE_TYPES.includes(n.resource_type));
  await state.markUsed();

  // A preview compiles every candidate but seeds, so it can say whether each one's SQL changed;
  // a run compiles only the nodes its decision needs them for (below), and each built node's
  // state takes its SQL from its own build.
  const t0 = Date.now();
  const compile = async (ids: readonly string[]): Promise<Map<string, string> | string> => {
    const toCompile = ids.map((id) => i.project.graph.nodes.get(id)).filter((n): n is NonNullable<typeof n> => n !== undefined && n.resource_type !== 'seed');
    return toCompile.length === 0 ? new Map<string, string>()
      : compiledCodes(await i.compile({ type: 'compile', invocation: i.invocation, select: toCompile.map((n) => exactSelector(n, i.project.graph.projectName)), inline: null }));
  };
  let codes = i.request.plan_only ? await compile(candidates.map((n) => n.unique_id)) : new Map<string, string>();

  // The warehouse: existing relations of the candidates' schemas, data versions of their sources;
  // the speculative probe's answer when it read all of that, as the run reads it.
  const adapter = manifest.metadata?.adapter_type ?? i.project.graph.adapterType;
  const scope = probeScope(entries, candidates.map((n) => n.unique_id));
  // The states: the candidates' and their parents' outside the run.
  const outside = new Set<string>();
  for (const n of candidates) for (const p of entries.get(n.unique_id)?.depends_on?.nodes ?? []) if (!p.startsWith('source.')) outside.add(p);
  const stateIds = [...new Set([...candidates.map((n) => n.unique_id), ...outside])];
  i.probed?.(adapter, scope, stateIds);
  const t1 = Date.now();
  const covers = i.speculative ? i.speculative.adapter === adapter && coversScope(i.speculative.scope, scope) : false;
  const spec = covers && i.speculative ? await i.speculative.answer : null;
  const speculative = spec !== null && typeof spec !== 'string';
  const probe = speculative ? spec : await runProbe(i.compile, i.invocation, adapter, scope);
  // Why a started speculation went unused: it read too little, or it failed.
  const missed = i.speculative && !speculative ? { speculation_missed: typeof spec === 'string' ? spec.split('\n')[0]?.slice(0, 200) ?? '' : 'scope' } : {};
  const t2 = Date.now();

  const prefetched = i.prefetched?.target === i.target ? i.prefetched : null;
  const stored = prefetched ? await state.readAllFrom(prefetched, stateIds) : await state.readAll(stateIds);
  const t3 = Date.now();
  const base = {
    nodes: i.nodes, entries, macros: new Map(Object.entries(manifest.macros ?? {})), probe: typeof probe === 'string' ? null : probe, probeError: typeof probe === 'string' ? probe : null,
    stored, invocationId: i.invocationId, vars: i.request.vars, env: i.request.env, where: `${i.target}\n${i.warehouse ?? ''}\n${manifest.metadata?.dbt_version ?? ''}`,
    stateful: i.project.settings.reuse.stateful, fullRefresh: i.request.full_refresh, command: i.request.command,
    codeKeys: !i.request.defer_manifest_ref && !i.request.event_time_start && !i.request.event_time_end, compileBuilt: i.leases ?? false,
  };
  const compileLater = new Set<string>();
  let decisions = decideAll({ ...base, codes: typeof codes === 'string' ? null : codes, compileError: typeof codes === 'string' ? codes : null, compileLater });
  const t4 = Date.now();
  if (compileLater.size > 0) {
    codes = await compile([...compileLater]);
    decisions = decideAll({ ...base, codes: typeof codes === 'string' ? null : codes, compileError: typeof codes === 'string' ? codes : null });
  }
  const reused = [...decisions.values()].filter((d) => d.action === 'reuse').length;
  i.log?.('reuse plan decided', {
    nodes: candidates.length, reused, compiled: compileLater.size, speculated: i.speculative ? 1 : 0, speculative: speculative ? 1 : 0, ...missed,
    compile_ms: t1 - t0 + Date.now() - t4, probe_ms: t2 - t1, state_ms: t3 - t2, decide_ms: t4 - t3,
  });
  return i.nodes.map((n) => {
    const d: NodeReuse | undefined = decisions.get(n.unique_id);
    return d ? { ...n, reuse: d.action === 'build' ? { ...d, target: i.target } : d } : n;
  });
}
