// Follows a run while the CLI waits: polls the `run_status` and `run_log` queries and feeds the
// display. dbt's per-node lines come from the run's own log; its footer is left to the
// summary printed from the run's output.
import type { WorkflowHandle } from '@temporalio/client';
import { RUN_LOG_QUERY, RUN_STATUS_QUERY } from '../../shared/run-status.js';
import type { RunLogPage, RunStatus } from '../../shared/run-status.js';
import type { Display } from './display.js';

export interface ProgressWatch {
  /** Stops polling after one last read of the log (the run has ended); resolves when done. */
  stop(): Promise<void>;
  /** Whether any log line was shown (a worker without `run_log` shows none). */
  readonly shownLines: number;
}

/** The footer that the workflow appends (`Finished running ...`) starts the summary. */
const FOOTER = /^Finished running \d+ /;

export function watchProgress(handle: WorkflowHandle, display: Display, intervalMs = 500): ProgressWatch {
  let next = 0;
  let shown = 0;
  let ended = false;
  let heldBlank = 0;
  let stopped = false;
  let logSupported = true;

  const consume = (page: RunLogPage): void => {
    next = page.next;
    const out: string[] = [];
    for (const line of page.lines) {
      if (ended) break;
      if (FOOTER.test(line)) ended = true;
      else if (line.trim() === '') heldBlank += 1;
      else {
        out.push(...Array<string>(heldBlank).fill(''), line);
        heldBlank = 0;
      }
    }
    shown += out.length;
    display.lines(out);
  };

  const readLog = async (): Promise<void> => {
    if (!logSupported || ended) return;
    for (let pages = 0; pages < 20; pages++) {
      const page = await handle.query<RunLogPage, [number]>(RUN_LOG_QUERY, next);
      consume(page);
      if (page.lines.length === 0 || ended) return;
    }
  };

  const tick = async (): Promise<void> => {
    try {
      const status = await handle.query<RunStatus>(RUN_STATUS_QUERY);
      if (stopped) return;
      display.status(status);
    } catch {
      // Not queryable yet (no worker has picked the run up) or already closed.
      return;
    }
    try {
      await readLog();
    } catch (err) {
      // An older worker has no run_log query: progress only, lines at the end.
      if (/run_log/.test((err as Error).message)) logSupported = false;
    }
  };

  // One poll at a time: a query can wait (no worker yet), and polls must not pile up behind it.
  let timer: NodeJS.Timeout | null = null;
  const loop = async (): Promise<void> => {
    await tick();
    if (!stopped) timer = setTimeout(() => void (running = loop()), intervalMs);
  };
  let running = loop();
  let finished: Promise<void> | null = null;
  return {
    get shownLines() {
      return shown;
    },
    stop() {
      finished ??= (async () => {
        stopped = true;
        if (timer) clearTimeout(timer);
        await running;
        // The lines between the last poll and the end (a closed run still answers queries).
        await Promise.race([readLog().catch(() => undefined), new Promise((r) => setTimeout(r, 5000).unref())]);
        display.close();
      })();
      return finished;
    },
  };
}
