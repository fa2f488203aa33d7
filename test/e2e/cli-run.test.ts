// `dbt-temporal run <dbt command> [dbt flags]` against a worker on the shared dev server, typed
// as a user would: dbt's flag names, exit codes 0/1/2, named selectors equal to dbt's own
// `dbt ls --selector`, the project taken from the current directory, the UI link.
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, resultIds } from '../support/cli.js';
import { dbtLsBatch } from '../support/dbt-ls-batch.js';
import { useE2eWorker } from '../support/e2e-worker.js';
import { PARITY_MAIN, parityWorkerEnv } from '../support/parity-fixtures.js';
import { BROKEN_PROJECT, REPO_ROOT } from '../support/paths.js';

const SELECTORS = `${REPO_ROOT}test/fixtures/selectors_duck`;
/** Named selectors of the fixtures, with dbt ls's answer for each. */
const NAMED = [
  { dir: SELECTORS, project: 'selectors_duck', selector: 'daily' },
  { dir: SELECTORS, project: 'selectors_duck', selector: 'hourly_tree' },
  { dir: SELECTORS, project: 'selectors_duck', selector: 'not_daily' },
  { dir: PARITY_MAIN.dir, project: 'parity_main', selector: 'nightly_marts' },
  { dir: PARITY_MAIN.dir, project: 'parity_main', selector: 'staging_tree_no_tests' },
];

let scratch: string;
let env: Record<string, string>;

const e2e = useE2eWorker('cli-run', (dir) => parityWorkerEnv([PARITY_MAIN, { name: 'selectors_duck', dir: SELECTORS }, { name: 'broken_duck', dir: BROKEN_PROJECT }], {
  SELECTORS_DUCKDB_PATH: join(dir, 'selectors.duckdb'), BROKEN_DUCKDB_PATH: join(dir, 'broken.duckdb'),
}));

// The CLI's env: the file's worker queue, and the scratch dir as TMPDIR.
beforeAll(() => {
  scratch = e2e.scratch;
  env = { ...(process.env as Record<string, string>), TEMPORAL_ADDRESS: e2e.address, TEMPORAL_TASK_QUEUE: e2e.worker.taskQueue, TMPDIR: scratch };
});

describe('named selectors (--selector / input.selector)', () => {
  it('plan exactly what dbt ls --selector lists, through the flag and the input field', async () => {
    const lsOf = async (dir: string) => {
      const named = NAMED.filter((n) => n.dir === dir);
      const res = await dbtLsBatch(dir, named.map((n) => ({ args: ['--selector', n.selector], parseArgs: [] })));
      return new Map(named.map((n, i) => [n.selector, res[i]]));
    };
    const expected = new Map((await Promise.all([lsOf(SELECTORS), lsOf(PARITY_MAIN.dir)])).flatMap((m) => [...m]));
    await Promise.all(NAMED.map(async (n) => {
      const want = expected.get(n.selector);
      if (!want || 'error' in want) throw new Error(`dbt ls --selector ${n.selector}: ${want && 'error' in want ? want.error : 'no result'}`);
      const [r, viaInput] = await Promise.all([
        cli(['run', 'ls', '--project', n.project, '--selector', n.selector, '--json'], { env }),
        e2e.run({ project: n.project, command: 'list', selector: n.selector }),
      ]);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(resultIds(r.stdout), n.selector).toEqual(want.ids);
      expect(viaInput.output?.node_results.map((x) => x.unique_id).sort()).toEqual(want.ids);
    }));
  });

  it('honour a default: true selector as dbt does: only when nothing else is selected', async () => {
    const [[none, explicit], ours, selected] = await Promise.all([
      dbtLsBatch(SELECTORS, [{ args: [], parseArgs: [] }, { args: ['--select', 'report'], parseArgs: [] }]),
      cli(['run', 'list', '--json'], { env, cwd: join(SELECTORS, 'models') }),
      cli(['run', 'list', '-s', 'report', '--json'], { env, cwd: SELECTORS }),
    ]);
    expect(ours.exitCode, ours.stderr).toBe(0);
    expect(resultIds(ours.stdout)).toEqual((none as { ids: string[] }).ids);
    expect((none as { ids: string[] }).ids).toEqual(['model.selectors_duck.base_daily']);
    expect(resultIds(selected.stdout)).toEqual((explicit as { ids: string[] }).ids);
  });
});

describe('dbt-style run', () => {
  it('builds with dbt flags from inside the project, prints dbt lines and the UI link, exits 0', async () => {
    const project = join(scratch, 'selectors-copy');
    await cp(SELECTORS, project, { recursive: true });
    const r = await cli(['run', 'build', '-s', 'base_hourly+', '--exclude', 'report', '-t', 'dev', '--full-refresh', '-x',
      '--vars', '{unused: 1}', '--env', 'X=1'], { env: { ...env, TEMPORAL_UI_URL: 'http://ui.example:8080/' }, cwd: project });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/START model selectors_duck\.base_hourly/);
    expect(r.stdout).toMatch(/OK model selectors_duck\.derived/);
    expect(r.stdout).toMatch(/PASS test selectors_duck\.not_null_derived_id/);
    expect(r.stdout).toMatch(/Done\. PASS=3 WARN=0 ERROR=0 SKIP=0 NO-OP=0 TOTAL=3$/m);
    expect(r.stdout).not.toMatch(/\x1b\[/);
    expect(r.stderr).toMatch(/Temporal UI: http:\/\/ui\.example:8080\/namespaces\/default\/workflows\/dbt-run-[0-9a-f-]+\/[0-9a-f-]+\/history/);
  });

  it('exits 1 when the run fails, showing each error once in the summary', async () => {
    const r = await cli(['run', 'build', '--project', 'broken_duck'], { env });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/ERROR model broken_duck\.bad_sql/);
    expect(r.stdout.match(/this_column_does_not_exist/g)?.length).toBe(2); // the failure's message, once (2 lines of it)
    expect(r.stdout).toMatch(/Done\. PASS=6 WARN=1 ERROR=2 SKIP=2 NO-OP=0 TOTAL=11/);
    expect(r.stderr).not.toMatch(/Activity failed/);
    // dbt's `compiled code at` points at the failure's compiled SQL, kept under TMPDIR (the scratch dir here).
    expect(r.stdout).toContain(`compiled code at ${join(scratch, 'dbt-temporal-run-')}`);
  });

  it('exits 2 on usage errors, unknown selectors and projects', async () => {
    const cases: [string[], RegExp][] = [
      [['run', 'bogus'], /unknown dbt command 'bogus'/],
      [['run', 'build', '--no-such-flag'], /unknown option '--no-such-flag'/],
      [['run', 'build', '--project', 'selectors_duck', '--selector', 'no_such_selector'], /no_such_selector/],
      [['run', 'build', '--project', 'nope'], /nope/],
      [['run', 'build', '--defer'], /--defer needs --state/],
    ];
    await Promise.all(cases.map(async ([args, message]) => {
      const r = await cli(args, { env });
      expect(r.exitCode, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(message);
    }));
  });

  it('prints help for each command listing its flags', async () => {
    const results = await Promise.all(['run', 'local'].map((command) => cli([command, '--help'], { env })));
    for (const r of results) {
      expect(r.exitCode).toBe(0);
      for (const flag of ['-s, --select', '--exclude', '--selector', '-t, --target', '-f, --full-refresh', '-x, --fail-fast', '--state', '--defer']) {
        expect(r.stdout).toContain(flag);
      }
    }
  });
});
