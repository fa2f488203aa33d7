// Runs that outnumber engines take turns: which idle context gives its engine to a waiting
// job, which busy one stops taking nodes (drains), and when to look again. Pure rules.
import type { Job, OpenContext, Slot } from './placement.js';

export interface TurnOptions {
  /** A context keeps its engine at least this long while it has nodes. */
  quantumMs: number;
  /** A context without nodes this long gives its engine up at once. */
  graceMs: number;
  /**
   * Every task slot of the executor is taken: an idle run's next nodes cannot arrive until a
   * node ends, so an idle context gets no grace (holding it would idle the engine while the
   * slots stay full of other runs' waiting nodes).
   */
  full?: boolean;
  /**
   * The grace of an idle context when `full`, if the worker keeps a few slots from its pollers
   * for its runs' eagerly dispatched nodes (supervisor/reserved-slots.ts): the run's next nodes
   * then arrive a workflow round trip later (tens of ms) despite the full slots. @default 0
   */
  fullGraceMs?: number;
}

/**
 * An idle context another run may take the engine of: not a memory database's, and either idle
 * past the grace (its run is likely done) or past its turn (the quantum).
 */
export function yieldable(s: Slot, now: number, t: { quantumMs: number; graceMs: number }, exceptKey: string | null): boolean {
  const c = idleOther(s, exceptKey);
  return c !== null && (c.released || c.failed || c.draining || now - c.idleSince >= t.graceMs || now - c.openedAt >= t.quantumMs);
}

/** The slot's open context if it is idle and another run's (not closing, not a memory database's). */
function idleOther(s: Slot, exceptKey: string | null): OpenContext | null {
  const c = s.context;
  return c && !c.memory && !s.closing && s.inflight === 0 && c.key !== exceptKey ? c : null;
}

/**
 * When the first protected idle context may be taken (ms from now), or null if none will. A
 * closing context is not waited for (its close looks again), nor the job's own: either would
 * be due at once, again and again, and the pool would look every millisecond.
 */
export function nextYield(slots: readonly Slot[], now: number, t: { quantumMs: number; graceMs: number }, exceptKey: string | null = null): number | null {
  const waits = slots.flatMap((s) => {
    const c = idleOther(s, exceptKey);
    return c ? [Math.min(t.graceMs - (now - c.idleSince), t.quantumMs - (now - c.openedAt))] : [];
  });
  return waits.length ? Math.max(MIN_RETRY_MS, Math.min(...waits)) : null;
}

/** The soonest the pool looks again for a waiting job. */
const MIN_RETRY_MS = 5;

/** The busy context to drain for a run that has waited past a quantum: the one open longest. */
export function drainable(slots: readonly Slot[], now: number, quantumMs: number, exceptKey: string | null): Slot | null {
  if (slots.some((s) => s.context?.draining)) return null; // one hand-over at a time
  const busy = slots.filter((s) => s.context && !s.context.memory && !s.closing && s.context.key !== exceptKey && now - s.context.openedAt >= quantumMs);
  return busy.sort((a, b) => (a.context as OpenContext).openedAt - (b.context as OpenContext).openedAt)[0] ?? null;
}

/** What the pool does for a job that found no engine: close an idle context, or drain a busy one and look again later. */
export type RoomAction = { close: Slot } | { drain: Slot | null; retryInMs: number | null };

/** The turn rules for `job` among `candidates` (the holder of its DuckDB database, else every slot). */
export function roomFor(candidates: readonly Slot[], job: Job, now: number, opts: TurnOptions): RoomAction {
  const t = opts.full ? { ...opts, graceMs: Math.min(opts.graceMs, opts.fullGraceMs ?? 0) } : opts;
  const own = job.kind === 'node' ? job.request.context.key : null;
  const victim = candidates.find((s) => yieldable(s, now, t, own));
  if (victim) return { close: victim };
  const waited = now - (job.queuedAt ?? now);
  const busy = waited >= t.quantumMs ? drainable(candidates, now, t.quantumMs, own) : null;
  const retry = Math.min(nextYield(candidates, now, t, own) ?? Infinity, Math.max(MIN_RETRY_MS, t.quantumMs - waited));
  return { drain: busy && busy.inflight > 0 ? busy : null, retryInMs: Number.isFinite(retry) ? retry : null };
}
