// Memos `command`, `node_status` and `log`, and the UI's current details. Updates are
// throttled in workflow time so history stays small for projects with thousands of nodes.
import { setCurrentDetails, upsertMemo } from '@temporalio/workflow';
import type { JsonValue } from '../../shared/contracts.js';
import type { RunRequest } from '../../shared/input.js';
import { MEMO_FIELD_MAX_BYTES, truncateUtf8, utf8Length } from '../../shared/limits.js';
import { logTail } from '../../shared/payload-budget.js';
import { MEMO_COMMAND, MEMO_LOG, MEMO_NODE_STATUS } from '../../shared/run-status.js';
import type { RunTracker } from '../../shared/run-tracker.js';

/** Minimum workflow time between two progress memo updates. */
const MIN_INTERVAL_MS = 10_000;

const cut = (s: string | null): string | null => (s === null ? null : truncateUtf8(s, MEMO_FIELD_MAX_BYTES));

/** The `command` memo: what was asked, never the env, hooks or other refs; long values cut. */
export function commandMemo(request: RunRequest): Record<string, JsonValue> {
  const memo: Record<string, JsonValue> = {
    command: request.command, project: request.project, select: cut(request.select), exclude: cut(request.exclude),
    target: request.target, full_refresh: request.full_refresh, fail_fast: request.fail_fast,
  };
  if (Object.keys(request.vars).length > 0) {
    const json = JSON.stringify(request.vars);
    memo['vars'] = utf8Length(json) <= MEMO_FIELD_MAX_BYTES ? request.vars : truncateUtf8(json, MEMO_FIELD_MAX_BYTES);
  }
  return memo;
}

export function publishCommand(request: RunRequest): void {
  upsertMemo({ [MEMO_COMMAND]: commandMemo(request) });
}

export function showDetails(text: string): void {
  setCurrentDetails(text);
}

export class ProgressMemos {
  private lastAt = -Infinity;
  private lastFailures = 0;

  /** Publishes node_status and log when due (or forced); returns whether it did. */
  publish(tracker: RunTracker, force = false): boolean {
    const s = tracker.status();
    const newFailure = s.failed > this.lastFailures;
    if (!force && !newFailure && Date.now() - this.lastAt < MIN_INTERVAL_MS) return false;
    this.lastAt = Date.now();
    this.lastFailures = s.failed;
    upsertMemo({ [MEMO_NODE_STATUS]: tracker.nodeStatusMemo(), [MEMO_LOG]: logTail(tracker.log) });
    const done = s.total_nodes - s.pending - s.running;
    const running = s.running_nodes.slice(0, 5).join(', ');
    const paused = s.paused_nodes.slice(0, 5).join(', ');
    setCurrentDetails(`${done}/${s.total_nodes} nodes done (${s.succeeded} ok, ${s.failed} error, ${s.skipped + s.cancelled} skip)${running ? `; running ${running}` : ''}${paused ? `; paused ${paused}` : ''}`);
    return true;
  }
}
