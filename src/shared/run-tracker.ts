// The bookkeeping of one run, independent of Temporal: which nodes may start, what each node
// ended as, the dbt-style log, live counters. Pure and deterministic (workflow-safe), and
// serialisable into a CarriedRun so a run can continue-as-new without losing anything.
import type { HookError, NodeResult } from './contracts.js';
import { isFailureStatus } from './names.js';
import { nodeLabel } from './plan.js';
import type { ExecutionPlan, PlanNode } from './plan.js';
import { headerLines, interruptionLine, resultLine, startLine } from './run-log.js';
import type { NodeInterruption, RunPhase, RunStatus } from './run-status.js';
import { DagScheduler } from './scheduler.js';

export const SKIP_UPSTREAM = 'skipped: upstream dependency failed';
export const SKIP_FAIL_FAST = 'skipped due to upstream failure (fail_fast)';
export const CANCELLED_BY_OPERATOR = 'cancelled: remaining nodes cancelled by operator';
export const CANCELLED_RUN = 'cancelled';

/** Everything a run needs to go on in a new workflow execution (never the input's env: it stays in the input). */
export interface CarriedRun {
  invocation_id: string;
  segment: number;
  started_at_ms: number;
  plan: ExecutionPlan;
  /** Finished nodes in completion order (nothing is running when a run is carried). */
  results: NodeResult[];
  next_index: number;
  log: string[];
  fail_fast: boolean;
  stop_requested: boolean;
  /** What pre_run hooks added to the env (the run's own `env` is in its input), and hook errors so far. */
  extra_env?: Record<string, string>;
  hook_errors?: HookError[];
  /** The on-run-start hooks' results (they ran in the first segment; the output keeps them). */
  hook_start?: NodeResult[];
}

export function syntheticResult(uniqueId: string, status: NodeResult['status'], message: string): NodeResult {
  return { unique_id: uniqueId, status, execution_time: 0, message, adapter_response: {}, compiled_code: null, timing: [], failures: null };
}

/** Resource types dbt build reports without doing any work (its NoOpRunner): no activity runs for them. */
export const NO_OP_RESOURCE_TYPES: readonly string[] = ['exposure', 'saved_query'];

/** dbt's result for a no-op node: status `no-op`, message `NO-OP`, empty compile/execute timings. */
export function noOpResult(uniqueId: string, atIso: string): NodeResult {
  const timing = ['compile', 'execute'].map((name) => ({ name, started_at: atIso, completed_at: atIso }));
  return { unique_id: uniqueId, status: 'no-op', execution_time: 0, message: 'NO-OP', adapter_response: {}, compiled_code: null, timing, failures: 0 };
}

/** Depth of each node (0 for roots); plan nodes are in topological order. */
function levelsOf(nodes: readonly PlanNode[]): Map<string, number> {
  const levels = new Map<string, number>();
  for (const n of nodes) levels.set(n.unique_id, Math.max(-1, ...n.depends_on.map((d) => levels.get(d) ?? -1)) + 1);
  return levels;
}

export class RunTracker {
  readonly plan: ExecutionPlan;
  readonly invocationId: string;
  readonly segment: number;
  readonly startedAtMs: number;
  readonly log: string[];
  failFast: boolean;
  stopRequested: boolean;
  phase: RunPhase = 'executing';
  private readonly byId = new Map<string, PlanNode>();
  private readonly scheduler: DagScheduler;
  private readonly results = new Map<string, NodeResult>();
  private readonly order: NodeResult[] = [];
  private readonly running = new Map<string, number>();
  /** Running nodes whose activity is paused from Temporal (a subset of `running`). */
  private readonly paused = new Set<string>();
  private readonly queue: PlanNode[] = [];
  private readonly levels: Map<string, number>;
  private readonly levelRemaining: number[] = [];
  private nextIndex: number;
  private failures = 0;

