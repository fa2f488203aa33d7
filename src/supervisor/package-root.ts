// The installed package's root directory (where .venv/ lives), from source or from dist/.
import { existsSync } from 'node:fs';
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

/** A tool from the project-managed venv, or null when it is not installed. */
export function venvTool(name: string): string | null {
  const path = join(packageRoot(), '.venv', 'bin', name);
  return existsSync(path) ? path : null;
}
