// Live progress of a run while the CLI waits: a progress bar with counts on a TTY, plain
// lines (one per change) otherwise. Reads the workflow's `run_status` query.
import type { WorkflowHandle } from '@temporalio/client';
import { RUN_STATUS_QUERY } from '../../shared/run-status.js';
import type { RunStatus } from '../../shared/run-status.js';

export interface ProgressOptions {
  /** Draw a redrawn bar (TTY) instead of plain lines. */
  tty: boolean;
  write: (text: string) => void;
  /** @default 1000 */
  intervalMs?: number;
}

const BAR_WIDTH = 30;

export function formatProgress(s: RunStatus): string {
  const done = s.total_nodes - s.pending - s.running;
  const running = s.running_nodes.slice(0, 3).join(', ') + (s.running > 3 ? `, +${s.running - 3}` : '');
  return `${s.phase}: ${done}/${s.total_nodes} done (${s.succeeded} ok, ${s.warned} warn, ${s.failed} error, ${s.skipped + s.cancelled} skip)${running ? ` running ${running}` : ''}`;
}

export function progressBar(s: RunStatus): string {
  const done = s.total_nodes - s.pending - s.running;
  const filled = s.total_nodes === 0 ? 0 : Math.round((done / s.total_nodes) * BAR_WIDTH);
  return `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${formatProgress(s)}`;
}

/** Polls the run until stop() is called; query errors (e.g. before the first task) are ignored. */
export function watchProgress(handle: WorkflowHandle, opts: ProgressOptions): { stop(): void } {
  let last = '';
  let stopped = false;
  const tick = async (): Promise<void> => {
    try {
      const status = await handle.query<RunStatus>(RUN_STATUS_QUERY);
      if (stopped) return;
      if (opts.tty) {
        const columns = process.stderr.columns || 120;
        opts.write(`\r\x1b[K${progressBar(status).slice(0, columns - 1)}`);
      } else {
        const line = formatProgress(status);
        if (line !== last) opts.write(`${line}\n`);
        last = line;
      }
    } catch {
      // Not queryable yet (no worker has picked the run up) or already closed.
    }
  };
  const timer = setInterval(() => void tick(), opts.intervalMs ?? 1000);
  void tick();
  return {
    stop() {
      stopped = true;
      clearInterval(timer);
      if (opts.tty) opts.write('\r\x1b[K');
    },
  };
}
