// What the adapter reports about a node's work, read from dbt's own `adapter_response`: rows
// affected (most adapters), bytes processed and billed and slot milliseconds (BigQuery), the
// warehouse's query or job id (Snowflake, BigQuery, ...). Only what the adapter gave; pure.
import type { JsonValue } from './contracts.js';

export interface NodeCost {
  rows_affected?: number;
  bytes_processed?: number;
  bytes_billed?: number;
  slot_ms?: number;
  query_id?: string;
}

/** The numeric cost fields (each adapter reports them under these names). */
export const COST_FIELDS = ['rows_affected', 'bytes_processed', 'bytes_billed', 'slot_ms'] as const satisfies readonly Exclude<keyof NodeCost, 'query_id'>[];
const NUMBERS: Array<[Exclude<keyof NodeCost, 'query_id'>, string[]]> = COST_FIELDS.map((f) => [f, [f]]);
const QUERY_ID = ['query_id', 'job_id'];

/** The cost fields of one node's adapter_response; a negative count (DuckDB's -1: unknown) is left out. */
export function nodeCost(adapterResponse: Record<string, JsonValue> | null | undefined): NodeCost {
  const out: NodeCost = {};
  if (!adapterResponse) return out;
  for (const [field, names] of NUMBERS) {
    const v = names.map((n) => adapterResponse[n]).find((x) => typeof x === 'number' && Number.isFinite(x) && x >= 0);
    if (typeof v === 'number') out[field] = v;
  }
  const id = QUERY_ID.map((n) => adapterResponse[n]).find((x) => typeof x === 'string' && x !== '');
  if (typeof id === 'string') out.query_id = id;
  return out;
}

/** A run's cost: the sums of what its nodes' adapters reported. */
export type RunCost = Omit<NodeCost, 'query_id'>;

/** Sums the nodes' costs; a field is there only when some node reported it. */
export function runCost(results: ReadonlyArray<{ adapter_response?: Record<string, JsonValue> | null }>): RunCost {
  const out: RunCost = {};
  for (const r of results) {
    const c = nodeCost(r.adapter_response);
    for (const [field] of NUMBERS) if (c[field] !== undefined) out[field] = (out[field] ?? 0) + c[field];
  }
  return out;
}
