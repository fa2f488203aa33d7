// Finds the Python interpreter that runs a dbt executable, so the executor can run dbt through
// its shim (python dbt_shim.py <mode> <dbt args>) in the very same environment.
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cache = new Map<string, string | null>();

/** The dbt shim script next to this module (copied into dist by the build). */
export const DBT_SHIM_PATH = fileURLToPath(new URL('./dbt_shim.py', import.meta.url));

/** The PATH of an environment. */
export function searchPath(env: Record<string, string | undefined>): string {
  const { PATH: path = '' } = env;
  return path;
}

/** A bare command name (`dbt`) as the absolute path PATH gives it; paths are returned as they are. */
export function onPath(command: string, path = searchPath(process.env)): string {
  if (command.includes('/')) return command;
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return command;
}

/** The interpreter from dbt's `#!` line, else a `python` beside it; null when neither exists. */
export function dbtPython(command: string): string | null {
  const hit = cache.get(command);
  if (hit !== undefined) return hit;
  const dbtPath = onPath(command);
  let found: string | null = null;
  try {
    const first = readFileSync(dbtPath, { encoding: 'utf8', flag: 'r' }).split('\n', 1)[0] ?? '';
    const shebang = /^#!\s*(\S*python[0-9.]*)\s*$/.exec(first);
    if (shebang?.[1] && existsSync(shebang[1])) found = shebang[1];
  } catch {
    // Not readable (e.g. `dbt` resolved through PATH): try the sibling interpreter below.
  }
  if (!found) {
    const sibling = join(dirname(dbtPath), 'python');
    if (dbtPath.includes('/') && existsSync(sibling)) found = sibling;
  }
  cache.set(command, found);
  return found;
}
