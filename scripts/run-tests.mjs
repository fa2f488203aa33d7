#!/usr/bin/env node
// Every test suite of the repository, one after the other (`npm test` runs this after set-up,
// build, typecheck and lint): pytest over test/python/, vitest over test/ without the
// scenarios, then the long scenarios (test/scenarios.ts). A failing suite does not stop the
// next one; the exit code is 1 when any failed. Each suite's wall time is printed, for CI's budget.
//   node scripts/run-tests.mjs [python|vitest|scenarios]...   (default: all three)
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const vitest = join(root, 'node_modules', '.bin', 'vitest');
const SUITES = [
  { name: 'python', what: 'pytest test/python', cmd: join(root, '.tools', 'venv', 'bin', 'pytest'), args: [] },
  { name: 'vitest', what: 'vitest run', cmd: vitest, args: ['run'] },
  { name: 'scenarios', what: 'vitest run --config vitest.scenarios.config.ts', cmd: vitest, args: ['run', '--config', 'vitest.scenarios.config.ts'] },
];

const only = process.argv.slice(2);
const unknown = only.filter((name) => !SUITES.some((s) => s.name === name));
if (unknown.length > 0) {
  process.stderr.write(`run-tests: unknown suite ${unknown.join(', ')} (known: ${SUITES.map((s) => s.name).join(', ')})\n`);
  process.exit(2);
}

const outcomes = [];
for (const suite of SUITES.filter((s) => only.length === 0 || only.includes(s.name))) {
  console.log(`\nrun-tests: ${suite.what}`);
  const started = Date.now();
  const r = spawnSync(suite.cmd, suite.args, { cwd: root, stdio: 'inherit' });
  const ok = !r.error && r.status === 0;
  const how = ok ? 'ok' : `FAILED (${r.error ? r.error.message : `exit ${r.status ?? r.signal}`})`;
  outcomes.push({ ok, line: `${suite.what}: ${how} in ${Math.round((Date.now() - started) / 1000)} s` });
}
console.log(`\nrun-tests:\n${outcomes.map((o) => `  ${o.line}`).join('\n')}`);
process.exit(outcomes.every((o) => o.ok) ? 0 : 1);
