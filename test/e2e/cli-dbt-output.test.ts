// What a dbt user sees at the terminal, compared with plain dbt (the oracle, same venv): a
// selection that matches nothing is dbt's warning and exit 0 (an invalid selector stays exit 2),
// `list` prints exactly what `dbt ls --quiet` prints, dbt's warnings (parse-time deprecations,
// a node's own) appear once, `--warn-error` fails as dbt does, and the header and error summary
// are dbt's.
import { cp, mkdtemp, rm, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.js';
import { runPlainDbt } from '../support/dbt-oracle.js';
import { useE2eWorker } from '../support/e2e-worker.js';
import { parityWorkerEnv } from '../support/parity-fixtures.js';
import { BROKEN_PROJECT, EXAMPLE_PROJECT, REPO_ROOT } from '../support/paths.js';

const DEPRECATED = `${REPO_ROOT}test/fixtures/deprecated_duck`;
const DEPRECATION = /While compiling 'uses_old_thing': Found a reference to dim_thing\.v1, which was deprecated on '2020-01-01/g;

let scratch: string;
let env: Record<string, string>;
let dbEnv: Record<string, string>;
/** Plain dbt's own databases: DuckDB takes one writing process per file. */
let plainEnv: Record<string, string>;

/**
 * The lines plain `dbt ls --quiet <form>` prints (dbt's ListTask returns them as its result), for
 * several forms in one Python process: dbt parses the project once (the stdout of one `dbt ls` is
 * compared as printed in the local test).
 */
async function plainLsLines(projectDir: string, forms: string[][]): Promise<string[]> {
  const py = `
import json, sys
from dbt.cli.main import dbtRunner
project, scratch = sys.argv[1], sys.argv[2]
common = ['--project-dir', project, '--profiles-dir', project, '--target-path', scratch + '/target', '--log-path', scratch + '/logs', '--quiet']
parsed = dbtRunner().invoke(['parse'] + common)
out = [dbtRunner(manifest=parsed.result).invoke(['ls'] + common + form).result for form in json.loads(sys.argv[3])]
sys.__stdout__.write('\\n' + json.dumps(out) + '\\n')
`;
  const scratchDir = await mkdtemp(join(tmpdir(), 'dbt-ls-forms-'));
  try {
    const r = await execa(`${REPO_ROOT}.venv/bin/python`, ['-c', py, projectDir, scratchDir, JSON.stringify(forms)], {
      cwd: scratchDir, env: { ...process.env, ...plainEnv, DBT_SEND_ANONYMOUS_USAGE_STATS: 'false' },
    });
    return (JSON.parse(String(r.stdout).trim().split('\n').pop() ?? '[]') as string[][]).map((lines) => lines.join('\n')); // as printed, less the last newline (execa strips it, from ours too)
  } finally {
    await rm(scratchDir, { recursive: true, force: true });
  }
}

/** `dbt-temporal run <args>` for a project served by the suite's worker. */
const run = (project: string, args: string[], cwd?: string) => cli(['run', ...args, '--project', project], { env, ...(cwd ? { cwd } : {}) });

const e2e = useE2eWorker('cli-dbt-output', (dir) => {
  dbEnv = {
    JAFFLE_DUCKDB_PATH: join(dir, 'jaffle.duckdb'), DEPRECATED_DUCKDB_PATH: join(dir, 'deprecated.duckdb'),
    BROKEN_DUCKDB_PATH: join(dir, 'broken.duckdb'),
  };
  plainEnv = Object.fromEntries(Object.entries(dbEnv).map(([k, v]) => [k, v.replace(/\.duckdb$/, '-plain.duckdb')]));
  return parityWorkerEnv([{ name: 'jaffle_duck', dir: EXAMPLE_PROJECT }, { name: 'deprecated_duck', dir: DEPRECATED }, { name: 'broken_duck', dir: BROKEN_PROJECT }], dbEnv);
});

// The CLI's env: the file's worker queue, and the scratch dir as TMPDIR.
beforeAll(() => {
  scratch = e2e.scratch;
  env = { ...(process.env as Record<string, string>), ...dbEnv, TEMPORAL_ADDRESS: e2e.address, TEMPORAL_TASK_QUEUE: e2e.worker.taskQueue, TMPDIR: scratch };
});

describe('empty selections, as dbt', () => {
  it('succeed with dbt\'s warnings and no node; an invalid selector stays a usage error', async () => {
    const [build, list, invalid, plain] = await Promise.all([
      run('jaffle_duck', ['build', '-s', 'tag:none']),
      run('jaffle_duck', ['list', '-s', 'tag:none']),
      run('jaffle_duck', ['build', '-s', 'bogus_method:x']),
      runPlainDbt(EXAMPLE_PROJECT, ['build', '-s', 'tag:none'], plainEnv),
    ]);
    expect(plain.exitCode).toBe(0);
    expect(plain.output).toContain("The selection criterion 'tag:none' does not match any enabled nodes");
    expect(build.exitCode, build.stderr).toBe(0);
    expect(build.stdout).toContain("The selection criterion 'tag:none' does not match any enabled nodes");
    expect(build.stdout).toContain('Nothing to do. Try checking your model configs and model specification args');
    expect(build.stdout).not.toMatch(/Done\. PASS=|START/);
    expect(list.exitCode, list.stderr).toBe(0);
    expect(list.stdout).toBe('');
    expect(list.stderr).toContain('No nodes selected!');
    expect(invalid.exitCode).toBe(2);
    expect(invalid.stderr).toMatch(/SELECTION_ERROR[\s\S]*'bogus_method' is not a valid method name/);
  });

  it('end a workflow with success and no node results', async () => {
    const r = await run('jaffle_duck', ['build', '-s', 'tag:none', '--json']);
    expect(r.exitCode).toBe(0);
    const out = JSON.parse(r.stdout) as { success: boolean; node_results: unknown[]; warnings?: string[] };
    expect(out.success).toBe(true);
    expect(out.node_results).toEqual([]);
    expect(out.warnings).toContain('Nothing to do. Try checking your model configs and model specification args');
  });
});

describe('list, as dbt ls', () => {
  const forms = [[], ['--output', 'json'], ['--output', 'json', '--output-keys', 'name', 'config.materialized'], ['--resource-type', 'seed', 'model', '--output', 'path']];
  it('prints exactly what dbt ls --quiet prints, in every output form', async () => {
    const [ours, plain] = await Promise.all([Promise.all(forms.map((f) => run('jaffle_duck', ['ls', ...f]))), plainLsLines(EXAMPLE_PROJECT, forms)]);
    forms.forEach((f, i) => {
      expect(ours[i]?.exitCode, `${f.join(' ')}: ${ours[i]?.stderr}`).toBe(0);
      expect(ours[i]?.stdout, f.join(' ')).toBe(plain[i]);
      expect(ours[i]?.stdout).not.toMatch(/START|PASS=|\[OK/);
    });
  });
});

describe('local, as dbt on this machine', () => {
  it("exits 0 with dbt's warnings on empty selections and lists exactly what dbt ls lists", async () => {
    const project = join(scratch, 'jaffle_local');
    await cp(EXAMPLE_PROJECT, project, { recursive: true });
    const local = (args: string[]) => cli(['local', ...args, '--no-daemon'], { env: { ...env, JAFFLE_DUCKDB_PATH: join(scratch, 'local.duckdb') }, cwd: project });
    const [build, empty, listed, plain] = await Promise.all([
      local(['build', '-s', 'tag:none']), local(['list', '-s', 'tag:none']), local(['list', '--output', 'json']),
      runPlainDbt(EXAMPLE_PROJECT, ['ls', '--quiet', '--output', 'json'], plainEnv),
    ]);
    expect(build.exitCode, build.stderr).toBe(0);
    expect(build.stdout).toContain("The selection criterion 'tag:none' does not match any enabled nodes\nNothing to do. Try checking your model configs and model specification args");
    expect(empty.exitCode, empty.stderr).toBe(0);
    expect(empty.stderr).toContain('No nodes selected!');
    expect(listed.exitCode, listed.stderr).toBe(0);
    expect(listed.stdout).toBe(plain.output);
    expect(listed.stderr.match(/worker log: /g) ?? []).toHaveLength(1);
  });
});

describe("dbt's warnings and lines", () => {
  it('show a deprecated model version\'s warning once per run, and --warn-error fails as dbt does', async () => {
    // The second run reuses the parse of the first (warm engines): dbt's warning must still show.
    const [first, strict, plainStrict] = await Promise.all([
      run('deprecated_duck', ['build']),
      run('deprecated_duck', ['build', '--warn-error']),
      runPlainDbt(DEPRECATED, ['build', '--warn-error'], plainEnv),
    ]);
    const second = await run('deprecated_duck', ['run', '-s', 'uses_old_thing']);
    for (const r of [first, second]) {
      expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
      expect(r.stdout.match(DEPRECATION), r.stdout).toHaveLength(1);
      // A warning of dbt's while a node runs (the model's exceptions.warn), once, before its result line.
      expect(r.stdout).toMatch(/^uses_old_thing reads dim_thing v1: move to v2\n\d of \d OK model deprecated_duck\.uses_old_thing /m);
      expect(r.stdout.match(/uses_old_thing reads dim_thing v1/g)).toHaveLength(1);
    }
    expect(plainStrict.exitCode).toBe(2);
    expect(strict.exitCode).toBe(2);
    expect(strict.stderr).toMatch(/dim_thing\.v1 has passed its deprecation date/);
  });

  it("prints dbt's Found and Concurrency lines and dbt's error summary, with compiled code that exists", async () => {
    const project = join(scratch, 'broken_duck');
    await cp(BROKEN_PROJECT, project, { recursive: true });
    const [ours, plain] = await Promise.all([run('broken_duck', ['build'], project), runPlainDbt(BROKEN_PROJECT, ['build'], plainEnv)]);
    expect(ours.exitCode).toBe(1);
    const found = /^.*Found (.*)$/m.exec(plain.output.replace(/\x1b\[[0-9;]*m/g, ''))?.[1];
    expect(ours.stdout).toContain(`Found ${found}`);
    expect(ours.stdout).toMatch(/^Concurrency: \d+ threads \(target='dev'\)/m);
    expect(ours.stdout).toMatch(/Completed with 2 errors, 0 partial successes, and 1 warning:\n\nFailure in model bad_sql \(models\/bad_sql\.sql\)\n {2}Runtime Error in model bad_sql/);
    expect(ours.stdout).toMatch(/Failure in test fail_tested_model_category \(models\/_models\.yml\)\n {2}Got 1 result, configured to fail if != 0/);
    const compiled = /compiled code at (\S+bad_sql\.sql)/.exec(ours.stdout)?.[1];
    expect(compiled, ours.stdout).toBeDefined();
    expect(await readFile(compiled as string, 'utf8')).toMatch(/this_column_does_not_exist/);
    expect(compiled?.startsWith(scratch)).toBe(true);
  });
});
