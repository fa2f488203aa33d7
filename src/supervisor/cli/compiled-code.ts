// dbt prints `compiled code at <path>` under each failure of its summary; the run's scratch dirs
// are gone by then, so the CLI keeps each failed node's compiled code (from the run's output) in
// the run's local artifacts dir, or in a kept temp dir, and points there.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import type { DbtRunOutput, NodeResult } from '../../shared/contracts.js';
import { summaryBucket } from '../../shared/run-log.js';

/** The run's artifacts dir when it is on this machine, else `<tmp>/dbt-temporal-run-<invocation>`. */
function keptDir(output: DbtRunOutput, tmp: string): string {
  const stored = output.artifacts?.run_results_path;
  if (stored && isAbsolute(stored) && existsSync(stored)) return dirname(stored);
  return join(tmp, `dbt-temporal-run-${output.invocation_id.replace(/[^\w.-]/g, '_')}`);
}

/** dbt's target/compiled layout: `<package>/<file>`, a test defined in YAML under `<file>/<name>.sql`. */
function compiledFile(r: NodeResult): string {
  const [, pkg = 'unknown', name = 'node'] = r.unique_id.split('.');
  const path = r.path ?? `${name}.sql`;
  return join(pkg, /\.(sql|py)$/.test(path) ? path : join(path, `${name}.sql`));
}

/**
 * Writes the compiled code of the run's failures and warnings; returns where each one is, by
 * unique id (nodes without compiled code have no entry). A write that fails leaves no entry.
 */
export function keepCompiledCode(output: DbtRunOutput, tmp: string = tmpdir()): Map<string, string> {
  const kept = new Map<string, string>();
  const root = join(keptDir(output, tmp), 'compiled');
  for (const r of output.node_results) {
    const bucket = summaryBucket(r.status);
    if (!r.compiled_code || (bucket !== 'error' && bucket !== 'warn')) continue;
    const file = join(root, compiledFile(r));
    if (!file.startsWith(`${root}/`)) continue; // a path that climbs out is never written
    try {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, r.compiled_code);
      kept.set(r.unique_id, file);
    } catch {
      // Not writable: the summary goes without the line.
    }
  }
  return kept;
}
