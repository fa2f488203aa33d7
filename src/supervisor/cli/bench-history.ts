// Reading node timing back from a run: Temporal's event times and dbt's own span of a node
// result (shared by `dbt-temporal bench` and `npm run bench`).
import type { NodeResult } from '../../shared/contracts.js';

/** A history event's time (protobuf seconds + nanos) in epoch ms. */
export const eventMs = (t: { seconds?: unknown; nanos?: number | null } | null | undefined): number =>
  t ? Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6 : 0;

/** dbt's own compile+execute span of a node result, in ms (our dbt_temporal:* entries excluded). */
export function dbtSpanMs(r: NodeResult): number {
  const own = r.timing.filter((t) => !t.name.startsWith('dbt_temporal:'));
  if (own.length === 0) return 0;
  return Math.max(...own.map((t) => Date.parse(t.completed_at))) - Math.min(...own.map((t) => Date.parse(t.started_at)));
}
