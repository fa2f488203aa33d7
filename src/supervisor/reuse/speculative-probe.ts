// The speculative warehouse probe of a reuse plan (docs/reuse.md): started together with the
// plan's `dbt ls`, over every reusable node of the worker's start-up manifest, so the plan need
// not wait for the ls's manifest to start probing. The plan uses its answer only when it covers
// what the run's own manifest needs (probe-scope.ts coversScope), else probes as before.
import { createHash } from 'node:crypto';
import type { JsonValue } from '../../shared/contracts.js';
import type { DbtInvocation } from '../../shared/executor-protocol.js';
import { sortedJson } from '../../shared/sorted-json.js';
import type { ManifestDoc } from '../artifacts/manifest.js';
import type { ResolvedProject } from '../projects/resolve-cache.js';
import { REUSABLE_TYPES } from './decide.js';
import type { ManifestEntry } from './fingerprint.js';
import type { ProbeAnswer } from './probe.js';
import { probeScope } from './probe-scope.js';
import type { ProbeScope } from './probe-scope.js';
import { runProbe } from './run-probe.js';
import type { CompileOnExecutor } from './run-probe.js';

export interface SpeculativeProbe {
  /** The adapter whose queries it runs. */
  adapter: string;
  scope: ProbeScope;
  /** The answer, or why there is none; never rejects (the plan may fail before it looks). */
  answer: Promise<ProbeAnswer | string>;
}

export interface ProbeSpeculatorOptions {
  /** How many (project, target, env) warehouses are remembered; the oldest goes first. @default 64 */
  maxWarehouses?: number;
}

/** What a plan's warehouse depends on besides the worker: the project, the target as requested, the run's env and vars (a profile may read both). */
export function warehouseMemoKey(project: string, target: string | null, env: Record<string, string>, vars: Record<string, JsonValue>): string {
  const digest = createHash('sha256').update(sortedJson({ env, vars })).digest('hex');
  return `${project}\n${target ?? ''}\n${digest}`;
}

/** One per plan activity: the start-up scope of each project and the warehouse each plan found. */
export class ProbeSpeculator {
  private readonly scopes = new WeakMap<ResolvedProject, { adapter: string; scope: ProbeScope } | null>();
  private readonly warehouses = new Map<string, { warehouse: string | null; adapter: string }>();
  private readonly maxWarehouses: number;

  constructor(opts: ProbeSpeculatorOptions = {}) {
    this.maxWarehouses = opts.maxWarehouses ?? 64;
  }

  /** Records the warehouse and adapter a plan of `key` found (an in-memory DuckDB is the run's own: not kept). */
  remember(key: string, warehouse: string | null, adapter: string): void {
    if (warehouse?.startsWith('duckdb-memory:')) return;
    this.warehouses.delete(key);
    this.warehouses.set(key, { warehouse, adapter });
    const oldest = this.warehouses.keys().next();
    if (this.warehouses.size > this.maxWarehouses && !oldest.done) this.warehouses.delete(oldest.value);
  }

  /**
   * Starts the probe of the project's start-up scope on the warehouse an earlier plan of `key`
   * found (DuckDB tasks are placed by it); null when no plan of `key` has found one yet, or it
   * found another adapter than the start-up manifest's (whose queries would not run there).
   */
  start(project: ResolvedProject, key: string, compileOn: (warehouse: string | null) => CompileOnExecutor, invocation: DbtInvocation): SpeculativeProbe | null {
    const found = this.warehouses.get(key);
    const startup = found ? this.startupScope(project) : null;
    if (!found || !startup || startup.adapter !== found.adapter) return null;
    const answer = runProbe(compileOn(found.warehouse), invocation, startup.adapter, startup.scope)
      .catch((err: unknown) => `speculative probe failed: ${(err as Error).message}`);
    return { ...startup, answer };
  }

  /** Every reusable node of the worker's start-up manifest, parsed once per resolved project. */
  private startupScope(project: ResolvedProject): { adapter: string; scope: ProbeScope } | null {
    if (!this.scopes.has(project)) this.scopes.set(project, startupScopeOf(project));
    return this.scopes.get(project) ?? null;
  }
}

function startupScopeOf(project: ResolvedProject): { adapter: string; scope: ProbeScope } | null {
  let doc: ManifestDoc;
  try {
    doc = JSON.parse(project.manifestJson) as ManifestDoc;
  } catch {
    return null;
  }
  const entries = new Map<string, ManifestEntry>([...Object.entries(doc.nodes ?? {}), ...Object.entries(doc.sources ?? {})]);
  const reusable = [...entries.values()].filter((e) => REUSABLE_TYPES.includes(e.resource_type)).map((e) => e.unique_id);
  return { adapter: doc.metadata?.adapter_type ?? project.graph.adapterType, scope: probeScope(entries, reusable) };
}
