// Whether a project reads `env_var('_')` (the run's input as JSON). Only such projects get `_`
// in their runs' env: a value that differs per run would otherwise make every run's parse
// unique (dbt and the warm engines key parsed manifests on the env).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const READS_UNDERSCORE = /env_var\(\s*['"]_['"]/;
const SKIPPED_DIRS = new Set(['target', 'logs', '.git', 'node_modules', '.venv']);
const SOURCE_FILE = /\.(sql|ya?ml|py|jinja2?)$/i;

/** Scans the project's (and its installed packages') sources for `env_var('_')`. */
export function readsRunInputEnv(projectDir: string): boolean {
  const stack = [projectDir];
  while (stack.length > 0) {
    const dir = stack.pop() as string;
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of entries) {
      const path = join(dir, name);
      let st;
      try {
        st = statSync(path);
      } catch {
        continue;
      }
      if (st.isDirectory()) {
        if (!SKIPPED_DIRS.has(name)) stack.push(path);
      } else if (SOURCE_FILE.test(name) && st.size < 5_000_000 && READS_UNDERSCORE.test(readFileSync(path, 'utf8'))) {
        return true;
      }
    }
  }
  return false;
}
