// The installed package's root directory, from source or from dist/, and the Python toolchain
// (dbt, the Temporal CLI) it runs: a venv found the same way by the worker and the CLI.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | null = null;

export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  cached = dir;
  return dir;
}

/**
 * The toolchain venv: DBT_TEMPORAL_VENV, else this checkout's `.venv/` (`npm run setup`),
 * else the per-user one an installed `dbt-temporal` sets up on first use
 * (`$XDG_DATA_HOME/dbt-temporal/venv`, `~/.local/share/dbt-temporal/venv`).
 */
export function venvDir(env: Record<string, string | undefined>): string {
  const explicit = env['DBT_TEMPORAL_VENV']?.trim();
  if (explicit) return explicit;
  const local = join(packageRoot(), '.venv');
  if (existsSync(join(local, 'bin'))) return local;
  return join(env['XDG_DATA_HOME']?.trim() || join(homedir(), '.local', 'share'), 'dbt-temporal', 'venv');
}

/** A tool from the toolchain venv, or null when it is not installed. */
export function venvTool(name: string, env: Record<string, string | undefined>): string | null {
  const path = join(venvDir(env), 'bin', name);
  return existsSync(path) ? path : null;
}
