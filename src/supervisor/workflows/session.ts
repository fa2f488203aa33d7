// The run as the outside world sees it while it executes: phase, the tracker once planned,
// and control requests that arrive before there is a plan.
import type { NodeInterruptionSignal, RunEnvAnswer, RunLogPage, RunPhase, RunStatus } from '../../shared/run-status.js';
import type { RunTracker } from '../../shared/run-tracker.js';

export class RunSession {
  phase: RunPhase = 'initializing';
  tracker: RunTracker | null = null;
  /** The run's effective env (its input's, plus what pre_run hooks add): what activities query. */
  env: Record<string, string> = {};
  /** The run's input as canonical JSON (planning's `_`). */
  runInputJson = '';
  private failFast: boolean;
  private stopRequested = false;

  constructor(
    readonly invocationId: string,
    readonly segment: number,
    failFast: boolean,
  ) {
    this.failFast = failFast;
  }

  attach(tracker: RunTracker): void {
    this.tracker = tracker;
    // Requests made while planning apply to the plan.
    if (this.tracker.segment === 0) tracker.failFast = this.failFast;
    if (this.stopRequested) tracker.stopRequested = true;
  }

  setFailFast(value: boolean): boolean {
    this.failFast = value;
    if (this.tracker) this.tracker.failFast = value;
    return value;
  }

  requestStop(): void {
    this.stopRequested = true;
    if (this.tracker) this.tracker.stopRequested = true;
  }

  /** A node's activity paused or reset from Temporal, or running again (its activity says so). */
  nodeInterrupted(signal: NodeInterruptionSignal): void {
    // Anyone can signal a run: a malformed report is dropped, never a failed workflow task.
    const { unique_id: id, state } = (signal ?? {}) as Partial<NodeInterruptionSignal>;
    if (typeof id === 'string' && (state === 'paused' || state === 'reset' || state === 'resumed')) this.tracker?.interrupt(id, state);
  }

  /** The run log from line `from` on (the CLI polls it to scroll dbt's lines as they happen). */
  logSince(from: unknown, max = 500): RunLogPage {
    const log = this.tracker?.log ?? [];
    const start = Math.min(Math.max(0, Math.floor(Number(from) || 0)), log.length);
    const lines = log.slice(start, start + max);
    return { from: start, lines, next: start + lines.length };
  }

  /** RUN_ENV_QUERY: what the run's activities run dbt with. */
  runEnv(): RunEnvAnswer {
    return { env: this.env, run_input_json: this.runInputJson };
  }

  status(): RunStatus {
    if (this.tracker) return { ...this.tracker.status(), phase: this.phase };
    return {
      phase: this.phase, invocation_id: this.invocationId, segment: this.segment, total_nodes: 0, total_levels: 0, completed_levels: 0,
      succeeded: 0, warned: 0, failed: 0, skipped: 0, cancelled: 0, running: 0, paused: 0, pending: 0, running_nodes: [], paused_nodes: [],
      fail_fast: this.failFast, stop_requested: this.stopRequested,
    };
  }
}
