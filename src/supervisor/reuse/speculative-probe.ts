// The speculative warehouse probe of a reuse plan (docs/reuse.md): over what the last plan of
// the same project, target, env and vars probed, so the plan need not wait for the ls's manifest
// to start probing. Warm engines run it in the ls's own request, right after the ls (no second
// dbt invocation); subprocess mode starts it beside the ls. The plan uses its answer only when it
// covers what the run's own manifest needs (probe-scope.ts coversScope), else probes as before.
// The reuse states the last plan read are read again beside the ls too (`prefetch`), and the
// presence it asked is asked at once (`presenceOf`).
import type { JsonValue } from '../../shared/contracts.js';
import type { DbtInvocation, ProbeRows, WarehouseProbe } from '../../shared/executor-protocol.js';
import { sortedJson } from '../../shared/sorted-json.js';
import { probeAnswer, probeQueries } from './probe.js';
import type { ProbeAnswer } from './probe.js';
import type { ProbeScope } from './probe-scope.js';
import { digest } from './fingerprint.js';
import { runProbe } from './run-probe.js';
import type { NodeState } from './state-store.js';
import type { CompileOnExecutor } from './run-probe.js';

export interface SpeculativeProbe {
  /** The adapter whose queries it runs. */
  adapter: string;
  scope: ProbeScope;
  /** The answer, or why there is none; never rejects (the plan may fail before it looks). */
  answer: Promise<ProbeAnswer | string>;
}

export interface ProbeSpeculatorOptions {
  /** How many (project, target, env, vars) probes are remembered; the oldest goes first. @default 64 */
  maxEntries?: number;
}

/** What a plan's warehouse and probe depend on besides the worker: the project, the target as requested, the run's env and vars (a profile may read both). */
export function probeMemoKey(project: string, target: string | null, env: Record<string, string>, vars: Record<string, JsonValue>): string {
  return `${project}\n${target ?? ''}\n${digest(sortedJson({ env, vars }))}`;
}

interface Probed {
  warehouse: string | null;
  adapter: string;
  scope: ProbeScope;
  /** The reuse states the plan read: its target (as the profile resolved it) and node ids. @default none */
  states?: { target: string; ids: readonly string[] };
  /** The scope whose presence the plan asked for its run (planning/plan-presence.ts). @default none */
  presence?: string;
}

/** States read beside the plan's ls (ProbeSpeculator.prefetch): good for its target and ids. */
export interface PrefetchedStates {
  target: string;
  ids: ReadonlySet<string>;
  /** Never rejects (an unreadable state is absent). */
  states: Promise<Map<string, NodeState>>;
}

/** A speculation to run inside the plan's ls (warm engines): its queries, and where they go. */
export interface AttachedProbe extends Probed {
  queries: WarehouseProbe;
}

/** The speculation of an attached probe, from what the ls answered. */
export function attachedAnswer(attached: AttachedProbe, rows: ProbeRows | null | undefined): SpeculativeProbe {
  const answer = !rows ? 'the ls answered no probe' : 'error' in rows ? `speculative probe failed: ${rows.error}` : probeAnswer(rows);
  return { adapter: attached.adapter, scope: attached.scope, answer: Promise.resolve(answer) };
}

/** One per plan activity: where and what each plan probed, for the next plan of its key. */
export class ProbeSpeculator {
  private readonly probed = new Map<string, Probed>();
  private readonly maxEntries: number;

  constructor(opts: ProbeSpeculatorOptions = {}) {
    this.maxEntries = opts.maxEntries ?? 64;
  }

  /** Records what a plan of `key` probed, and where (an in-memory DuckDB is the run's own: not kept). */
  remember(key: string, probed: Probed): void {
    if (probed.warehouse?.startsWith('duckdb-memory:')) return;
    this.probed.delete(key);
    this.probed.set(key, probed);
    const oldest = this.probed.keys().next();
    if (this.probed.size > this.maxEntries && !oldest.done) this.probed.delete(oldest.value);
  }

  /** The probe the last plan of `key` ran, for the plan's ls to run; null when no plan of `key` probed yet. */
  attach(key: string): AttachedProbe | null {
    const last = this.probed.get(key);
    return last ? { ...last, queries: probeQueries(last.adapter, [...last.scope.schemas], [...last.scope.sources.values()]) } : null;
  }

  /** The scope whose presence the last plan of `key` asked, or null. */
  presenceOf(key: string): string | null {
    return this.probed.get(key)?.presence ?? null;
  }

  /**
   * Reads again the states the last plan of `key` read (`read` of its target and ids), beside
   * the ls, which takes as long; null when no plan of `key` read any yet.
   */
  prefetch(key: string, read: (target: string, ids: readonly string[]) => Promise<Map<string, NodeState>>): PrefetchedStates | null {
    const last = this.probed.get(key)?.states;
    return last ? { target: last.target, ids: new Set(last.ids), states: read(last.target, last.ids) } : null;
  }

  /**
   * Starts the probe the last plan of `key` ran, on its warehouse (DuckDB tasks are placed by
   * it); null when no plan of `key` probed yet.
   */
  start(key: string, compileOn: (warehouse: string | null) => CompileOnExecutor, invocation: DbtInvocation): SpeculativeProbe | null {
    const last = this.probed.get(key);
    if (!last) return null;
    const answer = runProbe(compileOn(last.warehouse), invocation, last.adapter, last.scope)
      .catch((err: unknown) => `speculative probe failed: ${(err as Error).message}`);
    return { adapter: last.adapter, scope: last.scope, answer };
  }
}