  constructor(carried: CarriedRun) {
    this.plan = carried.plan;
    this.invocationId = carried.invocation_id;
    this.segment = carried.segment;
    this.startedAtMs = carried.started_at_ms;
    this.log = [...carried.log];
    this.failFast = carried.fail_fast;
    this.stopRequested = carried.stop_requested;
    this.nextIndex = carried.next_index;
    this.scheduler = new DagScheduler(carried.plan.nodes);
    this.levels = levelsOf(carried.plan.nodes);
    for (const n of carried.plan.nodes) {
      this.byId.set(n.unique_id, n);
      const level = this.levels.get(n.unique_id) ?? 0;
      this.levelRemaining[level] = (this.levelRemaining[level] ?? 0) + 1;
    }
    // Replaying completions in their original order rebuilds the scheduler's state exactly.
    for (const r of carried.results) this.record(r);
  }

  /** A fresh run's tracker, with the log header written. */
  static start(plan: ExecutionPlan, opts: { invocationId: string; failFast: boolean; startedAtMs: number; maxInFlight: number }): RunTracker {
    return new RunTracker({
      invocation_id: opts.invocationId, segment: 0, started_at_ms: opts.startedAtMs, plan, results: [], next_index: 1,
      log: headerLines(opts.invocationId, plan, opts.maxInFlight), fail_fast: opts.failFast, stop_requested: false,
    });
  }

  get total(): number {
    return this.plan.nodes.length;
  }

  get isDone(): boolean {
    return this.results.size === this.total;
  }

  get runningCount(): number {
    return this.running.size;
  }

  get hadFailure(): boolean {
    return this.failures > 0;
  }

  resultsInOrder(): NodeResult[] {
    return [...this.order];
  }

  /** Nodes to start now (at most `capacity`); nodes that must not run are recorded as they go. */
  take(capacity: number): PlanNode[] {
    const out: PlanNode[] = [];
    while (out.length < capacity) {
      if (this.queue.length === 0) this.queue.push(...this.scheduler.takeReady().filter((n) => !this.results.has(n.unique_id)));
      const node = this.queue.shift();
      if (!node) break;
      const index = this.nextIndex++;
      // After a failure with fail_fast, dbt skips every node it has not run "due to fail_fast",
      // whether or not an upstream node was skipped too.
      if (this.failFast && this.hadFailure && !this.stopRequested) this.finishAt(index, syntheticResult(node.unique_id, 'skipped', SKIP_FAIL_FAST));
      else if (this.scheduler.isBlocked(node.unique_id)) this.finishAt(index, syntheticResult(node.unique_id, 'skipped', SKIP_UPSTREAM));
      else if (this.stopRequested) this.finishAt(index, syntheticResult(node.unique_id, 'cancelled', CANCELLED_BY_OPERATOR));
      else {
        this.running.set(node.unique_id, index);
        this.log.push(startLine(index, this.total, node));
        out.push(node);
      }
    }
    return out;
  }

  /** Records the result of a node that was started by take(). */
  finish(result: NodeResult): void {
    const index = this.running.get(result.unique_id);
    if (index === undefined) throw new Error(`node ${result.unique_id} is not running`);
    this.running.delete(result.unique_id);
    this.paused.delete(result.unique_id);
    this.finishAt(index, result);
  }

  /**
   * A running node's activity was paused or reset from Temporal, or runs again after a pause: a
   * log line, and a paused node is listed as paused (still counted running: it has not finished). Returns whether anything changed
   * (a report about a node not running, or a repeat, is dropped).
   */
  interrupt(uniqueId: string, state: NodeInterruption): boolean {
    const index = this.running.get(uniqueId);
    if (index === undefined || (state === 'paused' && this.paused.has(uniqueId)) || (state === 'resumed' && !this.paused.has(uniqueId))) return false;
    if (state === 'paused') this.paused.add(uniqueId);
    else this.paused.delete(uniqueId);
    this.log.push(interruptionLine(index, this.total, this.byId.get(uniqueId) as PlanNode, state));
    return true;
  }

