// After a node succeeded: its reuse state, so the next plan can compare (docs/reuse.md).
import type { NodeResult } from '../../shared/contracts.js';
import type { ExecuteNodeInput } from '../../shared/node-contract.js';
import type { ArtifactStore } from '../artifacts/store.js';
import { fpOf, sqlPart } from './fingerprint.js';
import type { PlanRecords } from './plan-records.js';
import { ReuseStateStore, stateDir } from './state-store.js';

/** Statuses after which a node's output is what its inputs make (a warned test is not recorded). */
const RECORDED: readonly string[] = ['success', 'pass'];

/** Writes the node's state when the run asked for it; a failed write only costs a rebuild later. */
export async function recordReuse(store: ArtifactStore | null | undefined, records: PlanRecords | null, input: ExecuteNodeInput, result: NodeResult, log: (msg: string) => void): Promise<void> {
  if (!store || !input.invocation_id || !RECORDED.includes(result.status)) return;
  let rec = input.reuse_record ?? null;
  if (!rec && input.reuse_records && records) {
    try {
      rec = await records.of(input.reuse_records, input.unique_id);
    } catch (err) {
      log(`reuse state of ${input.unique_id} not written: its plan's records (${input.reuse_records}) are unreadable: ${(err as Error).message}`);
      return;
    }
  }
  if (!rec) return;
  // Not compiled by the plan: the SQL its build compiled completes the fingerprint (compiled once).
  const compiled = rec.pending_sql ? result.compiled_code : undefined;
  const parts = typeof compiled === 'string' ? { ...rec.parts, sql: sqlPart(compiled) } : rec.parts;
  const fp = typeof compiled === 'string' ? fpOf(parts) : rec.pending_sql ? null : rec.fp;
  try {
    await new ReuseStateStore(store, stateDir(input.project, rec.target)).write(input.unique_id, {
      fp, parts, invocation_id: input.invocation_id, built_at: new Date().toISOString(),
      ...(rec.code && typeof parts['sql'] === 'string' ? { code_key: rec.code.key, code: rec.code.code } : {}),
    });
  } catch (err) {
    log(`reuse state of ${input.unique_id} not written: ${(err as Error).message}`);
  }
}
