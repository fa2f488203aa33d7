// The worker's start-up check of its dbt: the Python that runs DBT_EXECUTABLE, and every
// reach-in into dbt internals (dbt_reach.self_check, shared by warm engines and the shim), for
// either engine mode. A failure stops the worker; version drift is a warning.
import { execa } from 'execa';
import { DBT_SHIM_PATH, dbtPython, onPath, searchPath } from './subprocess/dbt-python.js';

export interface DbtCheck {
  /** The interpreter that runs dbt (warm engines and the shim use it). */
  python: string;
  dbtCoreVersion: string;
  /** Packages whose version differs from the one the reach-ins were checked against. */
  warnings: string[];
}

/** The interpreter behind DBT_EXECUTABLE; throws an Error naming it when there is none. */
export function dbtInterpreter(dbtPath: string, env: Record<string, string | undefined>): string {
  const python = dbtPython(dbtPath);
  if (python) return python;
  throw new Error(`DBT_EXECUTABLE=${dbtPath}: cannot find the Python that runs it (${onPath(dbtPath, searchPath(env))} has no python #! line and no python beside it); dbt-temporal runs dbt in that interpreter`);
}

/** Checks dbt at `dbtPath` (a path or a name on PATH); throws an Error that says what is wrong. */
export async function checkDbt(dbtPath: string, env: Record<string, string | undefined>, timeoutMs = 120_000): Promise<DbtCheck> {
  const path = searchPath(env);
  const { HOME: home = '/tmp' } = env;
  const python = dbtInterpreter(dbtPath, env);
  const r = await execa(python, [DBT_SHIM_PATH, '--self-check'], { env: { PATH: path, HOME: home, DBT_SEND_ANONYMOUS_USAGE_STATS: 'false' }, extendEnv: false, reject: false, timeout: timeoutMs, all: true });
  const last = String(r.stdout ?? '').trim().split('\n').pop() ?? '';
  if (r.exitCode === 0 && last.startsWith('{')) {
    const out = JSON.parse(last) as { dbt_core: string; warnings?: string[] };
    return { python, dbtCoreVersion: out.dbt_core, warnings: out.warnings ?? [] };
  }
  const tail = String(r.all ?? '').trim().split('\n').slice(-3).join(' | ');
  throw new Error(`dbt self-check failed for ${python} (DBT_EXECUTABLE=${dbtPath}): ${tail || `exit code ${r.exitCode ?? '?'}`}`);
}
