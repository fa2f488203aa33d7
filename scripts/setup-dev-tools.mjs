#!/usr/bin/env node
// The Python dev tools (ruff, mypy, pytest from requirements-dev.lock, pinned by hash) in their
// own venv at .tools/venv, apart from the dbt toolchain in .venv/: that one holds exactly
// requirements.lock, what the package ships. Idempotent: quick when the venv holds this lock.
//   node scripts/setup-dev-tools.mjs
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installLock } from './setup-python.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DEV_VENV = join(root, '.tools', 'venv');

/** Creates or updates .tools/venv from requirements-dev.lock; false when it was already current. */
export function setupDevTools() {
  return installLock(DEV_VENV, {
    lock: join(root, 'requirements-dev.lock'), requirements: join(root, 'requirements-dev.txt'),
    tools: ['ruff', 'mypy', 'pytest'], what: 'the Python dev tools (ruff, mypy, pytest)',
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (setupDevTools()) console.log('setup: Python dev tools ready');
}
