#!/usr/bin/env node
// `npm run lint`'s Python half: ruff and mypy (from .tools/venv, set up here when missing) over
// the warm engine, the subprocess shim and test/python/, with the settings in pyproject.toml.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEV_VENV, setupDevTools } from './setup-dev-tools.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
setupDevTools();

let failed = false;
for (const [tool, args] of [['ruff', ['check', '--no-fix']], ['mypy', []]]) {
  const r = spawnSync(join(DEV_VENV, 'bin', tool), args, { cwd: root, stdio: 'inherit' });
  if (r.error || r.status !== 0) {
    process.stderr.write(`lint: ${tool} failed${r.error ? `: ${r.error.message}` : ''}\n`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
