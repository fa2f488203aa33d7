// `dbt-temporal local`'s warm daemon, run as a user runs it, on temp copies of the example
// project: the second run reuses the first one's dev server and worker (their pids, from the
// state file), an edited and an added model are picked up, two terminals at once share one
// daemon, a killed daemon's state is replaced, `--stop` and the idle timeout leave no process,
// and `--no-daemon` leaves nothing running.
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.js';
import type { CliResult } from '../support/cli.js';
import { CLI, EXAMPLE_PROJECT } from '../support/paths.js';

interface State { pid: number; serverPid: number; address: string }
interface Output { success: boolean; node_results: { unique_id: string; status: string; compiled_code: string | null }[] }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let scratch: string;
let project: string;
let tmp: string;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/**
 * Live processes started for this test file: every process the CLI starts (daemon, dev server,
 * dbt engines) inherits its TMPDIR, which is this file's own directory.
 */
function ours(): number[] {
  const mark = `\0TMPDIR=${tmp}\0`;
  return readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number).filter((pid) => {
    try {
      return `\0${readFileSync(`/proc/${pid}/environ`, 'utf8')}`.includes(mark) && alive(pid);
    } catch {
      return false;
    }
  });
}

async function untilNoneOfOurs(): Promise<number[]> {
  for (let i = 0; i < 600 && ours().length > 0; i++) await sleep(100);
  return ours();
}

/** The daemon state files under the test's TMPDIR. */
async function states(): Promise<State[]> {
  const root = join(tmp, `dbt-temporal-${process.getuid?.() ?? 'user'}`);
  if (!existsSync(root)) return [];
  const out: State[] = [];
  for (const key of await readdir(root)) {
    const file = join(root, key, 'state.json');
    if (existsSync(file)) out.push(JSON.parse(await readFile(file, 'utf8')) as State);
  }
  return out;
}

const env = (): Record<string, string> => ({
  PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/root', TMPDIR: tmp, JAFFLE_DUCKDB_PATH: join(scratch, 'jaffle.duckdb'),
});
const local = (args: string[]): Promise<CliResult> => cli(['local', ...args], { env: env(), cwd: project });
const output = (r: CliResult): Output => JSON.parse(r.stdout) as Output;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'e2e-cli-daemon-'));
  project = join(scratch, 'jaffle_duck');
  tmp = join(scratch, 'tmp');
  await mkdir(tmp);
  await cp(EXAMPLE_PROJECT, project, { recursive: true });
});

afterAll(async () => {
  // Whatever a failed assertion left running goes too.
  for (const pid of ours()) process.kill(pid, 'SIGKILL');
  await rm(scratch, { recursive: true, force: true });
});

describe('local with its warm daemon', () => {
  it('starts one daemon for two terminals at once, reuses its dev server and worker, picks up edited and added models; --stop leaves no process', async () => {
    const [a, b] = await Promise.all([local(['build', '--json']), local(['build', '--json'])]);
    expect(a.exitCode, a.stderr).toBe(0);
    expect(b.exitCode, b.stderr).toBe(0);
    expect(output(a).node_results).toHaveLength(24);
    expect(output(a).success && output(b).success).toBe(true);
    const [state, more] = await states();
    expect(state).toBeDefined();
    expect(more).toBeUndefined();
    const { pid, serverPid } = state as State;
    expect(alive(pid) && alive(serverPid)).toBe(true);

    const second = await local(['build', '--json']);
    expect(second.exitCode, second.stderr).toBe(0);
    expect(output(second).node_results.every((n) => n.status === 'success' || n.status === 'pass')).toBe(true);
    expect(await states()).toEqual([state]);
    expect(second.stderr).toContain(`project ${project} (profiles ${project})`);

    // An edited model and a new one: the same daemon parses again, as dbt would.
    const customers = join(project, 'models', 'marts', 'customers.sql');
    await writeFile(customers, `${await readFile(customers, 'utf8')}\n-- edited-between-runs\n`);
    await writeFile(join(project, 'models', 'marts', 'added_model.sql'), "select 42 as answer from {{ ref('customers') }} limit 1\n");
    const third = await local(['build', '-s', 'customers', 'added_model', '--json']);
    expect(third.exitCode, third.stderr).toBe(0);
    const results = output(third).node_results.filter((n) => n.unique_id.startsWith('model.'));
    expect(results.map((n) => n.unique_id).sort()).toEqual(['model.jaffle_duck.added_model', 'model.jaffle_duck.customers']);
    expect(results.find((n) => n.unique_id.endsWith('.customers'))?.compiled_code).toContain('-- edited-between-runs');
    expect(await states()).toEqual([state]);

    // Ctrl-C cancels the run on the daemon (it would run on in the background otherwise).
    const child = execa('node', [CLI, 'local', 'build'], { env: env(), cwd: project, reject: false });
    await new Promise<void>((resolve) => {
      let seen = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        if (/ START /.test(seen)) resolve();
      });
      void child.finally(() => resolve());
    });
    child.kill('SIGINT');
    expect((await child).exitCode).toBe(130);
    const connection = await Connection.connect({ address: (state as State).address });
    try {
      const client = new Client({ connection });
      let last = '';
      for (let i = 0; i < 300 && last !== 'CANCELLED'; i++, await sleep(100)) {
        const runs = [];
        for await (const w of client.workflow.list()) runs.push(w);
        runs.sort((x, y) => y.startTime.getTime() - x.startTime.getTime());
        last = runs[0]?.status.name ?? '';
      }
      expect(last).toBe('CANCELLED');
    } finally {
      await connection.close();
    }

    // The daemon, its dev server and at least one dbt engine.
    const processes = ours();
    expect(processes).toEqual(expect.arrayContaining([pid, serverPid]));
    expect(processes.length).toBeGreaterThan(2);
    const stop = await local(['--stop']);
    expect(stop.exitCode, stop.stderr).toBe(0);
    expect(stop.stderr).toContain('stopped the daemon');
    expect(processes.filter(alive)).toEqual([]);
    expect(ours()).toEqual([]);
    expect(await states()).toEqual([]);
    expect((await local(['--stop'])).stderr).toContain('no daemon runs');
  });

  it('replaces a killed daemon (its orphaned dev server too) and stops after the idle timeout', async () => {
    const first = await local(['list']);
    expect(first.exitCode, first.stderr).toBe(0);
    const running = await states();
    expect(running).toHaveLength(1);
    const killed = running[0] as State;

    // A daemon killed outright leaves its state file and an orphaned dev server: the next run
    // replaces both, and with a 1 s idle timeout its own daemon goes away after the run.
    process.kill(killed.pid, 'SIGKILL');
    const next = await local(['list', '--idle-timeout', '5']);
    expect(next.exitCode, next.stderr).toBe(0);
    expect(alive(killed.serverPid)).toBe(false);
    const [fresh] = await states();
    expect(fresh?.pid).toBeDefined();
    expect(fresh?.pid).not.toBe(killed.pid);
    expect(await untilNoneOfOurs()).toEqual([]);
    expect(await states()).toEqual([]);
  });

  it('--no-daemon runs, tears everything down and leaves no daemon state', async () => {
    const root = join(tmp, `dbt-temporal-${process.getuid?.() ?? 'user'}`);
    await rm(root, { recursive: true, force: true });
    const r = await local(['build', '-s', 'stg_customers', '--no-daemon', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(output(r).node_results.map((n) => n.unique_id)).toContain('model.jaffle_duck.stg_customers');
    expect(existsSync(root)).toBe(false);
    expect(ours()).toEqual([]);
  });
});
