// `dbt-temporal local` in a real terminal (tmux): dbt's lines scroll above a status area that is
// redrawn in place, the summary is intact, worker logs stay in their file; `--ui` keeps the
// dev server's Web UI up with the run's page (fetched with a plain HTTP client) until Ctrl-C.
import { cp, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.js';
import { BROKEN_PROJECT, CLI } from '../support/paths.js';
import { startTmux } from '../support/tmux.js';
import type { TmuxSession } from '../support/tmux.js';

const BAR = /^\[[#-]{28}\] \d+\/11 /gm;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let scratch: string;
let project: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'e2e-cli-local-'));
  project = join(scratch, 'broken_duck');
  await cp(BROKEN_PROJECT, project, { recursive: true });
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('local on a terminal', () => {
  let tmux: TmuxSession;
  afterAll(async () => tmux?.kill());

  it('redraws one status area in place, keeps the summary intact and serves the run in the UI', async () => {
    const logs = join(scratch, 'tmp');
    await mkdir(logs);
    const env = {
      PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/root', TERM: 'xterm-256color', TMPDIR: logs,
      BROKEN_DUCKDB_PATH: join(scratch, 'broken.duckdb'),
      // One node takes seconds (5-10 s here), so the status polls see the run mid-way: a quick
      // run could end before a poll's answer came back and never draw its bar (seen in CI,
      // where the whole suite loads the machine and the run_status query waits for the worker).
      BROKEN_SLOW_ROWS: '2000000000',
    };
    tmux = await startTmux(['node', CLI, 'local', 'build', '--ui'], { cwd: project, env });
    const screens: string[] = [];
    let url: string | null = null;
    const deadline = Date.now() + 240_000;
    while (url === null && Date.now() < deadline) {
      const screen = await tmux.screen();
      screens.push(screen);
      url = /Temporal UI of this run: (http:\/\/\S+)/.exec(screen)?.[1] ?? null;
      if (/EXIT=\d+/.test(screen)) break;
      // Often: a warm run's status area can be on screen for well under a second.
      await sleep(50);
    }
    expect(url, screens.at(-1)).not.toBeNull();

    // Redrawn in place: the bar was drawn, never twice on one screen, and is gone at the end. A
    // bar can be up for less than one screen capture takes: then the terminal's byte stream
    // shows it was drawn, over the area drawn before it (each draw first erases that).
    const drawn = screens.some((s) => (s.match(BAR) ?? []).length === 1) || /\x1b\[\d+F\x1b\[J[^]*\[[#-]{28}\] \d+\/11 /.test(await tmux.output());
    expect(drawn).toBe(true);
    expect(screens.every((s) => (s.match(BAR) ?? []).length <= 1)).toBe(true);
    const history = await tmux.history();
    expect(history.match(BAR)).toBeNull();
    // dbt's lines scrolled above it, each node's result once, and dbt's summary intact.
    const results = history.match(/^ ?\d+ of 11 (OK|PASS|WARN \d+|FAIL \d+|ERROR|SKIP) /gm) ?? [];
    expect(results).toHaveLength(11);
    expect(history).toMatch(/Completed with 2 errors, 0 partial successes, and 1 warning:\n\nFailure in model bad_sql \(models\/bad_sql\.sql\)\n {2}Runtime Error in model bad_sql/);
    expect(history.match(/Failure in model bad_sql/g)).toHaveLength(1);
    expect(history).toMatch(/compiled code at .*dbt-temporal-run-.*\/compiled\/broken_duck\/models\/bad_sql\.sql/);
    expect(history).toMatch(/^Done\. PASS=6 WARN=1 ERROR=2 SKIP=2 NO-OP=0 TOTAL=11$/m);
    // Worker and SDK logs are in the file it names, not on the terminal.
    expect(history).not.toMatch(/"level":|Activity failed/);
    expect(history).toMatch(/worker log: .*dbt-temporal-local-.*\.log/);

    // The UI answers the run's page and its API shows the run.
    const page = await fetch(url as string);
    expect(page.status).toBe(200);
    const [, base, workflowId] = /^(http:\/\/[^/]+)\/namespaces\/default\/workflows\/([^/]+)\//.exec(url as string) ?? [];
    const api = await fetch(`${base}/api/v1/namespaces/default/workflows/${workflowId}`);
    expect(api.status).toBe(200);
    expect(await api.json()).toMatchObject({ workflowExecutionInfo: { type: { name: 'dbt_run' }, status: 'WORKFLOW_EXECUTION_STATUS_FAILED' } });

    // Ctrl-C ends it with the run's exit code (1: the run failed); the kept log is the only file left.
    await tmux.keys('C-c');
    let final = '';
    for (let i = 0; i < 120 && !/EXIT=\d+/.test(final); i++) {
      await sleep(500);
      final = await tmux.screen();
    }
    expect(final).toMatch(/EXIT=1/);
    // Besides the kept log, only the failures' compiled code (dbt's `compiled code at`).
    expect((await readdir(logs)).filter((f) => !f.startsWith('dbt-temporal-local-') && !f.startsWith('dbt-temporal-run-'))).toEqual([]);
  });
});

describe('local usage errors', () => {
  it('exits 2 outside a dbt project, on a bad flag value or dbt command', async () => {
    const env = { ...process.env };
    const [outside, threads, command] = await Promise.all([
      cli(['local', 'build'], { env, cwd: scratch }),
      cli(['local', 'build', '--threads', 'many'], { env, cwd: project }),
      cli(['local', 'docs'], { env, cwd: project }),
    ]);
    expect(outside.exitCode).toBe(2);
    expect(outside.stderr).toMatch(/no dbt_project\.yml in .* or any directory above it/);
    expect(threads.exitCode).toBe(2);
    expect(threads.stderr).toMatch(/--threads must be a positive integer/);
    expect(command.exitCode).toBe(2);
    expect(command.stderr).toMatch(/unknown dbt command 'docs'/);
  });
});
