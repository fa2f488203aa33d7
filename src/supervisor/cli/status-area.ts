// The live status area under the scrolling dbt lines: a bar with done/total, per-status
// counts, elapsed time and ETA, and the nodes running now. Pure: text in, lines out.
import type { RunStatus } from '../../shared/run-status.js';

const BAR_WIDTH = 28;

/** `m:ss` (or `h:mm:ss`) for a duration in milliseconds. */
export function clock(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const mm = String(Math.floor(s / 60) % 60).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return s >= 3600 ? `${Math.floor(s / 3600)}:${mm}:${ss}` : `${Math.floor(s / 60)}:${ss}`;
}

export function doneCount(s: RunStatus): number {
  return s.total_nodes - s.pending - s.running;
}

/** Remaining time at the run's pace so far, or null before the first node finished. */
export function etaMs(s: RunStatus, elapsedMs: number): number | null {
  const done = doneCount(s);
  if (done <= 0 || s.total_nodes === 0) return null;
  return (elapsedMs / done) * (s.total_nodes - done);
}

export function barLine(s: RunStatus, elapsedMs: number): string {
  const done = doneCount(s);
  const filled = s.total_nodes === 0 ? 0 : Math.round((done / s.total_nodes) * BAR_WIDTH);
  const eta = etaMs(s, elapsedMs);
  const counts = `PASS=${s.succeeded} WARN=${s.warned} ERROR=${s.failed} SKIP=${s.skipped + s.cancelled}`;
  const times = `${clock(elapsedMs)} elapsed${eta === null || done === s.total_nodes ? '' : `, ETA ${clock(eta)}`}`;
  const phase = s.phase === 'executing' ? '' : ` ${s.phase}`;
  return `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${done}/${s.total_nodes}  ${counts}  ${times}${phase}`;
}

export function runningLine(s: RunStatus): string {
  if (s.running === 0) return s.phase === 'executing' ? 'running: -' : `${s.phase}...`;
  // Older workers answer without `paused`.
  const paused = s.paused ?? 0;
  const list = (n: number, names: readonly string[]): string => {
    const shown = names.slice(0, 6);
    return `${shown.join(', ')}${n > shown.length ? `${shown.length > 0 ? ', ' : ''}+${n - shown.length} more` : ''}`;
  };
  const running = `running (${s.running - paused}): ${s.running > paused ? list(s.running - paused, s.running_nodes) : '-'}`;
  return paused === 0 ? running : `${running}; paused (${paused}): ${list(paused, s.paused_nodes ?? [])}`;
}

/** The area's lines, each cut to the terminal width so none wraps (a wrap would break the redraw). */
export function statusArea(s: RunStatus | null, elapsedMs: number, columns: number): string[] {
  const lines = s === null ? [`waiting for a worker... ${clock(elapsedMs)}`]
    : s.total_nodes === 0 ? [`${s.phase}... ${clock(elapsedMs)}`] : [barLine(s, elapsedMs), runningLine(s)];
  const width = Math.max(10, columns - 1);
  return lines.map((l) => (l.length > width ? `${l.slice(0, width - 1)}…` : l));
}
