#!/usr/bin/env node
// Every test suite of the repository, one after the other (`npm test` runs this after set-up,
// build, typecheck and lint): pytest over test/python/, vitest over test/ without the
// scenarios, then the long scenarios (test/scenarios.ts). A failing suite does not stop the
// next one; the exit code is 1 when any failed. Each suite's wall time is printed, for CI's budget,
// and last of all every failed vitest test with the start of its error (a CI log is often read
// from its tail, where the scenarios' output would have buried the main suite's failures).
//   node scripts/run-tests.mjs [python|vitest|scenarios]...   (default: all three)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

/** The failed tests of a vitest JSON report, each with the first lines of its first error. */
function failuresOf(reportPath) {
  let report;
  try {
    report = JSON.parse(readFileSync(reportPath, 'utf8'));
  } catch {
    return [];
  }
  const lines = [];
  for (const file of report.testResults ?? []) {
    const failed = (file.assertionResults ?? []).filter((t) => t.status === 'failed');
    // A file that failed outside its tests (a hook, an import) has no failed test to name.
    if (failed.length === 0 && file.status === 'failed') lines.push(`${file.name}\n      ${(file.message ?? '').split('\n').slice(0, 12).join('\n      ')}`);
    for (const t of failed) {
      const first = (t.failureMessages?.[0] ?? '').split('\n').slice(0, 12).join('\n      ');
      lines.push(`${file.name.replace(`${root}/`, '')} > ${t.fullName}\n      ${first}`);
    }
  }
  return lines;
}

const reports = mkdtempSync(join(tmpdir(), 'run-tests-'));
const outcomes = [];
for (const suite of SUITES.filter((s) => only.length === 0 || only.includes(s.name))) {
  console.log(`\nrun-tests: ${suite.what}`);
  const started = Date.now();
  const report = join(reports, `${suite.name}.json`);
  const args = suite.cmd === vitest ? [...suite.args, '--reporter=verbose', '--reporter=json', `--outputFile.json=${report}`] : suite.args;
  const r = spawnSync(suite.cmd, args, { cwd: root, stdio: 'inherit' });
  const ok = !r.error && r.status === 0;
  const how = ok ? 'ok' : `FAILED (${r.error ? r.error.message : `exit ${r.status ?? r.signal}`})`;
  const failures = ok || suite.cmd !== vitest ? [] : failuresOf(report);
  outcomes.push({ ok, line: `${suite.what}: ${how} in ${Math.round((Date.now() - started) / 1000)} s`, failures });
}
rmSync(reports, { recursive: true, force: true });
console.log(`\nrun-tests:\n${outcomes.map((o) => [`  ${o.line}`, ...o.failures.map((f) => `    failed: ${f}`)].join('\n')).join('\n')}`);
process.exit(outcomes.every((o) => o.ok) ? 0 : 1);
