#!/usr/bin/env node
// The Python toolchain from the lock file: a venv with every package pinned by hash
// (dbt-core, adapters, duckdb, the Temporal CLI, the test emulators). Idempotent: quick when
// the venv already holds this lock. Also the stale-lock check (`--check`), and `installLock`
// for the dev tools' own lock (scripts/setup-dev-tools.mjs).
//   node scripts/setup-python.mjs [--venv DIR] [--check]
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const REQUIREMENTS = join(root, 'requirements.txt');
export const LOCK = join(root, 'requirements.lock');
/** Python the lock was resolved for (networkx and others in it need 3.11). */
const MIN_PYTHON = [3, 11];

function fail(message) {
  process.stderr.write(`setup: ${message}\n`);
  process.exit(1);
}

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

/** Null when `lock` matches its requirements file (the digest it records), else why it does not. */
export function staleLockReason(lock = LOCK, requirements = REQUIREMENTS) {
  const [lockName, reqName] = [basename(lock), basename(requirements)];
  if (!existsSync(lock)) return `${lockName} is missing`;
  const header = new RegExp(`^# input: ${reqName.replaceAll('.', '\\.')} sha256=([0-9a-f]{64})$`, 'm');
  const recorded = header.exec(readFileSync(lock, 'utf8'))?.[1];
  if (!recorded) return `${lockName} does not record its input digest`;
  const actual = sha256(readFileSync(requirements));
  if (recorded !== actual) return `${lockName} is stale: it was generated from ${reqName} sha256=${recorded}, which is now ${actual}`;
  return null;
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.error) fail(`could not run ${cmd}: ${r.error.message}`);
  if (r.status !== 0) fail(`\`${cmd} ${args.join(' ')}\` exited with ${r.status}`);
}

/** uv from UV or PATH (an installer only: nothing of it goes into the venv), or null. */
function findUv() {
  const candidate = process.env.UV ?? 'uv';
  return spawnSync(candidate, ['--version'], { stdio: 'ignore' }).status === 0 ? candidate : null;
}

/** Creates or updates the venv from the lock; returns false when it was already current. */
export function setupPython(venv) {
  return installLock(venv, { lock: LOCK, requirements: REQUIREMENTS, tools: ['dbt', 'temporal'], what: 'the locked Python packages (dbt-core, adapters, Temporal CLI)' });
}

/**
 * Installs every package of `lock` (pinned by hash) into the venv at `venv`, created when
 * missing; returns false when the venv already holds this lock and its `tools`.
 */
export function installLock(venv, { lock, requirements, tools, what }) {
  const stale = staleLockReason(lock, requirements);
  if (stale) fail(`${stale}; regenerate it with \`npm run lock\``);
  const stamp = join(venv, `.${basename(lock)}.sha256`);
  const digest = sha256(readFileSync(lock));
  const haveTools = tools.every((tool) => existsSync(join(venv, 'bin', tool)));
  if (haveTools && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === digest) return false;

  const python = process.env.PYTHON ?? 'python3';
  const probe = spawnSync(python, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) fail(`${python} not found: Python >= ${MIN_PYTHON.join('.')} is required (set PYTHON to its path)`);
  const [major, minor] = probe.stdout.trim().split('.').map(Number);
  if (major !== MIN_PYTHON[0] || minor < MIN_PYTHON[1]) fail(`Python >= ${MIN_PYTHON.join('.')} is required, ${python} is ${probe.stdout.trim()}`);
  if (!existsSync(join(venv, 'bin', 'python'))) {
    console.log(`setup: creating a Python venv at ${venv} (${python} ${probe.stdout.trim()})`);
    run(python, ['-m', 'venv', venv]);
  }
  const uv = findUv();
  console.log(`setup: installing ${what} from ${basename(lock)} with ${uv ? 'uv' : 'pip'}`);
  // uv installs the same hashes in parallel and from its cache (seconds when warm); pip is the fallback.
  if (uv) run(uv, ['pip', 'install', '--python', join(venv, 'bin', 'python'), '--require-hashes', '--no-deps', '-r', lock]);
  else run(join(venv, 'bin', 'python'), ['-m', 'pip', 'install', '--disable-pip-version-check', '--progress-bar', 'on', '--require-hashes', '--no-deps', '-r', lock]);
  for (const tool of tools) {
    if (!existsSync(join(venv, 'bin', tool))) fail(`${join(venv, 'bin', tool)} is missing after install`);
  }
  writeFileSync(stamp, `${digest}\n`);
  return true;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  if (args.includes('--check')) {
    const stale = staleLockReason();
    if (stale) fail(`${stale}; regenerate it with \`npm run lock\``);
    console.log('setup: requirements.lock matches requirements.txt');
    process.exit(0);
  }
  const at = args.indexOf('--venv');
  const venv = at >= 0 && args[at + 1] ? resolve(args[at + 1]) : join(root, '.venv');
  if (setupPython(venv)) console.log('setup: Python toolchain ready');
}