  /** Marks every node that has not started as cancelled (running nodes finish on their own). */
  cancelNotStarted(message: string): number {
    let n = 0;
    for (const node of this.plan.nodes) {
      if (this.results.has(node.unique_id) || this.running.has(node.unique_id)) continue;
      this.finishAt(this.nextIndex++, syntheticResult(node.unique_id, 'cancelled', message));
      n += 1;
    }
    this.queue.length = 0;
    return n;
  }

  /** `node_status` memo: every node's state, or only the interesting ones above `maxListed` nodes. */
  nodeStatusMemo(maxListed = 1000): { nodes: Record<string, string>; counts?: Record<string, number>; truncated?: boolean } {
    const nodes: Record<string, string> = {};
    const full = this.total <= maxListed;
    for (const n of this.plan.nodes) {
      const state = this.results.get(n.unique_id)?.status ?? (this.paused.has(n.unique_id) ? 'paused' : this.running.has(n.unique_id) ? 'running' : 'pending');
      if (full || (state !== 'pending' && state !== 'success' && state !== 'pass')) nodes[n.unique_id] = state;
    }
    if (full) return { nodes };
    const s = this.status();
    return { nodes, counts: { pending: s.pending, running: s.running, paused: s.paused, success: s.succeeded, warn: s.warned, error: s.failed, skipped: s.skipped, cancelled: s.cancelled }, truncated: true };
  }

  status(): RunStatus {
    const c = { succeeded: 0, warned: 0, failed: 0, skipped: 0, cancelled: 0 };
    for (const r of this.order) {
      if (r.status === 'warn') c.warned += 1;
      else if (r.status === 'skipped') c.skipped += 1;
      else if (r.status === 'cancelled') c.cancelled += 1;
      else if (isFailureStatus(r.status)) c.failed += 1;
      else c.succeeded += 1;
    }
    const label = (id: string): string => nodeLabel(this.byId.get(id) as PlanNode);
    let completed = 0;
    while (completed < this.levelRemaining.length && this.levelRemaining[completed] === 0) completed += 1;
    return {
      phase: this.phase, invocation_id: this.invocationId, segment: this.segment, total_nodes: this.total,
      total_levels: this.levelRemaining.length, completed_levels: completed, ...c,
      running: this.running.size, paused: this.paused.size, pending: this.total - this.order.length - this.running.size,
      running_nodes: [...this.running.keys()].filter((id) => !this.paused.has(id)).slice(0, 50).map(label),
      paused_nodes: [...this.paused].slice(0, 50).map(label),
      fail_fast: this.failFast, stop_requested: this.stopRequested,
    };
  }

  /** The state to continue in a new execution; only valid while nothing is running. */
  carry(): CarriedRun {
    if (this.running.size > 0) throw new Error('cannot carry a run with running nodes');
    return {
      invocation_id: this.invocationId, segment: this.segment + 1, started_at_ms: this.startedAtMs, plan: this.plan,
      results: [...this.order], next_index: this.nextIndex, log: [...this.log], fail_fast: this.failFast, stop_requested: this.stopRequested,
    };
  }

  private finishAt(index: number, result: NodeResult): void {
    const node = this.byId.get(result.unique_id);
    if (!node) throw new Error(`unknown node ${result.unique_id}`);
    // dbt's warnings while the node ran, before its result line as dbt prints them; each once per run.
    for (const w of result.warnings ?? []) if (!this.log.includes(w)) this.log.push(w);
    this.log.push(resultLine(index, this.total, node, result));
    this.record(result);
  }

  private record(result: NodeResult): void {
    if (this.results.has(result.unique_id)) throw new Error(`node ${result.unique_id} finished twice`);
    this.results.set(result.unique_id, result);
    this.order.push(result);
    if (isFailureStatus(result.status)) this.failures += 1;
    this.scheduler.complete(result.unique_id, result.status);
    const level = this.levels.get(result.unique_id) ?? 0;
    this.levelRemaining[level] = (this.levelRemaining[level] ?? 1) - 1;
  }
}
